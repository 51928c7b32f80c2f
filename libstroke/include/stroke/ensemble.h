// Ensemble: a tree ensemble stored as flat per-tree arrays (as scikit-learn's
// tree_), validated once, then evaluated read-only. Every family libstroke
// serves is this one evaluation with different settings:
//
//   raw[k] = base_margin[k]
//   for each tree t, in order:  raw[output(t) + j] += tree_scale * leaf_value(t)[j]
//   aggregation kMean:          raw[k] /= number of trees
//   outputs = link(raw)         logistic, softmax or identity
//
// done in float64 (or float32, as XGBoost does), operation for operation as
// the training library, so results are bit-identical (softmax too, given the
// library's exp and log: see src/link_functions.h).
//
//   std::array<double, kMaxOutputs> raw;
//   ensemble.PredictRaw(features, raw);            // one row, no allocation
#ifndef STROKE_ENSEMBLE_H_
#define STROKE_ENSEMBLE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stroke/export.h"
#include "stroke/span.h"
#include "stroke/load_options.h"
#include "stroke/status.h"

namespace stroke {

// Most outputs (classes) an ensemble may have.
inline constexpr int kMaxOutputs = 32;

// One tree as parallel arrays indexed by node; node 0 is the root. A leaf has
// left == right == -1 (its feature and threshold are ignored). An inner node
// sends a row left when the split rule holds, right otherwise, and a missing
// (NaN) value the way missing_left says.
struct STROKE_EXPORT TreeArrays {
  std::vector<int32_t> feature;
  std::vector<double> threshold;
  std::vector<int32_t> left;
  std::vector<int32_t> right;
  std::vector<double> value;          // leaf_width values per node, node-major (inner nodes: for explanations)
  std::vector<double> cover;          // training weight reaching the node (for explanations)
  std::vector<uint8_t> missing_left;  // 1: NaN (and unknown categories) go left
  int output = 0;                     // first accumulator this tree adds to
  // Categorical splits (optional; empty = all numeric). A categorical node
  // sends category c left when c is in its list, right when c is another
  // known category of the feature, and an unknown category like NaN.
  std::vector<uint8_t> categorical;
  std::vector<std::vector<int32_t>> left_categories;
};

// How a node compares feature value x with its threshold t.
enum class SplitRule {
  kLessEqualFloat32,  // float32(x) <= t   (scikit-learn trees and forests)
  kLessEqualFloat64,  // x <= t            (scikit-learn HistGradientBoosting)
  kLessFloat32,       // float32(x) < t    (XGBoost; t is a float32)
};

enum class Aggregation {
  kSum,   // boosting: base_margin + tree_scale * leaves
  kMean,  // forests: the leaves' average
};

// The arithmetic of the accumulation and the link.
enum class Precision { kFloat64, kFloat32 };

// Maps the raw accumulators to the outputs.
enum class LinkFunction {
  kLogistic,  // one accumulator -> 1 / (1 + exp(-raw)): probability of class 1
  kSoftmax,   // K accumulators -> K class probabilities: exp(raw - max) / sum
              // (scikit-learn's softmax; XGBoost's in float32)
  kIdentity,  // unchanged: a regression value, or a forest's class probabilities
  kSoftmaxLogSumExp,  // K accumulators -> exp(raw - logsumexp(raw)): scikit-learn
                      // GradientBoostingClassifier's multiclass probabilities
};

// One element of a TreeSHAP path (scratch memory for Ensemble::Shap).
struct ShapPathElement {
  int32_t feature = -1;
  double zero_fraction = 0;
  double one_fraction = 0;
  double weight = 0;
};

class Ensemble;

// Scratch memory for Ensemble::Shap, sized for one ensemble: the TreeSHAP
// path of every level of its deepest tree (a level holds at most
// min(level, num_features) + 1 elements) and the subtrees still to visit.
// The constructor is the only allocation of an explanation; create one
// only to explain, reuse it across calls on one thread (not thread-safe).
class STROKE_EXPORT ShapScratch {
 public:
  ShapScratch() = default;  // sized for nothing: ok() is false
  explicit ShapScratch(const Ensemble& ensemble);
  // False when the memory could not be allocated (or for a default-constructed scratch).
  bool ok() const { return !pending_.empty(); }

 private:
  friend class Ensemble;
  // A subtree still to visit: its root and the path leading to it.
  struct Pending {
    uint32_t node;
    uint32_t depth;   // elements of the parent's path after unwinding, plus one
    size_t parent;    // the parent's path: path_[parent, parent + depth)
    double zero_fraction;
    double one_fraction;
    int32_t feature;  // the parent's split feature (-1 for a root)
  };
  std::vector<ShapPathElement> path_;
  std::vector<Pending> pending_;
};

// The categories a categorical feature saw in training (values 0..255).
class CompleteTrees;  // the fast layout (src/complete_trees.h)

struct STROKE_EXPORT KnownCategories {
  int feature = 0;
  std::vector<int32_t> categories;
};

struct STROKE_EXPORT EnsembleSpec {
  int num_features = 0;  // length of the feature vector the trees read
  int num_outputs = 1;   // accumulators: 1, or the number of classes
  int leaf_width = 1;    // values per leaf: 1, or num_outputs (forest classifiers)
  std::vector<double> base_margin = {0.0};  // one per output
  double tree_scale = 1;  // multiplies every leaf (the learning rate)
  SplitRule split_rule = SplitRule::kLessEqualFloat32;
  Aggregation aggregation = Aggregation::kSum;
  Precision precision = Precision::kFloat64;
  LinkFunction link = LinkFunction::kLogistic;
  bool handles_missing = false;  // NaN features allowed (they follow missing_left)
  std::vector<KnownCategories> known_categories;
  std::vector<TreeArrays> trees;
};

class STROKE_EXPORT Ensemble {
 public:
  Ensemble() = default;
  // Validates every tree: arrays of equal, non-zero length (value: nodes x
  // leaf_width); children inside the tree, both or neither present, every
  // node reached exactly once from the root (no cycle, no orphan); feature
  // indices in [0, num_features); finite thresholds, values and covers;
  // outputs in range; categorical nodes on known categorical features; and
  // the sizes `limits` allows (trees, nodes, depth, features). No recursion:
  // a tree of any depth is checked in time and memory linear in its nodes.
  // Errors are kCorruptBundle and begin with the path, e.g.
  // "trees[3].left[5]: child 99 out of range [0, 15)".
  static StatusOr<Ensemble> Create(EnsembleSpec spec, const LoadOptions& limits = {});

  const EnsembleSpec& spec() const { return spec_; }
  int num_features() const { return spec_.num_features; }
  int num_outputs() const { return spec_.num_outputs; }
  size_t num_trees() const { return spec_.trees.size(); }
  // Depth of the deepest tree (a lone leaf has depth 0).
  int max_depth() const { return max_depth_; }

  // Raw accumulators of one row (num_features() values) into
  // raw[0, num_outputs()). NaN means missing and follows missing_left when
  // the spec handles_missing; otherwise the caller must not pass NaN
  // (Model::Prepare refuses it). Allocates nothing; thread-safe.
  void PredictRaw(Span<const double> features, Span<double> raw) const;
  // PredictRaw for n rows at once (rows: n * num_features(), row-major; raw:
  // n * num_outputs()), with the same results; faster for shallow trees,
  // whose walks it interleaves. Allocates nothing; thread-safe.
  void PredictRawBatch(Span<const double> rows, size_t n, Span<double> raw) const;
  // The execution layout chosen at load: "complete depth D" (shallow trees,
  // src/complete_trees.h) or "node walk".
  std::string layout() const;
  // The link applied to raw accumulators, in the ensemble's precision.
  void Link(Span<const double> raw, Span<double> out) const;

  // Exact path-dependent TreeSHAP (Lundberg et al. 2018, algorithm 2) of
  // accumulator `output` for one row: adds each feature's contribution to
  // phi[0, num_features()). The contributions sum to the row's raw value
  // minus ExpectedValue(output). Node covers weight the paths a missing
  // feature could take. `scratch` must be a ShapScratch of this ensemble;
  // one that is not ok() leaves phi NaN. Walks without recursion; time
  // grows with leaves x min(depth, num_features)^2. Allocates nothing;
  // thread-safe with one scratch per thread.
  void Shap(Span<const double> row, int output, Span<double> phi, ShapScratch& scratch) const;
  // The raw value of `output` for an "average" row: each tree's leaves
  // weighted by cover, plus the base margin (mean aggregation applied).
  double ExpectedValue(int output) const { return expected_value_[static_cast<size_t>(output)]; }

 private:
  // Execution layout derived from spec_ at load: all trees' nodes in one array.
  struct Node {
    int32_t feature;  // -1 for a leaf
    int32_t left;     // absolute node index; leaf: offset of its values in leaf_values_
    int32_t right;
    int32_t bitset;   // categorical node: index of its 8-word bitset, else -1
    uint8_t missing_left;
    double threshold;  // leaf: its first scaled value (the whole value when leaf_width is 1)
  };
  struct Root {
    uint32_t node;
    uint32_t output;
  };
  // kSpecial: the ensemble has missing values or categorical splits to check
  // for; without them a node is one comparison.
  template <SplitRule kRule, bool kSpecial>
  bool GoesLeft(const Node& node, double x) const;
  template <SplitRule kRule, bool kSpecial>
  const Node& Walk(uint32_t root, const double* row) const;
  template <SplitRule kRule>
  void ShapTree(const double* row, uint32_t root, size_t value_index, double* phi, ShapScratch& scratch) const;
  // Cover-weighted mean of value `value_index` of tree `tree`'s leaves,
  // computed children before parents; `order` and `mean` are reused buffers.
  double TreeMean(size_t tree, size_t value_index, std::vector<uint32_t>* order, std::vector<double>* mean) const;
  void PrepareShap();
  template <SplitRule kRule, bool kSpecial, typename Real>
  void Accumulate(const double* row, Real* acc) const;
  template <typename Real>
  void Dispatch(const double* row, Real* acc) const;
  // Whether the complete layout can take these rows (no NaN to route).
  bool CompleteFits(const double* rows, size_t n) const;
  template <typename Real>
  void AccumulateRows(const double* rows, size_t n, Real* acc) const;

  EnsembleSpec spec_;
  std::vector<Node> nodes_;
  std::vector<Root> roots_;
  std::vector<double> covers_;                  // per node (absolute index)
  std::vector<double> expected_value_;          // per output
  int max_depth_ = 0;
  bool special_ = false;
  std::vector<double> leaf_values_;            // tree_scale * value, per leaf
  std::vector<std::array<uint32_t, 8>> bitsets_;  // left categories per categorical node
  std::vector<int32_t> known_bitset_;           // per feature: index into bitsets_ or -1
  std::shared_ptr<const CompleteTrees> complete_;  // null: walk nodes_
};

}  // namespace stroke

#endif  // STROKE_ENSEMBLE_H_
