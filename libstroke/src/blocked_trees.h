// Internal: the execution layout for batches of the ensembles the complete
// layout (complete_trees.h) cannot take - deep trees and large forests, such
// as a default RandomForest (unlimited depth, thousands of nodes a tree). The
// node walk streams the whole forest through the cache once per row; here a
// batch is scored tree by tree over blocks of rows, so a tree is read from
// memory once per block and the block's walks hit the cache.
//
// Each tree is stored breadth-first in 16-byte nodes whose children are
// adjacent (the right child follows the left), the split rule folded into
// one double bound (LeftBound: x <= bound goes left, float32 rules included).
// A leaf sends every row to itself (its bound is NaN, so rows go "right", to
// itself; an inner node's bound is NaN too where nothing goes left, so a
// leaf is told by its child index, below its own), so kLanes rows walk a tree together, level by level, with no
// branch: the CPU overlaps their loads, and a lane that reached its leaf
// stays there. The block's rows walk in rounds: groups of kLanes rows still
// walking take kStepsPerRound steps, then the rows at a leaf leave the walk
// (a branch-free compaction) and the others form new groups, so a row
// spends at most a round's steps beyond its own leaf - instead of walking
// to the deepest leaf of its group of 8, which cost 40 % of the steps on a
// default RandomForest.
//
// Each row adds its trees' leaves in tree order, as the node walk and the
// training library do, so the sums are bit-identical (tests/layout_test.cc).
// Categorical splits are not supported (Build answers null: the node walk
// takes them). Missing values follow missing_left when the spec handles them.
#ifndef STROKE_SRC_BLOCKED_TREES_H_
#define STROKE_SRC_BLOCKED_TREES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "stroke/ensemble.h"

namespace stroke {

class BlockedTrees {
 public:
  static constexpr size_t kBlockRows = 256;    // rows that walk one tree before the next tree
  static constexpr size_t kLanes = 8;          // rows walking a tree together
  static constexpr size_t kStepsPerRound = 4;  // steps they take before rows at leaves leave the walk
  static_assert(kBlockRows <= 65536, "rows of a block are numbered in 16 bits");

  // The layout for a validated `spec`, or nullptr when it has categorical splits.
  static std::unique_ptr<BlockedTrees> Build(const EnsembleSpec& spec);

  // For each of n rows of `width` features (row r adds to acc + r * stride):
  // acc[output(t) + j] += value j of the leaf tree t sends the row to, for
  // every tree t in order. NaN features follow missing_left when the spec
  // handles missing values (otherwise the caller passes none).
  template <typename Real>
  void AccumulateRows(const double* rows, size_t n, size_t width, Real* acc, size_t stride) const;

 private:
  struct Node {
    double bound;      // inner: goes left when x <= bound (NaN: never); leaf: NaN
    int32_t feature;   // inner: the feature; leaf: 0 (read, never decides)
    // The left child's index in nodes_ (the right child is next; a leaf's is
    // its own index - 1), the top bit set when a missing value goes left.
    uint32_t next;
  };
  static constexpr uint32_t kMissingLeft = 1u << 31;

  struct Tree {
    uint32_t root;    // index in nodes_
    uint32_t output;  // first output its leaves add to
    uint32_t depth;   // edges from the root to the deepest leaf
  };

  template <bool kMissing, size_t kWidth, typename Real>
  void AccumulateBlock(const double* rows, size_t n, size_t width, Real* acc, size_t stride) const;
  // The node after `at` for `row`: a child, or `at` itself at a leaf.
  template <bool kMissing>
  uint32_t Step(uint32_t at, const double* row) const;

  std::vector<Node> nodes_;
  std::vector<uint32_t> leaf_of_node_;  // per node: a leaf's offset in leaf_values_ (inner nodes: 0)
  std::vector<Tree> trees_;
  std::vector<double> leaf_values_;  // tree_scale * value, leaf_width per leaf
  size_t leaf_width_ = 1;
  bool missing_ = false;  // the spec handles missing values
};

}  // namespace stroke

#endif  // STROKE_SRC_BLOCKED_TREES_H_
