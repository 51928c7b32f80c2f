// The scoring loops behind the Python module: plain C++ over prepared feature
// rows, run with the GIL released. Records go through Model::Prepare (the
// schema and the feature program), prepared features through the same
// domain check Prepare applies; then the Model / Ensemble batch calls score
// them - the evaluator stroke-predict and stroke-serve use. Each step splits
// its rows over BatchOptions::threads threads (src/row_chunks.h: contiguous
// pieces the threads take in turn, at least min_rows_per_thread rows a
// thread), with the same answers, in
// the same row order, whatever the number of threads.
//
//   Batch batch = PrepareRecords(model, source, {}, {});   // no GIL needed
//   if (batch.errors.empty()) Probabilities(model, batch, {}, out);
#ifndef STROKE_PYTHON_BATCH_H_
#define STROKE_PYTHON_BATCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "record_source.h"
#include "stroke/model.h"

namespace stroke::python {

// One problem of one row of a batch (row: 0-based position in the input).
struct RowIssue {
  size_t row = 0;
  Issue issue;
};

// Prepared feature rows: row i at features[i * num_features]. A failed row
// (ok[i] == 0) holds zeros and its errors are in `errors`.
struct Batch {
  size_t rows = 0;
  std::vector<double> features;
  std::vector<uint8_t> ok;
  std::vector<RowIssue> errors;  // every error of every failed row, in row order
};

// Checks and prepares every record of `source` (Model::Prepare).
Batch PrepareRecords(const Model& model, const RecordSource& source, const CheckOptions& options,
                     const BatchOptions& threads);

// Copies n prepared rows (n x num_features, row-major) and checks them as
// Prepare checks what it writes: NaN only where the trees route missing
// values, no infinity, finite as a float32 where the trees compare float32.
Batch CheckFeatures(const Model& model, const double* rows, size_t n);

// The outputs below write every row; a failed row gets NaN.

// n x num_classes class probabilities (Model::PredictProbaBatch, written in
// place). std::runtime_error for a regression model (callers check first).
void Probabilities(const Model& model, const Batch& batch, const BatchOptions& options, double* out);
// n class indices (-1 for a failed row) for classification, n values for
// regression; options.threshold overrides the bundle's (binary).
void Classes(const Model& model, const Batch& batch, const BatchOptions& options, int64_t* classes, double* values);
// n x num_outputs raw accumulators (Ensemble::PredictRawBatch): logits, margins, a forest's averages.
void RawMargins(const Model& model, const Batch& batch, const BatchOptions& options, double* out);

// TreeSHAP of every raw output: contributions n x num_outputs x num_features,
// grouped by input into n x num_outputs x groups.size() (GroupByInput's
// grouping: feature i adds to group feature_group[i]). std::runtime_error
// when a thread's scratch memory cannot be allocated (very deep trees).
void Contributions(const Model& model, const Batch& batch, const BatchOptions& options,
                   const std::vector<size_t>& feature_group, size_t num_groups, double* contributions,
                   double* by_input);

// The input groups of GroupByInput (names and derived flags, in its order) and
// the group of each feature.
struct InputGroups {
  std::vector<InputContribution> groups;
  std::vector<size_t> feature_group;
};
InputGroups GroupsOf(const Model& model);

}  // namespace stroke::python

#endif  // STROKE_PYTHON_BATCH_H_
