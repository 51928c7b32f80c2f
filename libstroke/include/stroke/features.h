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
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stroke/export.h"
#include "stroke/span.h"
#include "stroke/status.h"

namespace stroke {

namespace internal {
struct FeatureCode;  // the compiled program (src/feature_code.h)
}  // namespace internal

// The values features may take, set by the ensemble that reads them.
struct FeatureDomain {
  bool allow_missing = false;  // NaN passes (the trees route missing values)
  bool float32 = true;         // values must fit a finite float32 (the trees compare float32)
};

// Why `domain` refuses the feature value `value`: "missing (NaN) and this
// model cannot take missing values", "not a finite float32" or "not a finite
// number" (static text); nullptr when it takes it. The one rule
// FeatureProgram::Evaluate, the C API and the Python module check features by.
STROKE_EXPORT const char* FeatureValueProblem(double value, const FeatureDomain& domain);

// A compiled feature program, read-only and safe to share between threads.
// A handle: copies share one immutable compiled program, whose code is
// private to the library. Made by Model::Load from the bundle's "features".
class STROKE_EXPORT FeatureProgram {
 public:
  // Largest stack an expression may need; deeper expressions are refused at load.
  static constexpr int kMaxStack = 32;

  // No features.
  FeatureProgram();
  // Library-internal (the bundle reader): wraps compiled code, opaque outside libstroke.
  explicit FeatureProgram(std::shared_ptr<const internal::FeatureCode> code);
  // Copies share the code; a moved-from FeatureProgram stays valid (a copy).
  FeatureProgram(const FeatureProgram&) = default;
  FeatureProgram& operator=(const FeatureProgram&) = default;

  size_t num_features() const;
  // The features' names, in feature order (the ensemble's feature indices).
  const std::vector<std::string>& feature_names() const;
  // The input fields feature `i` reads, directly or through other features
  // (schema indices, ascending). The basis for grouping explanations by input.
  // Precondition: i < num_features().
  const std::vector<int>& feature_inputs(size_t i) const;

  // Evaluates every feature in float64 into `out` (size num_features()).
  // Fails (kInvalidInput, naming the feature) for a value outside `domain`:
  // NaN where missing values are not allowed, infinity, or beyond float32
  // where the trees compare float32 - what the training library refuses too.
  // `inputs` holds one value per schema field. Allocates nothing; thread-safe.
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
  std::shared_ptr<const internal::FeatureCode> code_;  // never null
};

}  // namespace stroke

#endif  // STROKE_FEATURES_H_
