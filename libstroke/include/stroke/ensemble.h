// Ensemble: a tree ensemble stored as flat per-tree arrays (as scikit-learn's
// tree_), validated once, then evaluated read-only. The raw margin is
//   raw = base_margin;  for each tree in order: raw += tree_scale * leaf_value
// which is scikit-learn's GradientBoostingClassifier summation, operation for
// operation, so the result is bit-identical.
//
//   double raw = ensemble.PredictRaw(features);      // one row, no allocation
//   double p = ensemble.Link(raw);                   // probability for kLogistic
#ifndef STROKE_ENSEMBLE_H_
#define STROKE_ENSEMBLE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "stroke/export.h"
#include "stroke/status.h"

namespace stroke {

// One tree as parallel arrays indexed by node; node 0 is the root. A leaf has
// left == right == -1 (its feature and threshold are ignored). An inner node
// sends a row left when the split rule holds, right otherwise, and a missing
// (NaN) value the way missing_left says.
struct STROKE_EXPORT TreeArrays {
  std::vector<int32_t> feature;
  std::vector<double> threshold;
  std::vector<int32_t> left;
  std::vector<int32_t> right;
  std::vector<double> value;         // leaf output (inner nodes: ignored)
  std::vector<double> cover;         // training weight reaching the node (for explanations)
  std::vector<uint8_t> missing_left; // 1: NaN goes left
};

// How a node compares feature value x with its threshold t.
enum class SplitRule {
  kLessEqualFloat32,  // float32(x) <= t  (scikit-learn trees)
};

// Maps the raw margin to the output.
enum class LinkFunction {
  kLogistic,  // 1 / (1 + exp(-raw)): binary probability of the positive class
  kIdentity,  // raw itself
};

struct STROKE_EXPORT EnsembleSpec {
  int num_features = 0;  // length of the feature vector the trees read
  double base_margin = 0;
  double tree_scale = 1;  // learning rate applied to every leaf
  SplitRule split_rule = SplitRule::kLessEqualFloat32;
  LinkFunction link = LinkFunction::kLogistic;
  std::vector<TreeArrays> trees;
};

class STROKE_EXPORT Ensemble {
 public:
  Ensemble() = default;
  // Validates every tree: arrays of equal, non-zero length; children inside
  // the tree, both or neither present, every node reached exactly once from
  // the root (no cycle, no orphan); feature indices in [0, num_features);
  // finite thresholds, values and covers. Errors are kCorruptBundle and begin
  // with the path, e.g. "trees[3].left[5]: child 99 out of range [0, 15)".
  static StatusOr<Ensemble> Create(EnsembleSpec spec);

  const EnsembleSpec& spec() const { return spec_; }
  int num_features() const { return spec_.num_features; }
  size_t num_trees() const { return spec_.trees.size(); }

  // Raw margin of one row of num_features() values. Allocates nothing; thread-safe.
  double PredictRaw(std::span<const float> features) const;
  // Raw margins of `num_rows` contiguous rows (row-major, num_features() each).
  void PredictRawBatch(std::span<const float> rows, std::span<double> raw_out) const;
  // The link function applied to a raw margin.
  double Link(double raw) const;

 private:
  // Execution layout derived from spec_ at load: all trees' nodes in one array.
  struct Node {
    int32_t feature;  // -1 for a leaf
    int32_t left;     // absolute node index; for a leaf unused
    int32_t right;
    uint8_t missing_left;
    double threshold_or_leaf;  // leaf: tree_scale * value, the exact product scikit-learn adds
  };
  double WalkTree(size_t root, const float* row) const;

  EnsembleSpec spec_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> roots_;
};

}  // namespace stroke

#endif  // STROKE_ENSEMBLE_H_
