#include "stroke/model.h"

#include <algorithm>
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

const char* TaskName(Task task) {
  switch (task) {
    case Task::kBinaryClassification: return "binary_classification";
    case Task::kMulticlassClassification: return "multiclass_classification";
    case Task::kRegression: return "regression";
  }
  return "?";
}

const FeatureDistribution* Model::distribution(std::string_view name) const {
  for (const FeatureDistribution& d : distributions_) {
    if (d.feature == name) return &d;
  }
  return nullptr;
}

int Model::num_classes() const { return static_cast<int>(info_.class_labels.size()); }

CheckResult Model::Prepare(const Record& record, Span<double> features,
                           const CheckOptions& options) const {
  CheckResult result;
  if (features.size() != num_features()) {
    result.errors.push_back({"", IssueKind::kInternal, "feature buffer has the wrong size"});
    return result;
  }
  // Checked inputs live on the stack for usual schemas: no allocation per record.
  constexpr size_t kStackInputs = 64;
  double stack_inputs[kStackInputs];
  std::vector<double> heap_inputs;
  const size_t n = schema_.fields().size();
  if (n > kStackInputs) heap_inputs.resize(n);
  const Span<double> inputs = n > kStackInputs ? Span<double>(heap_inputs)
                                                    : Span<double>(stack_inputs, n);
  if (!schema_.Check(record, inputs, &result, options)) return result;
  Status evaluated = program_.Evaluate(inputs, features, domain_);
  if (!evaluated.ok()) result.errors.push_back({"", IssueKind::kFeatureNotFinite, evaluated.message()});
  return result;
}

Prediction Model::PredictFeatures(Span<const double> features,
                                  std::optional<double> threshold) const {
  std::array<double, kMaxOutputs> raw;
  ensemble_.PredictRaw(features, raw);
  return FromRaw(raw.data(), threshold);
}

Prediction Model::FromRaw(const double* raw_accumulators, std::optional<double> threshold) const {
  const Span<const double> raw(raw_accumulators, static_cast<size_t>(ensemble_.num_outputs()));
  std::array<double, kMaxOutputs> out;
  ensemble_.Link(raw, out);
  Prediction p;
  switch (info_.task) {
    case Task::kRegression:
      p.value = out[0];
      p.raw_margin = raw[0];
      return p;
    case Task::kBinaryClassification: {
      p.num_classes = 2;
      const bool forest = ensemble_.num_outputs() == 2;  // class probabilities, not a logit
      p.probability = forest ? out[1] : out[0];
      p.raw_margin = forest ? raw[1] : raw[0];
      p.probabilities[0] = forest ? out[0] : 1.0 - out[0];
      p.probabilities[1] = p.probability;
      p.prediction = p.probability > threshold.value_or(info_.threshold) ? 1 : 0;
      p.value = p.probability;
      return p;
    }
    case Task::kMulticlassClassification: {
      p.num_classes = ensemble_.num_outputs();
      for (int k = 0; k < p.num_classes; ++k) {
        p.probabilities[k] = out[k];
        if (out[k] > out[p.prediction]) p.prediction = k;  // first maximum, as numpy's argmax
      }
      p.probability = out[p.prediction];
      p.raw_margin = raw[p.prediction];
      p.value = p.probability;
      return p;
    }
  }
  return p;
}

void Model::PredictFeaturesBatch(Span<const double> rows, Span<Prediction> out,
                                 std::optional<double> threshold) const {
  // Rows in chunks whose raw accumulators fit on the stack.
  constexpr size_t kChunk = 64;
  std::array<double, kChunk * kMaxOutputs> raw;
  const size_t width = num_features(), k = static_cast<size_t>(ensemble_.num_outputs());
  for (size_t first = 0; first < out.size(); first += kChunk) {
    const size_t n = std::min(kChunk, out.size() - first);
    ensemble_.PredictRawBatch(rows.subspan(first * width, n * width), n, raw);
    for (size_t r = 0; r < n; ++r) out[first + r] = FromRaw(&raw[r * k], threshold);
  }
}

StatusOr<RecordPrediction> Model::Predict(const Record& record,
                                          const PredictOptions& options) const {
  std::vector<double> features(num_features());
  CheckResult check = Prepare(record, features, options.check);
  if (!check.ok()) return check.ToStatus();
  return PredictPrepared(features, std::move(check.warnings), options.threshold);
}

RecordPrediction Model::PredictPrepared(Span<const double> features, std::vector<Issue> warnings,
                                        std::optional<double> threshold) const {
  RecordPrediction answer;
  static_cast<Prediction&>(answer) = PredictFeatures(features, threshold);
  if (info_.task != Task::kRegression) answer.label = info_.class_labels[answer.prediction];
  answer.warnings = std::move(warnings);
  return answer;
}

}  // namespace stroke
