// Explanations: exact TreeSHAP contributions of each model feature, and of
// each user input, to a prediction's raw score (before the link: the logit
// for gradient boosting, the class probability for forests, the value for
// regression). Contributions + expected value = the raw score.
//
//   auto explanations = model.Explain(record);     // one per explained output
//   for (const auto& c : (*explanations)[0].by_input) std::printf("%s %+.3f\n", c.name.c_str(), c.value);
//
// Grouping by input: a feature that reads exactly one input field (the field
// itself, its one-hot columns, its ordinal code, a transform of it) is summed
// into that field's line; a feature that reads several fields (or none) is
// reported on its own line under its feature name, marked `derived`.
#ifndef STROKE_EXPLAIN_H_
#define STROKE_EXPLAIN_H_

#include <string>
#include <vector>

#include "stroke/ensemble.h"
#include "stroke/export.h"
#include "stroke/span.h"

namespace stroke {

class Model;

struct STROKE_EXPORT InputContribution {
  std::string name;      // the input field, or the derived feature
  double value = 0;      // the summed contributions
  bool derived = false;  // a feature reading several inputs, on its own line
};

struct STROKE_EXPORT Explanation {
  int output = 0;              // the explained output (multiclass: the class index)
  std::string label;           // classification: the class label of `output`
  double expected_value = 0;   // the base: the raw score of an average training row
  double raw_score = 0;        // expected_value + sum of contributions
  std::vector<double> contributions;       // one per model feature, in feature order
  std::vector<InputContribution> by_input;  // grouped as described above
};

// Scratch memory for Model::ExplainFeatures, sized for one model (its
// deepest tree and its number of features; see ShapScratch). Create one only
// to explain: the constructor allocates it (and the model's first one builds
// its TreeSHAP tables, see Ensemble::Shap). Reuse it across calls on one
// thread (not shared between threads).
class STROKE_EXPORT ExplainScratch {
 public:
  explicit ExplainScratch(const Model& model);
  // False when the memory could not be allocated (a model with very deep
  // trees and many features, loaded with raised LoadOptions limits).
  bool ok() const { return shap_.ok(); }

 private:
  friend class Model;
  ShapScratch shap_;
};

// Per-feature contributions grouped by input (see the file comment).
STROKE_EXPORT std::vector<InputContribution> GroupByInput(const Model& model, Span<const double> contributions);

}  // namespace stroke

#endif  // STROKE_EXPLAIN_H_
