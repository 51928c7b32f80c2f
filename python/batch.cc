#include "batch.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <span>
#include <stdexcept>

#include "row_chunks.h"

namespace stroke::python {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::span<const double> RowOf(const Model& model, const Batch& batch, size_t row) {
  const size_t width = model.num_features();
  return std::span<const double>(batch.features).subspan(row * width, width);
}

// Calls f(first, count) for contiguous pieces of the batch's rows, on
// options.threads threads (at least min_rows_per_thread rows a thread) that
// take the pieces in turn (src/row_chunks.h).
template <typename Chunk>
void ForEachChunk(const Batch& batch, const BatchOptions& options, Chunk f) {
  ForEachRowChunk(batch.rows, ThreadsFor(batch.rows, options), f);
}

// Calls write(row, ok, prediction) for every prepared row, scoring each
// thread's rows kBlock at a time (PredictFeaturesBatch's own chunk for two
// outputs: the blocked-trees layout reads a forest once per 256 rows of it).
template <typename Write>
void ForEachPrediction(const Model& model, const Batch& batch, const BatchOptions& options, Write write) {
  constexpr size_t kBlock = 1024;
  const size_t width = model.num_features();
  ForEachChunk(batch, options, [&](size_t first, size_t count) {
    std::vector<Prediction> predictions(std::min(kBlock, count));
    for (size_t at = first; at < first + count; at += kBlock) {
      const size_t n = std::min(kBlock, first + count - at);
      model.PredictFeaturesBatch(std::span<const double>(batch.features).subspan(at * width, n * width),
                                 std::span<Prediction>(predictions).first(n), options.threshold);
      for (size_t r = 0; r < n; ++r) write(at + r, batch.ok[at + r] != 0, predictions[r]);
    }
  });
}

}  // namespace

Batch PrepareRecords(const Model& model, const RecordSource& source, const CheckOptions& options,
                     const BatchOptions& threads) {
  Batch batch;
  const size_t width = model.num_features();
  batch.rows = source.size();
  batch.features.assign(batch.rows * width, 0.0);
  batch.ok.assign(batch.rows, 1);
  std::mutex errors_mutex;
  ForEachChunk(batch, threads, [&](size_t first, size_t count) {
    Record scratch;  // one a thread (RecordSource::Row)
    std::vector<RowIssue> errors;
    for (size_t i = first; i < first + count; ++i) {
      const std::span<double> row = std::span<double>(batch.features).subspan(i * width, width);
      CheckResult check = model.Prepare(source.Row(i, &scratch), row, options);
      if (check.ok()) continue;
      batch.ok[i] = 0;
      std::fill(row.begin(), row.end(), 0.0);
      for (Issue& issue : check.errors) errors.push_back({i, std::move(issue)});
    }
    const std::lock_guard<std::mutex> lock(errors_mutex);
    batch.errors.insert(batch.errors.end(), std::make_move_iterator(errors.begin()),
                        std::make_move_iterator(errors.end()));
  });
  // Back in row order; a row's own errors are in Prepare's order (one thread wrote them together).
  std::stable_sort(batch.errors.begin(), batch.errors.end(),
                   [](const RowIssue& a, const RowIssue& b) { return a.row < b.row; });
  return batch;
}

Batch CheckFeatures(const Model& model, const double* rows, size_t n) {
  const FeatureDomain& domain = model.feature_domain();  // what Model::Prepare checks features against
  const std::vector<std::string>& names = model.program().feature_names();
  const size_t width = model.num_features();
  Batch batch;
  batch.rows = n;
  batch.features.assign(rows, rows + n * width);
  batch.ok.assign(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const std::span<double> row = std::span<double>(batch.features).subspan(i * width, width);
    for (size_t f = 0; f < width; ++f) {
      const char* problem = FeatureValueProblem(row[f], domain);
      if (problem == nullptr) continue;
      batch.ok[i] = 0;
      batch.errors.push_back({i, {names[f], IssueKind::kFeatureNotFinite, problem}});  // shown "<feature>: <problem>"
    }
    if (!batch.ok[i]) std::fill(row.begin(), row.end(), 0.0);
  }
  return batch;
}

void Probabilities(const Model& model, const Batch& batch, const BatchOptions& options, double* out) {
  const auto k = static_cast<size_t>(model.num_classes());
  const size_t width = model.num_features();
  ForEachChunk(batch, options, [&](size_t first, size_t count) {
    const Status status =
        model.PredictProbaBatch(std::span<const double>(batch.features).subspan(first * width, count * width),
                                std::span<double>(out + first * k, count * k));
    if (!status.ok()) throw std::runtime_error(status.ToString());  // a regression model: the caller checks first
    for (size_t i = first; i < first + count; ++i) {
      if (!batch.ok[i]) std::fill(out + i * k, out + (i + 1) * k, kNaN);
    }
  });
}

void Classes(const Model& model, const Batch& batch, const BatchOptions& options, int64_t* classes, double* values) {
  ForEachPrediction(model, batch, options, [&](size_t row, bool ok, const Prediction& p) {
    if (classes != nullptr) classes[row] = ok ? p.prediction : -1;
    if (values != nullptr) values[row] = ok ? p.value : kNaN;
  });
}

void RawMargins(const Model& model, const Batch& batch, const BatchOptions& options, double* out) {
  const auto k = static_cast<size_t>(model.ensemble().num_outputs());
  const size_t width = model.num_features();
  ForEachChunk(batch, options, [&](size_t first, size_t count) {
    model.ensemble().PredictRawBatch(std::span<const double>(batch.features).subspan(first * width, count * width),
                                     count, std::span<double>(out + first * k, count * k));
    for (size_t i = first; i < first + count; ++i) {
      if (!batch.ok[i]) std::fill(out + i * k, out + (i + 1) * k, kNaN);
    }
  });
}

void Contributions(const Model& model, const Batch& batch, const BatchOptions& options,
                   const std::vector<size_t>& feature_group, size_t num_groups, double* contributions,
                   double* by_input) {
  ForEachChunk(batch, options, [&](size_t first, size_t count) {
    const size_t width = model.num_features();
    const auto k = static_cast<size_t>(model.ensemble().num_outputs());
    ExplainScratch scratch(model);  // one a thread
    if (!scratch.ok()) throw std::runtime_error("not enough memory to explain this model's trees (they are very deep)");
    for (size_t i = first; i < first + count; ++i) {
      for (size_t output = 0; output < k; ++output) {
        double* phi = contributions + (i * k + output) * width;
        double* groups = by_input + (i * k + output) * num_groups;
        if (!batch.ok[i]) {
          std::fill(phi, phi + width, kNaN);
          std::fill(groups, groups + num_groups, kNaN);
          continue;
        }
        model.ExplainFeatures(RowOf(model, batch, i), static_cast<int>(output), std::span<double>(phi, width),
                              scratch);
        std::fill(groups, groups + num_groups, 0.0);
        for (size_t f = 0; f < width; ++f) groups[feature_group[f]] += phi[f];  // GroupByInput's order of sums
      }
    }
  });
}

InputGroups GroupsOf(const Model& model) {
  // GroupByInput decides the grouping; read it off once with one unit vector per feature.
  InputGroups out;
  std::vector<double> unit(model.num_features(), 0.0);
  out.groups = GroupByInput(model, unit);
  for (size_t f = 0; f < unit.size(); ++f) {
    unit[f] = 1.0;
    const std::vector<InputContribution> groups = GroupByInput(model, unit);
    unit[f] = 0.0;
    size_t g = 0;
    while (g + 1 < groups.size() && groups[g].value != 1.0) ++g;
    out.feature_group.push_back(g);
  }
  return out;
}

}  // namespace stroke::python
