// The C API, part two: predictions and explanations (stroke/c_api.h).
#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <limits>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "c_api_internal.h"
#include "row_chunks.h"
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

// Why prepared row `row` is outside what the trees take, or "" (FeatureValueProblem).
std::string FeatureRowError(const Model& model, std::span<const double> row) {
  for (size_t f = 0; f < row.size(); ++f) {
    const char* problem = FeatureValueProblem(row[f], model.feature_domain());
    if (problem != nullptr) return "feature \"" + model.program().feature_names()[f] + "\" is " + problem;
  }
  return "";
}

bool ProductFits(size_t a, size_t b) { return b == 0 || a <= SIZE_MAX / b; }

// A failed row of a feature matrix and why (FeatureRowError).
using RowError = std::pair<size_t, std::string>;

// Writes rows [first, first + count) of a feature matrix's answers: `raw`
// margins or probabilities (`width` columns each). A row FeatureRowError
// refuses gets NaN and its (row, message) in *errors; each run of good rows
// between them is scored at once by the batch engine (blocked trees for
// deep forests), which answers bit for bit as the one-row path does.
// Allocates nothing while every row is good.
void ScoreFeatureRows(const Model& m, const double* features, size_t first, size_t count, bool raw, size_t width,
                      double* out, std::vector<RowError>* errors) {
  const size_t n_features = m.num_features();
  auto score_run = [&](size_t begin, size_t end) {
    const size_t n = end - begin;
    const stroke::Span<const double> rows(features + begin * n_features, n * n_features);
    double* written = out + begin * width;
    if (raw) {
      m.ensemble().PredictRawBatch(rows, n, stroke::Span<double>(written, n * width));
    } else if (m.task() != Task::kRegression) {
      const stroke::Status scored = m.PredictProbaBatch(rows, stroke::Span<double>(written, n * width));
      if (!scored.ok()) throw std::logic_error(scored.message());  // NumOutputs is its classes: never
    } else {
      constexpr size_t kChunk = 64;
      std::array<Prediction, kChunk> predictions;
      for (size_t at = 0; at < n; at += kChunk) {
        const size_t k = std::min(kChunk, n - at);
        m.PredictFeaturesBatch(rows.subspan(at * n_features, k * n_features), stroke::Span<Prediction>(predictions.data(), k));
        for (size_t r = 0; r < k; ++r) written[at + r] = predictions[r].value;
      }
    }
  };
  size_t run = first;
  for (size_t i = first; i < first + count; ++i) {
    std::string problem = FeatureRowError(m, std::span<const double>(features + i * n_features, n_features));
    if (problem.empty()) continue;
    if (run < i) score_run(run, i);
    std::fill(out + i * width, out + (i + 1) * width, kNaN);
    errors->emplace_back(i, std::move(problem));
    run = i + 1;
  }
  if (run < first + count) score_run(run, first + count);
}

// StrokeModelPredictFeatures and StrokeModelPredictFeaturesBatch: the
// arguments checked (named for `function`), then the rows scored on up to
// `n_threads` threads (0: AvailableCpus), each failed row's message kept for
// StrokeGetLastRowError in row order.
int PredictFeatureMatrix(const char* function, const StrokeModel* model, const double* features, size_t n_samples,
                         size_t n_features, int output_kind, int n_threads, double* out, size_t out_length) {
  if (model == nullptr) return NullArgument(function, "model");
  const Model& m = model->model;
  if (n_features != m.num_features()) {
    return Fail(STROKE_ERROR_INVALID_ARGUMENT, {function, ": n_features is ", std::to_string(n_features),
                                                ", the model has ", std::to_string(m.num_features())});
  }
  if (output_kind != STROKE_OUTPUT_PROBABILITY && output_kind != STROKE_OUTPUT_RAW_MARGIN) {
    return Fail(STROKE_ERROR_INVALID_ARGUMENT, {function, ": output_kind ", std::to_string(output_kind),
                                                " is neither STROKE_OUTPUT_PROBABILITY nor STROKE_OUTPUT_RAW_MARGIN"});
  }
  if (n_threads < 0) {
    return Fail(STROKE_ERROR_INVALID_ARGUMENT, {function, ": n_threads is ", std::to_string(n_threads),
                                                "; give 1 or more, or 0 for one per CPU"});
  }
  const bool raw = output_kind == STROKE_OUTPUT_RAW_MARGIN;
  const size_t width = raw ? NumRawOutputs(m) : NumOutputs(m);
  if (!ProductFits(n_samples, n_features) || !ProductFits(n_samples, width)) {
    return Fail(STROKE_ERROR_INVALID_ARGUMENT, {function, ": n_samples ", std::to_string(n_samples), " is too large"});
  }
  if (out_length < n_samples * width) return BufferTooSmall(function, "out", n_samples * width, out_length);
  if (n_samples == 0) return STROKE_OK;
  if (features == nullptr) return NullArgument(function, "features");
  if (out == nullptr) return NullArgument(function, "out");
  stroke::BatchOptions options;
  options.threads = n_threads;
  std::vector<RowError> errors;
  std::mutex errors_mutex;
  ForEachRowChunk(n_samples, ThreadsFor(n_samples, options), [&](size_t first, size_t count) {
    std::vector<RowError> piece_errors;
    ScoreFeatureRows(m, features, first, count, raw, width, out, &piece_errors);
    if (piece_errors.empty()) return;
    std::lock_guard<std::mutex> lock(errors_mutex);
    std::move(piece_errors.begin(), piece_errors.end(), std::back_inserter(errors));
  });
  if (errors.empty()) return STROKE_OK;
  std::sort(errors.begin(), errors.end());
  const size_t failed = errors.size(), first_failed = errors.front().first;
  for (RowError& error : errors) AddRowError(error.first, std::move(error.second));
  return FailRows(failed, n_samples, first_failed, StrokeGetLastRowError(first_failed));
}

}  // namespace
}  // namespace stroke::c_api

using stroke::Model;
using stroke::c_api::AddRowError;
using stroke::c_api::BufferTooSmall;
using stroke::c_api::Fail;
using stroke::c_api::FailRows;
using stroke::c_api::FailWith;
using stroke::c_api::Guarded;
using stroke::c_api::kNaN;
using stroke::c_api::NullArgument;
using stroke::c_api::NumOutputs;
using stroke::c_api::NumRawOutputs;
using stroke::c_api::PredictFeatureMatrix;
using stroke::c_api::PrepareJson;
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
    return PredictFeatureMatrix("StrokeModelPredictFeatures", model, features, n_samples, n_features, output_kind,
                                1, out, out_length);
  });
}

int StrokeModelPredictFeaturesBatch(const StrokeModel* model, const double* features, size_t n_samples,
                                    size_t n_features, int output_kind, int n_threads, double* out,
                                    size_t out_length) {
  return Guarded([&] {
    return PredictFeatureMatrix("StrokeModelPredictFeaturesBatch", model, features, n_samples, n_features,
                                output_kind, n_threads, out, out_length);
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
