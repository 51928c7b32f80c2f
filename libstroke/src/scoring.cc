#include "stroke/scoring.h"

#include <algorithm>
#include <limits>

#include "emplace_aggregate.h"

namespace stroke {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Rows whose features are prepared and predicted together: the trees are
// read once per chunk (blocked and complete layouts), and the features of a
// chunk stay in cache (kChunkRows x num_features doubles).
constexpr size_t kChunkRows = 512;

// The scoring loop of both ScoreRecords: rows[i] is prepared from its Record,
// or - when prepared - from inputs[i * num_fields ...]; the rows of a chunk
// that pass are predicted in one PredictFeaturesBatch call.
BatchScore ScoreRows(const Model& model, const std::vector<InputRow>& rows, const double* inputs,
                     const ScoreOptions& options) {
  BatchScore out;
  const size_t width = model.num_features(), num_fields = model.schema().fields().size();
  out.num_features = width;
  out.rows.reserve(rows.size());  // answers are appended in place (EmplaceAggregate)
  if (options.keep_features) out.features.assign(rows.size() * width, kNaN);
  std::vector<double> features(kChunkRows * width);
  std::vector<Prediction> predictions(kChunkRows);
  std::vector<CheckResult> checks(kChunkRows);
  for (size_t first = 0; first < rows.size(); first += kChunkRows) {
    const size_t n = std::min(kChunkRows, rows.size() - first);
    for (size_t r = 0; r < n; ++r) {
      const InputRow& row = rows[first + r];
      const Span<double> row_features(features.data() + r * width, width);
      CheckResult& check = checks[r];
      check.errors.clear();
      check.warnings.clear();
      if (!row.record.ok()) {
        check.errors.push_back({"", IssueKind::kParse, row.record.status().message()});
      } else if (row.prepared && inputs != nullptr) {
        check = model.PrepareInputs(Span<const double>(inputs + (first + r) * num_fields, num_fields), row_features);
      } else if (row.prepared) {
        check.errors.push_back({"", IssueKind::kInternal, "a prepared row given without its RecordInput"});
      } else {
        check = model.Prepare(*row.record, row_features, options.check);
      }
      if (row.id_error) {  // first, and the one issue of its field (a model field may be the identifier too)
        std::erase_if(check.errors, [&](const Issue& issue) { return issue.field == row.id_error->field; });
        check.errors.insert(check.errors.begin(), *row.id_error);
      }
      if (!check.ok()) std::fill(row_features.begin(), row_features.end(), 0.0);  // predicted, then dropped
    }
    model.PredictFeaturesBatch(Span<const double>(features.data(), n * width), Span<Prediction>(predictions.data(), n),
                               options.threshold);
    for (size_t r = 0; r < n; ++r) {
      CheckResult& check = checks[r];
      if (!check.ok()) {
        internal::EmplaceAggregate(out.rows, false, RecordPrediction(), std::move(check.errors));
        ++out.failed;
        continue;
      }
      internal::EmplaceAggregate(
          out.rows, true, internal::Built{[&] { return model.Labelled(predictions[r], std::move(check.warnings)); }},
          std::vector<Issue>());
      if (options.keep_features) std::copy_n(features.data() + r * width, width, out.features.data() + (first + r) * width);
    }
  }
  return out;
}

}  // namespace

BatchScore ScoreRecords(const Model& model, const std::vector<InputRow>& rows, const ScoreOptions& options) {
  return ScoreRows(model, rows, nullptr, options);
}

BatchScore ScoreRecords(const Model& model, const RecordInput& input, const ScoreOptions& options) {
  if (input.prepared_with && *input.prepared_with != options.check) {
    // Rows prepared under other checks would answer differently: refuse them
    // (a caller's bug), each with a kInternal error; the others are scored.
    return ScoreRows(model, input.rows, nullptr, options);
  }
  return ScoreRows(model, input.rows, input.inputs.empty() ? nullptr : input.inputs.data(), options);
}

}  // namespace stroke
