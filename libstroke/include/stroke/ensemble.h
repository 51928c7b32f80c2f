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

namespace internal {
class EnsembleEngine;  // src/ensemble_engine.h
struct ShapBuffers;
}  // namespace internal

class Ensemble;

// Scratch memory for Ensemble::Shap, sized for one ensemble: the TreeSHAP
// path of every level of its deepest tree (a level holds at most
// min(level, num_features) + 1 elements), the subtrees still to visit, a
// byte per node of its largest tabled tree and 4 x num_features partial sums.
// The first scratch of an ensemble also builds the ensemble's TreeSHAP
// tables (see Ensemble::Shap; once, thread-safe, kept with the ensemble; at
// most 32 MiB). The constructor is the only allocation of an explanation;
// create one only to explain, reuse it across calls on one thread (not
// thread-safe). Movable, not copyable.
class STROKE_EXPORT ShapScratch {
 public:
  ShapScratch();  // sized for nothing: ok() is false
  explicit ShapScratch(const Ensemble& ensemble);
  ~ShapScratch();
  ShapScratch(ShapScratch&&) noexcept;
  ShapScratch& operator=(ShapScratch&&) noexcept;
  // False when the memory could not be allocated (or for a default-constructed scratch).
  bool ok() const { return buffers_ != nullptr; }

 private:
  friend class Ensemble;
  std::unique_ptr<internal::ShapBuffers> buffers_;
};

// The categories a categorical feature saw in training (values 0..255).
struct STROKE_EXPORT KnownCategories {
  int feature = 0;
  std::vector<int32_t> categories;
};

// Everything an Ensemble is made of: its settings and its trees' flat arrays.
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

// A validated ensemble, read-only and safe to share between threads. A
// handle: copies share one immutable engine (src/ensemble_engine.h), whose
// execution layout is private and may change without changing this class.
class STROKE_EXPORT Ensemble {
 public:
  // No trees: one output, which is 0. Use Create.
  Ensemble();
  // Copies share the engine; a moved-from Ensemble stays valid (a copy).
  Ensemble(const Ensemble&) = default;
  Ensemble& operator=(const Ensemble&) = default;
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

  // The spec it was created from (trees included), as validated.
  const EnsembleSpec& spec() const;
  int num_features() const;
  int num_outputs() const;
  size_t num_trees() const;
  // Depth of the deepest tree (a lone leaf has depth 0).
  int max_depth() const;

  // Raw accumulators of one row (num_features() values) into
  // raw[0, num_outputs()). NaN means missing and follows missing_left when
  // the spec handles_missing; otherwise the caller must not pass NaN
  // (Model::Prepare refuses it). Allocates nothing; thread-safe.
  void PredictRaw(Span<const double> features, Span<double> raw) const;
  // PredictRaw for n rows at once (rows: n * num_features(), row-major; raw:
  // n * num_outputs()), with the same results; faster for shallow trees,
  // whose walks it interleaves. Allocates nothing; thread-safe.
  void PredictRawBatch(Span<const double> rows, size_t n, Span<double> raw) const;
  // The execution layouts chosen at load: "complete depth D" (shallow trees,
  // src/complete_trees.h) or "node walk", then for batches the complete
  // layout does not take "; batches: blocked trees" (deep trees and large
  // forests, src/blocked_trees.h) where there are no categorical splits.
  std::string layout() const;
  // The link applied to raw accumulators (num_outputs() values), in the
  // ensemble's precision, into out[0, num_outputs()). Thread-safe.
  void Link(Span<const double> raw, Span<double> out) const;
  // Link for n rows at once (raw and out: n * num_outputs(), row-major).
  void LinkBatch(Span<const double> raw, size_t n, Span<double> out) const;

  // Exact path-dependent TreeSHAP (Lundberg et al. 2018, algorithm 2) of
  // accumulator `output` for one row: writes each feature's contribution to
  // phi[0, num_features()) (units of the raw value). The contributions sum
  // to the row's raw value minus ExpectedValue(output). Node covers weight
  // the paths a missing feature could take. `scratch` must be a ShapScratch
  // of this ensemble; one that is not ok() leaves phi NaN. A tree whose leaf
  // paths each split on at most 8 distinct features is explained from
  // tables its first ShapScratch built (Fast TreeSHAP v2, Yang 2021, arXiv
  // 2109.09847: each leaf's contributions for every set of path features
  // the row may follow), in time linear in its nodes; any other tree by
  // algorithm 2, without recursion, in time that grows with leaves x
  // min(depth, num_features)^2. Both give the same values up to rounding
  // (tests/shap_table_test.cc: within 1e-12, relative above 1). Allocates
  // nothing; thread-safe with one scratch per thread.
  void Shap(Span<const double> row, int output, Span<double> phi, ShapScratch& scratch) const;
  // The raw value of `output` for an "average" row: each tree's leaves
  // weighted by cover, plus the base margin (mean aggregation applied).
  double ExpectedValue(int output) const;

 private:
  friend class ShapScratch;  // sizes itself by the engine
  explicit Ensemble(std::shared_ptr<const internal::EnsembleEngine> engine);
  std::shared_ptr<const internal::EnsembleEngine> engine_;  // never null
};

}  // namespace stroke

#endif  // STROKE_ENSEMBLE_H_
