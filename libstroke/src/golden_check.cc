#include "stroke/golden_check.h"

#include <fmt/format.h>

#include <cmath>

namespace stroke {

double GoldenTolerance(const Model& model) {
  if (model.task() != Task::kMulticlassClassification) return 0;
  const EnsembleSpec& spec = model.ensemble().spec();
  const bool softmax = spec.link == LinkFunction::kSoftmax || spec.link == LinkFunction::kSoftmaxLogSumExp;
  if (!softmax) return 0;
  return spec.precision == Precision::kFloat32 ? std::ldexp(1.0, -22) : 1e-14;
}

StatusOr<size_t> CheckGoldenRows(const Model& model) {
  const double tolerance = GoldenTolerance(model);
  const std::vector<GoldenRow>& rows = model.golden_rows();
  for (size_t i = 0; i < rows.size(); ++i) {
    const GoldenRow& golden = rows[i];
    StatusOr<RecordPrediction> answer = model.Predict(golden.inputs);
    if (!answer.ok()) return CorruptBundleError(fmt::format("golden[{}]: refused: {}", i, answer.status().message()));
    auto differs = [&](const char* what, double ours, double recorded) -> Status {
      if (std::fabs(ours - recorded) <= tolerance && !std::isnan(ours)) return Status::Ok();
      return CorruptBundleError(fmt::format("golden[{}]: {} {} != recorded {}", i, what, ours, recorded));
    };
    Status status;
    switch (model.task()) {
      case Task::kRegression: status = differs("value", answer->value, golden.value); break;
      case Task::kBinaryClassification: status = differs("probability", answer->probability, golden.probability); break;
      case Task::kMulticlassClassification:
        if (golden.probabilities.size() != static_cast<size_t>(answer->num_classes)) {
          return CorruptBundleError(fmt::format("golden[{}]: {} probabilities recorded, the model has {} classes", i,
                                                golden.probabilities.size(), answer->num_classes));
        }
        for (size_t k = 0; k < golden.probabilities.size() && status.ok(); ++k) {
          status = differs(fmt::format("probability of class {}", k).c_str(), answer->probabilities[k],
                           golden.probabilities[k]);
        }
        break;
    }
    if (!status.ok()) return status;
    if (model.task() != Task::kRegression && answer->prediction != golden.prediction) {
      return CorruptBundleError(
          fmt::format("golden[{}]: class {} != recorded class {}", i, answer->prediction, golden.prediction));
    }
  }
  return rows.size();
}

}  // namespace stroke
