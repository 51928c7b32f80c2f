// stroke._stroke: the Python module over libstroke (python/stroke/__init__.py
// re-exports it as `stroke`). One class, Model, with the interface a
// scikit-learn user knows; the docstrings below are its contract.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
// After Python.h, which must come first.
#include <fmt/format.h>

#include <filesystem>

#include "model_json.h"
#include "model_methods.h"
#include "python_errors.h"
#include "record_source.h"

namespace stroke::python {
namespace {

constexpr char kModuleDoc[] = R"(Predictions from a libstroke model bundle, bit-identical to the training library.

    model = stroke.Model.load("models/stroke.bundle.json")
    proba = model.predict_proba(df)      # (n_samples, n_classes) float64
    labels = model.predict(df)           # class labels (str), or values for regression

X is a pandas DataFrame (one column per input field) or a list of dicts
(field -> value) of raw inputs, validated by the bundle's schema and prepared
by its feature program - the same C++ code stroke-predict and stroke-serve run.
Bad rows raise InvalidInput with every error; errors="return" scores the others.
Every method releases the GIL while it scores; a Model is immutable and may be
shared between threads.)";

constexpr char kXDoc[] = R"(
X : pandas.DataFrame or list of dict
    Raw inputs, one row per record. DataFrame columns (or dict keys) are the
    input fields (see `schema`). Values: numbers (int/float), bool, str or a
    pandas Categorical; None, NaN, pandas.NA and NaT are null (accepted where
    the field is nullable, else an error naming row and field).
errors : "raise" (default) or "return"
    "raise": any bad row raises InvalidInput (ValueError subclass) whose
    `errors` lists every problem as {"row", "field", "type", "message"}.
    "return": the call returns (result, errors) instead; rows with errors
    are NaN in float results and None in label arrays.
allow_unknown_fields : bool, default False
    Ignore columns/keys the model does not read (default: an error per row).
threads : int, optional (default 1); n_jobs : the same, in scikit-learn's name
    Threads that prepare and score X (give one of the two): 1 scores on the
    calling thread; 2 or more split the rows into contiguous chunks of at least
    4096 rows, one a thread (smaller X use fewer threads: starting a thread
    costs more than it saves); a negative n uses cpus + 1 + n threads, at
    least one (-1 every CPU, -2 all but one), as joblib reads scikit-learn's
    n_jobs. Any integer (Python's or numpy's, of any size: more threads than
    chunks start no more). The answers, errors and their order are the same
    whatever the count. TypeError for both, or for a value that is not an
    integer (a bool or a float included); ValueError for 0.
)";

// The threads= and n_jobs= keywords of every batch method (ThreadCount).
py::arg_v ThreadsArg() { return py::arg("threads") = py::none(); }
py::arg_v NJobsArg() { return py::arg("n_jobs") = py::none(); }

std::string Doc(const char* head, const char* tail) { return std::string(head) + kXDoc + tail; }

py::object Info(const Model& model) {
  py::object info = py::module_::import("json").attr("loads")(apps::JsonText(apps::ModelInfoJson(model)));
  info["layout"] = model.ensemble().layout();
  return info;
}

void BindExplanation(py::module_& m) {
  py::class_<ExplainResult>(m, "Explanation", R"(What Model.explain returns: exact TreeSHAP per raw output.

For every row i and raw output k (the columns of predict_raw):
expected_value[k] + contributions[i, k, :].sum() == raw_margin[i, k] (to rounding).
Binary gradient boosting has one output, the log-odds of class 1; multiclass one
per class (log-odds before the softmax); forests their averaged class probabilities
(a binary forest: two outputs; column 1 is what stroke-predict --explain shows);
regression the value.)")
      .def_readonly("contributions", &ExplainResult::contributions,
                    "numpy.ndarray (n_samples, n_outputs, n_features) float64: each model feature's "
                    "contribution, in raw-output units; NaN rows for rows with errors")
      .def_readonly("expected_value", &ExplainResult::expected_value,
                    "numpy.ndarray (n_outputs,) float64: the raw output of an average training row")
      .def_readonly("raw_margin", &ExplainResult::raw_margin,
                    "numpy.ndarray (n_samples, n_outputs) float64: the raw outputs (as predict_raw)")
      .def_readonly("by_input", &ExplainResult::by_input,
                    "numpy.ndarray (n_samples, n_outputs, len(input_names)) float64: contributions summed "
                    "per input field (a feature reading one field) or derived feature (reading several)")
      .def_readonly("feature_names", &ExplainResult::feature_names, "list of str: the last axis of contributions")
      .def_readonly("input_names", &ExplainResult::input_names, "list of str: the last axis of by_input")
      .def("__repr__", [](const ExplainResult& r) {
        return "<stroke.Explanation contributions " + py::repr(r.contributions.attr("shape")).cast<std::string>() + ">";
      });
}

// Model.load's keyword limits: each a LoadOptions field (stroke/load_options.h).
LoadOptions LoadOptionsFrom(const py::kwargs& limits) {
  static const std::pair<const char*, size_t LoadOptions::*> kFields[] = {
      {"max_tree_depth", &LoadOptions::max_tree_depth},
      {"max_tree_nodes", &LoadOptions::max_tree_nodes},
      {"max_total_nodes", &LoadOptions::max_total_nodes},
      {"max_trees", &LoadOptions::max_trees},
      {"max_features", &LoadOptions::max_features},
      {"max_input_fields", &LoadOptions::max_input_fields},
      {"max_categories", &LoadOptions::max_categories},
      {"max_feature_operations", &LoadOptions::max_feature_operations},
      {"max_golden_rows", &LoadOptions::max_golden_rows},
      {"max_bundle_bytes", &LoadOptions::max_bundle_bytes}};
  LoadOptions options;
  for (const auto& [key, value] : limits) {
    const std::string name = py::str(key);
    bool known = false;
    for (const auto& [field, member] : kFields) {
      if (name != field) continue;
      known = true;
      options.*member = value.cast<size_t>();
    }
    if (!known) throw py::type_error("Model.load() got an unexpected keyword argument '" + name + "'");
  }
  return options;
}

void BindModel(py::module_& m) {
  py::class_<Model> model(m, "Model", R"(A loaded libstroke bundle: schema, feature program, tree ensemble, metadata.

Immutable and thread-safe. Create it with Model.load(path) or Model.from_json(text).)");
  model
      .def_static("load", [](const std::filesystem::path& path, const py::kwargs& limits) {
        std::error_code ignored;
        if (std::filesystem::is_directory(path, ignored)) {  // an ifstream would read it as empty text
          RaiseLoadError(IoError("bundle \"" + path.string() + "\" is a directory"), path.string());
        }
        StatusOr<Model> loaded = Model::Load(path.string(), LoadOptionsFrom(limits));
        if (!loaded.ok()) RaiseLoadError(loaded.status(), path.string());
        return std::move(*loaded);
      }, py::arg("path"), R"(Reads and validates a bundle file (str or os.PathLike).

Keyword limits raise what a bundle may ask for (stroke/load_options.h,
docs/bundle-format.md#limits): max_tree_depth (default 1024), max_tree_nodes,
max_total_nodes, max_trees, max_features, max_input_fields, max_categories,
max_feature_operations, max_golden_rows, max_bundle_bytes; each a non-negative int.

Raises BundleError (ValueError subclass; libstroke's message, starting with the
file and the JSON path of the problem) for a corrupt bundle or one past a limit,
OSError (FileNotFoundError, PermissionError, ...) for a file that cannot be
read, TypeError for an unknown keyword.)")
      .def_static("from_json", [](std::string_view text) {
        StatusOr<Model> loaded = Model::FromJson(text);
        if (!loaded.ok()) RaiseLoadError(loaded.status(), "");
        return std::move(*loaded);
      }, py::arg("text"), "Loads a bundle from its JSON text (str or bytes). Raises BundleError.")
      .def("predict_proba", [](const Model& self, py::object x, const std::string& errors, bool unknown,
                              py::object threads, py::object n_jobs) {
        return PredictProba(self, x, MakeCallOptions(errors, unknown, threads, n_jobs));
      }, py::arg("X"), py::kw_only(), py::arg("errors") = "raise", py::arg("allow_unknown_fields") = false,
         ThreadsArg(), NJobsArg(),
         Doc("Class probabilities, as scikit-learn's predict_proba.\n\nParameters\n----------", R"(
Returns
-------
numpy.ndarray (n_samples, n_classes) float64, columns in classes_ order, each row
summing to 1. Binary: [1 - p, p] with p = P(classes_[1]) exactly as stroke-predict
reports it. Raises InvalidInput; TypeError for a regression model or a bad X.)").c_str())
      .def("predict", [](const Model& self, py::object x, std::optional<double> threshold, const std::string& errors,
                         bool unknown, py::object threads, py::object n_jobs) {
        return Predict(self, x, threshold, MakeCallOptions(errors, unknown, threads, n_jobs));
      },
           py::arg("X"), py::kw_only(), py::arg("threshold") = py::none(), py::arg("errors") = "raise",
           py::arg("allow_unknown_fields") = false, ThreadsArg(), NJobsArg(),
           Doc("Predicted class labels, or values for regression.\n\nParameters\n----------", R"(threshold : float in [0, 1], optional (binary only)
    classes_[1] when P(classes_[1]) > threshold; default: the bundle's (info["threshold"]).

Returns
-------
numpy.ndarray (n_samples,): classification: labels from classes_ (str dtype;
object dtype with None for failed rows under errors="return"); regression:
float64 values in the target's units. Raises InvalidInput, ValueError for a bad threshold.)").c_str())
      .def("predict_raw", [](const Model& self, py::object x, const std::string& errors, bool unknown,
                              py::object threads, py::object n_jobs) {
        return PredictRaw(self, x, MakeCallOptions(errors, unknown, threads, n_jobs));
      }, py::arg("X"), py::kw_only(), py::arg("errors") = "raise", py::arg("allow_unknown_fields") = false,
         ThreadsArg(), NJobsArg(),
         Doc("Raw outputs before the link function.\n\nParameters\n----------", R"(
Returns
-------
numpy.ndarray (n_samples, n_outputs) float64: gradient boosting's margins (binary:
one column, the log-odds of classes_[1]; multiclass: one per class, before the
softmax), a forest's averaged class probabilities, regression's value.)").c_str())
      .def("explain", [](const Model& self, py::object x, const std::string& errors, bool unknown,
                              py::object threads, py::object n_jobs) {
        return Explain(self, x, MakeCallOptions(errors, unknown, threads, n_jobs));
      }, py::arg("X"), py::kw_only(), py::arg("errors") = "raise", py::arg("allow_unknown_fields") = false,
         ThreadsArg(), NJobsArg(),
         Doc("Exact TreeSHAP contributions of every feature to every raw output.\n\nParameters\n----------", R"(
Returns
-------
Explanation with contributions (n_samples, n_outputs, n_features), expected_value
(n_outputs,), raw_margin (n_samples, n_outputs), by_input (n_samples, n_outputs,
n_groups), feature_names, input_names; all float64 arrays.)").c_str())
      .def("prepare", [](const Model& self, py::object x, const std::string& errors, bool unknown,
                              py::object threads, py::object n_jobs) {
        return Prepare(self, x, MakeCallOptions(errors, unknown, threads, n_jobs));
      }, py::arg("X"), py::kw_only(), py::arg("errors") = "raise", py::arg("allow_unknown_fields") = false,
         ThreadsArg(), NJobsArg(),
         Doc("The model's feature vectors of X (schema check + feature program).\n\nParameters\n----------", R"(
Returns
-------
numpy.ndarray (n_samples, n_features) float64, columns in feature_names order
(NaN: a missing value the trees route); the input of predict_features.)").c_str())
      .def("predict_features", [](const Model& self, py::object f, const std::string& output,
                                  std::optional<double> threshold, const std::string& errors,
                                  py::object threads, py::object n_jobs) {
        return PredictFeatures(self, f, output, threshold, MakeCallOptions(errors, false, threads, n_jobs));
      }, py::arg("F"), py::kw_only(), py::arg("output") = "class", py::arg("threshold") = py::none(),
         py::arg("errors") = "raise", ThreadsArg(), NJobsArg(), R"(Predictions from prepared feature vectors (what prepare returns).

Parameters
----------
F : array-like (n_samples, n_features)
    Converted to C-contiguous float64 if needed; columns in feature_names order.
    NaN is allowed only where the trees route missing values; values must be
    finite (as float32 where the trees compare float32).
output : "class" (as predict), "probability" (as predict_proba) or "raw_margin" (as predict_raw)
threshold, errors
    As in predict; a bad row's errors name the feature (type feature_not_finite).
threads, n_jobs
    As in predict_proba.

Returns
-------
The array the corresponding method returns. Raises InvalidInput, ValueError for a bad shape.)")
      .def_property_readonly("info", &Info, R"(dict: the bundle's metadata - name, version, created, description, library,
estimator, training_data, metrics, task, threshold, class_labels, trees, inputs, features,
layout - as `stroke-predict info --output json` shows it.)")
      .def_property_readonly("schema", [](const Model& self) {
        const py::object info = Info(self);
        return py::object(info["inputs"]);
      },
          R"(list of dict, one per input field: name, type (number, integer, boolean, category),
description, categories, nullable, impute, limits {min, max}, training_range {min, max}.)")
      .def_property_readonly("feature_names", [](const Model& self) { return self.program().feature_names(); },
                             "list of str: the model's features, after the feature program (n_features)")
      .def_property_readonly("feature_names_in_", [](const Model& self) {
        py::list names;
        for (const FieldSpec& f : self.schema().fields()) names.append(f.name);
        return py::module_::import("numpy").attr("array")(names, py::arg("dtype") = "object");
      }, "numpy.ndarray of str (object dtype): the input fields X must have, in schema order")
      .def_property_readonly("n_features_in_", [](const Model& self) { return self.schema().fields().size(); },
                             "int: number of input fields (columns of X), as scikit-learn counts a Pipeline's")
      .def_property_readonly("n_features", &Model::num_features, "int: number of model features (columns of F)")
      .def_property_readonly("n_outputs", [](const Model& self) { return self.ensemble().num_outputs(); },
                             "int: number of raw outputs (columns of predict_raw)")
      .def_property_readonly("classes_", [](const Model& self) {
        if (self.task() == Task::kRegression) throw py::attribute_error("a regression model has no classes_");
        return ClassLabels(self);
      }, "numpy.ndarray of str (n_classes,): class labels, index = class; AttributeError for regression")
      .def_property_readonly("task", [](const Model& self) { return TaskName(self.task()); },
                             "str: binary_classification, multiclass_classification or regression")
      .def("__repr__", [](const Model& self) {
        return fmt::format("<stroke.Model '{}' v{}, {}, {} inputs, {} features, {} trees>", self.info().name,
                           self.info().version, TaskName(self.task()), self.schema().fields().size(),
                           self.num_features(), self.ensemble().num_trees());
      });
}

}  // namespace
}  // namespace stroke::python

PYBIND11_MODULE(_stroke, m) {
  using namespace stroke::python;
  m.doc() = kModuleDoc;
  m.attr("__version__") = STROKE_VERSION;
  ImportNumpyTypes();
  RegisterExceptions(m);
  BindExplanation(m);
  BindModel(m);
}
