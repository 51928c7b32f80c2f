// FeatureProgram: turns checked inputs (one double per schema field) into the
// model's feature vector: one-hot and ordinal encodings, pass-through inputs
// and derived features such as SMOKING * AGE. Declared once in a spec file,
// carried in the bundle ("features"), evaluated the same way in Python for
// training and here for serving. See docs/bundle-format.md for the operators.
//
//   std::vector<double> features(program.num_features());
//   stroke::Status s = program.Evaluate(inputs, features);
#ifndef STROKE_FEATURES_H_
#define STROKE_FEATURES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stroke/export.h"
#include "stroke/span.h"
#include "stroke/status.h"

namespace stroke {

// One step of a compiled feature expression (a stack machine in postfix order).
// A reference to an earlier feature is compiled by inlining that feature's
// code, so it is read at full float64 precision and needs no storage.
enum class FeatureOp : uint8_t {
  kConst, kInput, kOneHot, kOrdinal,               // push a value
  kAdd, kMul, kMin, kMax, kAnd, kOr,               // n-ary, left to right
  kSub, kDiv, kEq, kNe, kLt, kLe, kGt, kGe,        // binary
  kNot, kNeg, kBucket,                             // unary (bucket: count of edges below x)
  kClip,                                           // ternary: clip(x, lo, hi)
  kMissing,                                        // unary: 1 if x is NaN (missing), else 0
  kCoalesce,                                       // n-ary: the first argument that is not NaN
};

struct FeatureInstruction {
  FeatureOp op = FeatureOp::kConst;
  int32_t index = 0;  // kInput/kOrdinal/kOneHot: input field; n-ary: arity;
                      // kBucket: first edge in edges()
  int32_t count = 0;  // kOneHot: category index; kBucket: number of edges
  double constant = 0;  // kConst
};

// The values features may take, set by the ensemble that reads them.
struct FeatureDomain {
  bool allow_missing = false;  // NaN passes (the trees route missing values)
  bool float32 = true;         // values must fit a finite float32 (the trees compare float32)
};

class STROKE_EXPORT FeatureProgram {
 public:
  // Largest stack an expression may need; deeper expressions are refused at load.
  static constexpr int kMaxStack = 32;

  size_t num_features() const { return names_.size(); }
  const std::vector<std::string>& feature_names() const { return names_; }
  // The input fields feature `i` reads, directly or through other features
  // (schema indices, ascending). The basis for grouping explanations by input.
  const std::vector<int>& feature_inputs(size_t i) const { return inputs_used_[i]; }

  // Evaluates every feature in float64 into `out` (size num_features()).
  // Fails (kInvalidInput, naming the feature) for a value outside `domain`:
  // NaN where missing values are not allowed, infinity, or beyond float32
  // where the trees compare float32 - what the training library refuses too.
  // Allocates nothing; thread-safe.
  Status Evaluate(Span<const double> inputs, Span<double> out,
                  const FeatureDomain& domain = {}) const;

  // Where a missing input can become a missing feature. `missing_inputs[j]`
  // marks the input fields that may hold NaN (nullable without "impute").
  // Returns {field, feature} for the first feature that one of them can make
  // NaN, or {-1, -1}. NaN stops at onehot, missing, comparisons, and/or/not,
  // and at a coalesce with an argument no marked field reaches; every other
  // op passes it on. A load-time check: an ensemble that cannot take missing
  // values must never be given one.
  std::pair<int, int> MissingReach(const std::vector<bool>& missing_inputs) const;

 private:
  // src/read_features.cc: compile the bundle's expressions.
  friend class FeatureProgramBuilder;
  friend class ExpressionCompiler;
  std::vector<std::string> names_;
  std::vector<std::vector<int>> inputs_used_;
  std::vector<FeatureInstruction> code_;
  std::vector<uint32_t> starts_;  // feature i: code_[starts_[i], starts_[i+1])
  std::vector<double> edges_;     // kBucket edges, ascending
};

}  // namespace stroke

#endif  // STROKE_FEATURES_H_
