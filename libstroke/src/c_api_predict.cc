// The C API, part two: predictions and explanations (stroke/c_api.h).
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "c_api_internal.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"

namespace stroke::c_api {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Writes what a prediction is for the C API: class probabilities, or the value.
void WriteOutputs(const Model& model, const Prediction& p, double* out) {
  if (model.task() == Task::kRegression) {
    out[0] = p.value;
    return;
  }
  for (int k = 0; k < p.num_classes; ++k) out[k] = p.probabilities[static_cast<size_t>(k)];
}

// Parses and checks one record into `features`; the error message names each bad field.
Status PrepareJson(const Model& model, std::string_view json, std::span<double> features) {
  StatusOr<Record> record = ParseRecordJson(json);
  if (!record.ok()) return record.status();
  return model.Prepare(*record, features).ToStatus();
}

// The message of every failed row, summed up: "2 of 5 rows failed; row 1: ...".
int FailRows(size_t failed, size_t rows, size_t first_row, const char* first_message) {
  return Fail(STROKE_ERROR_INVALID_INPUT, {std::to_string(failed), " of ", std::to_string(rows),
                                           " rows failed (StrokeGetLastRowError); row ",
                                           std::to_string(first_row), ": ", first_message});
}

// Why prepared row `row` is outside what the trees take, or "" (as Model::Prepare checks).
std::string FeatureRowError(const Model& model, std::span<const double> row) {
  const EnsembleSpec& spec = model.ensemble().spec();
  const bool float32 = spec.split_rule != SplitRule::kLessEqualFloat64;
  for (size_t f = 0; f < row.size(); ++f) {
    const double x = row[f];
    const char* problem = nullptr;
    if (std::isnan(x) && !spec.handles_missing) {
      problem = "\" is missing (NaN) and this model cannot take missing values";
    } else if (std::isinf(x) ||
               (float32 && !std::isnan(x) && !std::isfinite(static_cast<float>(x)))) {
      problem = float32 ? "\" is not a finite float32" : "\" is not a finite number";
    }
    if (problem != nullptr) return "feature \"" + model.program().feature_names()[f] + problem;
  }
  return "";
}

bool ProductFits(size_t a, size_t b) { return b == 0 || a <= SIZE_MAX / b; }

}  // namespace
}  // namespace stroke::c_api

using stroke::Model;
using stroke::c_api::AddRowError;
using stroke::c_api::BufferTooSmall;
using stroke::c_api::Fail;
using stroke::c_api::FailRows;
using stroke::c_api::FailWith;
using stroke::c_api::FeatureRowError;
using stroke::c_api::Guarded;
using stroke::c_api::kNaN;
using stroke::c_api::NullArgument;
using stroke::c_api::NumOutputs;
using stroke::c_api::NumRawOutputs;
using stroke::c_api::PrepareJson;
using stroke::c_api::ProductFits;
using stroke::c_api::WriteOutputs;

extern "C" {

int StrokeModelPredictRecord(const StrokeModel* model, const char* json, size_t length, double* out,
                             size_t out_length) {
  return Guarded([&] {
    constexpr const char* kName = "StrokeModelPredictRecord";
    if (model == nullptr) return NullArgument(kName, "model");
    if (json == nullptr) return NullArgument(kName, "json");
    if (out == nullptr) return NullArgument(kName, "out");
    const Model& m = model->model;
    if (out_length < NumOutputs(m)) return BufferTooSmall(kName, "out", NumOutputs(m), out_length);
    std::vector<double> features(m.num_features());
    const stroke::Status prepared = PrepareJson(m, std::string_view(json, length), features);
    if (!prepared.ok()) return FailWith(prepared);
    WriteOutputs(m, m.PredictFeatures(features), out);
    return STROKE_OK;
  });
}

int StrokeModelPredictBatch(const StrokeModel* model, const char* text, size_t length, double* out,
                            size_t out_length, size_t* n_samples) {
  return Guarded([&] {
    constexpr const char* kName = "StrokeModelPredictBatch";
    if (n_samples == nullptr) return NullArgument(kName, "n_samples");
    *n_samples = 0;
    if (model == nullptr) return NullArgument(kName, "model");
    if (text == nullptr) return NullArgument(kName, "text");
    const Model& m = model->model;
    // One input module and one scoring loop with stroke-predict and stroke-serve.
    auto input = stroke::ReadInput(std::string_view(text, length), {}, m.schema());
    if (!input.ok()) return FailWith(input.status());
    const size_t rows = input->rows.size(), width = NumOutputs(m);
    *n_samples = rows;
    if (out_length < rows * width) return BufferTooSmall(kName, "out", rows * width, out_length);
    if (out == nullptr && rows > 0) return NullArgument(kName, "out");
    const stroke::BatchScore scored = stroke::ScoreRecords(m, input->rows);
    size_t failed = 0, first_failed = 0;
    for (size_t i = 0; i < rows; ++i) {
      const stroke::RowScore& row = scored.rows[i];
      if (row.ok) {
        WriteOutputs(m, row.prediction, out + i * width);
        continue;
      }
      std::fill(out + i * width, out + (i + 1) * width, kNaN);
      if (failed++ == 0) first_failed = i;
      AddRowError(i, stroke::JoinIssues(row.errors));
    }
    return failed == 0 ? STROKE_OK
                       : FailRows(failed, rows, first_failed, StrokeGetLastRowError(first_failed));
  });
}

int StrokeModelPrepareRecord(const StrokeModel* model, const char* json, size_t length,
                             double* features, size_t features_length) {
  return Guarded([&] {
    constexpr const char* kName = "StrokeModelPrepareRecord";
    if (model == nullptr) return NullArgument(kName, "model");
    if (json == nullptr) return NullArgument(kName, "json");
    if (features == nullptr) return NullArgument(kName, "features");
    const Model& m = model->model;
    if (features_length < m.num_features()) {
      return BufferTooSmall(kName, "features", m.num_features(), features_length);
    }
    const stroke::Status prepared = PrepareJson(m, std::string_view(json, length),
                                                std::span<double>(features, m.num_features()));
    return prepared.ok() ? STROKE_OK : FailWith(prepared);
  });
}

int StrokeModelPredictFeatures(const StrokeModel* model, const double* features, size_t n_samples,
                               size_t n_features, int output_kind, double* out, size_t out_length) {
  return Guarded([&] {
    constexpr const char* kName = "StrokeModelPredictFeatures";
    if (model == nullptr) return NullArgument(kName, "model");
    const Model& m = model->model;
    if (n_features != m.num_features()) {
      return Fail(STROKE_ERROR_INVALID_ARGUMENT,
                  {kName, ": n_features is ", std::to_string(n_features), ", the model has ",
                   std::to_string(m.num_features())});
    }
    if (output_kind != STROKE_OUTPUT_PROBABILITY && output_kind != STROKE_OUTPUT_RAW_MARGIN) {
      return Fail(STROKE_ERROR_INVALID_ARGUMENT,
                  {kName, ": output_kind ", std::to_string(output_kind),
                   " is neither STROKE_OUTPUT_PROBABILITY nor STROKE_OUTPUT_RAW_MARGIN"});
    }
    const bool raw = output_kind == STROKE_OUTPUT_RAW_MARGIN;
    const size_t width = raw ? NumRawOutputs(m) : NumOutputs(m);
    if (!ProductFits(n_samples, n_features) || !ProductFits(n_samples, width)) {
      return Fail(STROKE_ERROR_INVALID_ARGUMENT,
                  {kName, ": n_samples ", std::to_string(n_samples), " is too large"});
    }
    if (out_length < n_samples * width)
      return BufferTooSmall(kName, "out", n_samples * width, out_length);
    if (n_samples == 0) return STROKE_OK;
    if (features == nullptr) return NullArgument(kName, "features");
    if (out == nullptr) return NullArgument(kName, "out");
    size_t failed = 0, first_failed = 0;
    std::array<double, stroke::kMaxOutputs> margins;
    for (size_t i = 0; i < n_samples; ++i) {
      const std::span<const double> row(features + i * n_features, n_features);
      double* written = out + i * width;
      if (std::string problem = FeatureRowError(m, row); !problem.empty()) {
        std::fill(written, written + width, kNaN);
        if (failed++ == 0) first_failed = i;
        AddRowError(i, std::move(problem));
      } else if (raw) {
        m.ensemble().PredictRaw(row, std::span<double>(margins).first(width));
        std::copy(margins.begin(), margins.begin() + static_cast<std::ptrdiff_t>(width), written);
      } else {
        WriteOutputs(m, m.PredictFeatures(row), written);
      }
    }
    return failed == 0
               ? STROKE_OK
               : FailRows(failed, n_samples, first_failed, StrokeGetLastRowError(first_failed));
  });
}

int StrokeModelExplainRecord(const StrokeModel* model, const char* json, size_t length,
                             double* contributions, size_t contributions_length,
                             double* expected_values, size_t expected_values_length) {
  return Guarded([&] {
    constexpr const char* kName = "StrokeModelExplainRecord";
    if (model == nullptr) return NullArgument(kName, "model");
    if (json == nullptr) return NullArgument(kName, "json");
    if (contributions == nullptr) return NullArgument(kName, "contributions");
    if (expected_values == nullptr) return NullArgument(kName, "expected_values");
    const Model& m = model->model;
    const size_t outputs = NumRawOutputs(m), width = m.num_features();
    if (contributions_length < outputs * width) {
      return BufferTooSmall(kName, "contributions", outputs * width, contributions_length);
    }
    if (expected_values_length < outputs)
      return BufferTooSmall(kName, "expected_values", outputs, expected_values_length);
    std::vector<double> features(width);
    const stroke::Status prepared = PrepareJson(m, std::string_view(json, length), features);
    if (!prepared.ok()) return FailWith(prepared);
    stroke::ExplainScratch scratch(m);
    if (!scratch.ok()) {
      return Fail(STROKE_ERROR_INTERNAL,
                  {kName, ": not enough memory to explain this model's trees"});
    }
    for (size_t k = 0; k < outputs; ++k) {
      expected_values[k] =
          m.ExplainFeatures(features, static_cast<int>(k),
                            std::span<double>(contributions + k * width, width), scratch);
    }
    return STROKE_OK;
  });
}

}  // extern "C"
