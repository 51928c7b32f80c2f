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

// How a call checks records and reports rows that fail.
struct CallOptions {
  bool return_errors = false;  // errors="return": (result, errors) with NaN rows; "raise": InvalidInput
  CheckOptions check;
};
// ValueError unless errors is "raise" or "return".
CallOptions MakeCallOptions(const std::string& errors, bool allow_unknown_fields);

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
