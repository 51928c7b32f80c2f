#include "model_methods.h"

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "batch.h"
#include "python_errors.h"
#include "record_source.h"
#include "stroke/cpus.h"

namespace stroke::python {
namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

size_t Outputs(const Model& model) { return static_cast<size_t>(model.ensemble().num_outputs()); }

// Fails the call (InvalidInput) unless the caller asked for the errors back.
void RaiseUnlessReturned(const Batch& batch, const CallOptions& options) {
  if (!batch.errors.empty() && !options.return_errors) RaiseInvalidInput(batch.errors, batch.rows);
}

py::object Finish(py::object result, const Batch& batch, const CallOptions& options) {
  if (!options.return_errors) return result;
  return py::make_tuple(std::move(result), ErrorList(batch.errors));
}

// Reads X (GIL held), then validates and prepares every row without the GIL.
Batch ReadRecords(const Model& model, py::handle x, const CallOptions& options) {
  const RecordSource source = RecordSource::FromPython(x, model.schema());
  Batch batch;
  {
    py::gil_scoped_release release;
    batch = PrepareRecords(model, source, options.check, options.batch);
  }
  RaiseUnlessReturned(batch, options);
  return batch;
}

void CheckThreshold(const Model& model, std::optional<double> threshold) {
  if (!threshold) return;
  if (model.task() != Task::kBinaryClassification) {
    throw py::value_error("threshold applies to binary classification only; this model does " +
                          std::string(TaskName(model.task())));
  }
  if (!(*threshold >= 0 && *threshold <= 1)) throw py::value_error("threshold must be in [0, 1]");
}

py::object Score(const Model& model, const Batch& batch, OutputKind kind, std::optional<double> threshold,
                 const CallOptions& options) {
  const size_t n = batch.rows;
  BatchOptions threads = options.batch;
  threads.threshold = threshold;
  switch (kind) {
    case OutputKind::kProbability: {
      if (model.task() == Task::kRegression) {
        throw py::type_error("a regression model has no class probabilities: use predict");
      }
      py::array_t<double> out({n, static_cast<size_t>(model.num_classes())});
      double* data = out.mutable_data();
      {
        py::gil_scoped_release release;
        Probabilities(model, batch, threads, data);
      }
      return out;
    }
    case OutputKind::kRawMargin: {
      py::array_t<double> out({n, Outputs(model)});
      double* data = out.mutable_data();
      {
        py::gil_scoped_release release;
        RawMargins(model, batch, threads, data);
      }
      return out;
    }
    case OutputKind::kClass: break;
  }
  CheckThreshold(model, threshold);
  if (model.task() == Task::kRegression) {
    py::array_t<double> values(n);
    double* data = values.mutable_data();
    {
      py::gil_scoped_release release;
      Classes(model, batch, threads, nullptr, data);
    }
    return values;
  }
  py::array_t<int64_t> classes(n);
  {
    int64_t* data = classes.mutable_data();
    py::gil_scoped_release release;
    Classes(model, batch, threads, data, nullptr);
  }
  if (batch.errors.empty()) return ClassLabels(model).attr("take")(classes);
  // Failed rows (errors="return") get None, in an object array.
  py::module_ numpy = py::module_::import("numpy");
  py::object labels = ClassLabels(model).attr("astype")("object").attr("take")(numpy.attr("maximum")(classes, 0));
  labels.attr("__setitem__")(numpy.attr("less")(classes, 0), py::none());
  return labels;
}

}  // namespace

CallOptions MakeCallOptions(const std::string& errors, bool allow_unknown_fields, py::handle threads, py::handle n_jobs) {
  if (errors != "raise" && errors != "return") {
    throw py::value_error("errors must be \"raise\" or \"return\", got \"" + errors + "\"");
  }
  CallOptions options;
  options.return_errors = errors == "return";
  options.check.allow_unknown_fields = allow_unknown_fields;
  options.batch.threads = ThreadCount(threads, n_jobs);
  return options;
}

namespace {

// A threads= or n_jobs= value: an integer (int or numpy's, any size, held
// in int64 with saturation), not a bool; TypeError naming the keyword else.
int64_t ThreadsValue(py::handle value, const char* name) {
  // numpy's bool_ has __index__ (deprecated): a bool all the same.
  const std::string type_name = py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>();
  const auto not_an_integer = [&] {
    return py::type_error(fmt::format("{} must be an integer (a number of threads, or -1 for every CPU), got {} ({})",
                                      name, py::repr(value).cast<std::string>().substr(0, 40), type_name));
  };
  if (PyBool_Check(value.ptr()) || type_name == "bool_" || !PyIndex_Check(value.ptr())) throw not_an_integer();
  // An __index__ that refuses (a numpy array of more than one value, say) is not an integer either.
  const py::int_ n = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
  if (!n) {
    PyErr_Clear();
    throw not_an_integer();
  }
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(n.ptr(), &overflow);
  if (overflow != 0) return overflow > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return v;
}

}  // namespace

int ThreadCount(py::handle threads, py::handle n_jobs) {
  if (!threads.is_none() && !n_jobs.is_none()) throw py::type_error("give threads or n_jobs (the same setting), not both");
  const char* name = !threads.is_none() ? "threads" : "n_jobs";
  const py::handle given = !threads.is_none() ? threads : n_jobs;
  if (given.is_none()) return 1;
  const int64_t n = ThreadsValue(given, name);
  if (n > 0) return static_cast<int>(std::min<int64_t>(n, std::numeric_limits<int>::max()));
  if (n == 0) {
    throw py::value_error(fmt::format("{}=0 has no meaning: give a positive number of threads, or -1 (every CPU), "
                                      "-2 (all but one), ... as joblib's n_jobs", name));
  }
  const int64_t cpus = AvailableCpus();  // as joblib's cpu_count: affinity and cgroup quota
  return static_cast<int>(std::max<int64_t>(cpus + 1 + n, 1));  // joblib's effective_n_jobs: at least one
}

py::object ClassLabels(const Model& model) {
  if (model.task() == Task::kRegression) return py::none();
  return py::module_::import("numpy").attr("array")(py::cast(model.info().class_labels));
}

py::object PredictProba(const Model& model, py::handle x, const CallOptions& options) {
  if (model.task() == Task::kRegression) {
    throw py::type_error("a regression model has no class probabilities: use predict");
  }
  const Batch batch = ReadRecords(model, x, options);
  return Finish(Score(model, batch, OutputKind::kProbability, std::nullopt, options), batch, options);
}

py::object Predict(const Model& model, py::handle x, std::optional<double> threshold, const CallOptions& options) {
  CheckThreshold(model, threshold);
  const Batch batch = ReadRecords(model, x, options);
  return Finish(Score(model, batch, OutputKind::kClass, threshold, options), batch, options);
}

py::object PredictRaw(const Model& model, py::handle x, const CallOptions& options) {
  const Batch batch = ReadRecords(model, x, options);
  return Finish(Score(model, batch, OutputKind::kRawMargin, std::nullopt, options), batch, options);
}

py::object Prepare(const Model& model, py::handle x, const CallOptions& options) {
  const Batch batch = ReadRecords(model, x, options);
  const size_t width = model.num_features();
  py::array_t<double> out({batch.rows, width});
  double* data = out.mutable_data();
  std::copy(batch.features.begin(), batch.features.end(), data);
  for (size_t i = 0; i < batch.rows; ++i) {
    if (!batch.ok[i]) std::fill(data + i * width, data + (i + 1) * width, std::numeric_limits<double>::quiet_NaN());
  }
  return Finish(std::move(out), batch, options);
}

py::object Explain(const Model& model, py::handle x, const CallOptions& options) {
  const Batch batch = ReadRecords(model, x, options);
  const size_t n = batch.rows, k = Outputs(model), width = model.num_features();
  const InputGroups groups = GroupsOf(model);
  ExplainResult result;
  py::array_t<double> contributions({n, k, width}), by_input({n, k, groups.groups.size()}), raw({n, k}), expected(k);
  for (size_t output = 0; output < k; ++output) {
    expected.mutable_at(output) = model.ensemble().ExpectedValue(static_cast<int>(output));
  }
  {
    double *phi = contributions.mutable_data(), *grouped = by_input.mutable_data(), *margins = raw.mutable_data();
    py::gil_scoped_release release;
    Contributions(model, batch, options.batch, groups.feature_group, groups.groups.size(), phi, grouped);
    RawMargins(model, batch, options.batch, margins);
  }
  result.contributions = std::move(contributions);
  result.expected_value = std::move(expected);
  result.raw_margin = std::move(raw);
  result.by_input = std::move(by_input);
  result.feature_names = py::cast(model.program().feature_names());
  for (const InputContribution& group : groups.groups) result.input_names.append(group.name);
  return Finish(py::cast(std::move(result)), batch, options);
}

py::object PredictFeatures(const Model& model, py::handle features, const std::string& output,
                           std::optional<double> threshold, const CallOptions& options) {
  OutputKind kind = OutputKind::kClass;
  if (output == OutputKindName(OutputKind::kProbability)) kind = OutputKind::kProbability;
  else if (output == OutputKindName(OutputKind::kRawMargin)) kind = OutputKind::kRawMargin;
  else if (output != OutputKindName(OutputKind::kClass)) {
    throw py::value_error("output must be \"class\", \"probability\" or \"raw_margin\", got \"" + output + "\"");
  }
  const Doubles rows = Doubles::ensure(features);
  if (!rows) throw py::error_already_set();
  const size_t width = model.num_features();
  if (rows.ndim() != 2 || static_cast<size_t>(rows.shape(1)) != width) {
    throw py::value_error(fmt::format("F must have shape (n_samples, {}) (the model's features), got {}", width,
                                      py::repr(py::getattr(rows, "shape")).cast<std::string>()));
  }
  Batch batch;
  {
    const double* data = rows.data();
    const auto n = static_cast<size_t>(rows.shape(0));
    py::gil_scoped_release release;
    batch = CheckFeatures(model, data, n);
  }
  RaiseUnlessReturned(batch, options);
  return Finish(Score(model, batch, kind, threshold, options), batch, options);
}

}  // namespace stroke::python
