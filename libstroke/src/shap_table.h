// Internal: precomputed TreeSHAP weights (Fast TreeSHAP v2: J. Yang 2021,
// "Fast TreeSHAP: Accelerating SHAP Value Computation for Trees", arXiv
// 2109.09847), so that explaining a row only finds, for each leaf, which of
// its path's features the row follows, and reads the leaf's contributions.
//
// The formula. Take a leaf with value v whose root path splits on the
// distinct features U = {u_0 .. u_{d-1}} (in order of first appearance). For
// feature u_k let z_k be the product of the cover fractions (child cover /
// parent cover, 0.5 under a parent of cover 0) of the path's splits on u_k,
// and o_k = 1 when the row goes the path's way at every one of them, else 0;
// T = {k : o_k = 1}. The leaf adds v * prod_{j in S} o_j * prod_{j in U\S} z_j
// to the path-dependent value f(S) of a known set S (Lundberg et al. 2018,
// algorithm 1), a game on U alone, so its Shapley value for u_k is
//
//   phi_k = v * (o_k - z_k) * sum_{S subset of T\{k}} w(|S|) prod_{j in U\S\{k}} z_j
//         = v * (o_k - z_k) * prod_{j notin R, j != k} z_j * E(R),   R = T\{k},
//   E(R)  = sum_{m=0..|R|} w(|R| - m) e_m(z_R),   w(s) = s! (d - s - 1)! / d!,
//
// (e_m: the elementary symmetric polynomial of the z_j, j in R; only S within
// T count, as o_j = 0 outside it). A table holds phi_k / v for every T and k:
// d * 2^d values a leaf; where leaves hold one value (leaf_width 1) it holds
// phi_k itself, v times that (the product explaining would take, so the
// answer is the same to the bit), and explaining reads no leaf value. Summed over leaves and trees it is what algorithm 2
// computes, up to rounding (tests/shap_table_test.cc compares them), with no
// division: where algorithm 2 unwinds a feature whose zero and one fractions
// are both 0 (the row's other way into a subtree of cover 0, split again on
// that feature below) it answers NaN, the table the Shapley value.
//
// Memory rule: a tree gets a table when every leaf's path has at most
// kMaxFeatures distinct features (a leaf's table: at most 8 * 256 doubles,
// 16 KiB) and the ensemble's tables stay within kBudgetBytes, trees taken in
// order; any other tree is explained by algorithm 2 (ensemble_shap.cc).
#ifndef STROKE_SRC_SHAP_TABLE_H_
#define STROKE_SRC_SHAP_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stroke/ensemble.h"

namespace stroke::internal {

class ShapTables {
 public:
  static constexpr int kMaxFeatures = 8;                 // distinct features on a leaf's path
  static constexpr size_t kBudgetBytes = size_t{32} << 20;  // all tables of one ensemble

  // An inner node of a table tree, listed parents before children.
  struct Split {
    uint32_t node;         // index in the tree's arrays (TreeArrays)
    uint32_t left, right;  // its children, likewise
    uint8_t first_bit;     // the bit of the node's feature if the path meets it here first, else 0
    uint8_t keep;          // every bit but the node's feature's
  };
  struct Leaf {
    uint32_t node;      // index in the tree's arrays
    uint32_t size;      // d: distinct features on its path
    size_t features;    // offset of its d feature indices in features()
    size_t weights;     // offset of its 2^d x d weights in weights(): row T, column k
  };
  struct Tree {
    size_t first_split, num_splits;
    size_t first_leaf, num_leaves;
    size_t num_nodes;
  };

  ShapTables() = default;  // no tables: every tree takes algorithm 2
  // The tables of `spec`'s trees that the memory rule admits. Throws
  // std::bad_alloc when the memory cannot be had.
  static ShapTables Build(const EnsembleSpec& spec);

  // The table of tree t of the spec, or null when it has none.
  const Tree* tree(size_t t) const {
    return t < tree_index_.size() && tree_index_[t] >= 0 ? &trees_[static_cast<size_t>(tree_index_[t])] : nullptr;
  }
  size_t num_trees() const { return trees_.size(); }
  // Most nodes of a table tree: the size of the per-node scratch that
  // EnsembleEngine::ShapTableTree needs.
  size_t max_nodes() const { return max_nodes_; }
  const Split* splits() const { return splits_.data(); }
  const Leaf* leaves() const { return leaves_.data(); }
  const int32_t* features() const { return features_.data(); }
  const double* weights() const { return weights_.data(); }
  // Whether weights() are multiplied by their leaf's value (leaf_width 1).
  bool contributions() const { return contributions_; }

 private:
  // Adds tree t's table if the rule admits it; false (nothing added) if not.
  // `tree_scale`: the spec's, for contributions_.
  bool AddTree(const TreeArrays& tree, double tree_scale, size_t* budget_left);

  std::vector<int32_t> tree_index_;  // per spec tree: index into trees_, or -1
  std::vector<Tree> trees_;
  std::vector<Split> splits_;
  std::vector<Leaf> leaves_;
  std::vector<int32_t> features_;
  std::vector<double> weights_;
  size_t max_nodes_ = 0;
  bool contributions_ = false;
};

}  // namespace stroke::internal

#endif  // STROKE_SRC_SHAP_TABLE_H_
