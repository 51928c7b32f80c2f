// The methods of the Python class stroke.Model: read X (GIL held), prepare
// and score it with the GIL released (batch.h), return numpy arrays. The
// docstrings that state each contract are in stroke_module.cc.
#ifndef STROKE_PYTHON_MODEL_METHODS_H_
#define STROKE_PYTHON_MODEL_METHODS_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "stroke/model.h"

namespace stroke::python {

namespace py = pybind11;

// How a call checks records, reports rows that fail, and spreads its rows over threads.
struct CallOptions {
  bool return_errors = false;  // errors="return": (result, errors) with NaN rows; "raise": InvalidInput
  CheckOptions check;
  BatchOptions batch;  // threads (from threads= or n_jobs=); threshold unset (predict passes its own)
};
// ValueError unless errors is "raise" or "return"; threads and n_jobs as
// ThreadCount reads them.
CallOptions MakeCallOptions(const std::string& errors, bool allow_unknown_fields, py::handle threads = py::none(),
                            py::handle n_jobs = py::none());

// The threads of a call from its threads= or n_jobs= keyword (one of them at
// most: TypeError for both), as joblib (scikit-learn's n_jobs) reads n_jobs:
// None is 1, a positive count is that many threads, a negative n is
// cpus + 1 + n and at least 1 (-1 every CPU, -2 all but one; -3 on two CPUs
// one); ValueError for 0. Any Python integer (int, numpy's) of any size: a
// count beyond INT_MAX is INT_MAX (a batch starts at most one thread per
// BatchOptions::min_rows_per_thread rows anyway). TypeError for anything
// else, a bool included (threads=True is not a count).
int ThreadCount(py::handle threads, py::handle n_jobs);

// What Model.explain returns.
struct ExplainResult {
  py::array contributions;   // (n_samples, n_outputs, n_features) float64
  py::array expected_value;  // (n_outputs,) float64
  py::array raw_margin;      // (n_samples, n_outputs) float64
  py::array by_input;        // (n_samples, n_outputs, len(input_names)) float64
  py::list feature_names;    // n_features str
  py::list input_names;      // the groups of by_input: input fields, then derived features
};

// Each returns its result, or with errors="return" the tuple (result, errors).
py::object PredictProba(const Model& model, py::handle x, const CallOptions& options);
py::object Predict(const Model& model, py::handle x, std::optional<double> threshold, const CallOptions& options);
py::object PredictRaw(const Model& model, py::handle x, const CallOptions& options);
py::object Explain(const Model& model, py::handle x, const CallOptions& options);
py::object Prepare(const Model& model, py::handle x, const CallOptions& options);
// `output`: "class" (as predict), "probability" (as predict_proba) or "raw_margin" (as predict_raw).
py::object PredictFeatures(const Model& model, py::handle features, const std::string& output,
                           std::optional<double> threshold, const CallOptions& options);

// The class labels as a numpy str array (classification), else None.
py::object ClassLabels(const Model& model);

}  // namespace stroke::python

#endif  // STROKE_PYTHON_MODEL_METHODS_H_
