#include "stroke/model.h"

#include <vector>

namespace stroke {

const char* OutputKindName(OutputKind kind) {
  switch (kind) {
    case OutputKind::kRawMargin: return "raw_margin";
    case OutputKind::kProbability: return "probability";
    case OutputKind::kClass: return "class";
  }
  return "?";
}

CheckResult Model::Prepare(const Record& record, std::span<float> features,
                           const CheckOptions& options) const {
  CheckResult result;
  if (features.size() != num_features()) {
    result.errors.push_back({"", "internal", "feature buffer has the wrong size"});
    return result;
  }
  // Checked inputs live on the stack for usual schemas: no allocation per record.
  constexpr size_t kStackInputs = 64;
  double stack_inputs[kStackInputs];
  std::vector<double> heap_inputs;
  const size_t n = schema_.fields().size();
  if (n > kStackInputs) heap_inputs.resize(n);
  const std::span<double> inputs = n > kStackInputs ? std::span<double>(heap_inputs)
                                                    : std::span<double>(stack_inputs, n);
  if (!schema_.Check(record, inputs, &result, options)) return result;
  Status evaluated = program_.Evaluate(inputs, features);
  if (!evaluated.ok()) result.errors.push_back({"", "feature_not_finite", evaluated.message()});
  return result;
}

Prediction Model::PredictFeatures(std::span<const float> features,
                                  std::optional<double> threshold) const {
  Prediction p;
  p.raw_margin = ensemble_.PredictRaw(features);
  p.probability = ensemble_.Link(p.raw_margin);
  p.prediction = p.probability > threshold.value_or(info_.threshold) ? 1 : 0;
  return p;
}

void Model::PredictFeaturesBatch(std::span<const float> rows, std::span<Prediction> out,
                                 std::optional<double> threshold) const {
  const size_t width = num_features();
  for (size_t r = 0; r < out.size(); ++r) {
    out[r] = PredictFeatures(rows.subspan(r * width, width), threshold);
  }
}

StatusOr<RecordPrediction> Model::Predict(const Record& record,
                                          const PredictOptions& options) const {
  std::vector<float> features(num_features());
  CheckResult check = Prepare(record, features, options.check);
  if (!check.ok()) return check.ToStatus();
  RecordPrediction answer;
  static_cast<Prediction&>(answer) = PredictFeatures(features, options.threshold);
  answer.label = info_.class_labels[answer.prediction];
  answer.warnings = std::move(check.warnings);
  return answer;
}

}  // namespace stroke
