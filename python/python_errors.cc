#include "python_errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iterator>

namespace stroke::python {
namespace {

PyObject* invalid_input = nullptr;
PyObject* bundle_error = nullptr;

constexpr char kInvalidInputDoc[] =
    "Rows of X that the model's schema or feature program refuses (ValueError subclass).\n\n"
    "Attributes:\n"
    "    errors: list of dict, one per problem, in row order:\n"
    "        {\"row\": int (0-based position in X), \"field\": str (input field or feature;\n"
    "        \"\" for the whole record), \"type\": str (missing, type, category, limit,\n"
    "        unknown_field, not_finite, feature_not_finite), \"message\": str}.\n"
    "    rows: int, the number of rows in X.\n\n"
    "Pass errors=\"return\" to get the valid rows' results and this list instead.";

constexpr char kBundleErrorDoc[] =
    "A bundle that is not valid JSON or not a valid libstroke bundle (ValueError subclass).\n"
    "The message is libstroke's and starts with the JSON path of the problem,\n"
    "e.g. \"ensemble.trees[3].left[5]: child 99 out of range [0, 15)\".";

[[noreturn]] void Raise(py::object instance) {
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(instance.ptr())), instance.ptr());
  throw py::error_already_set();
}

}  // namespace

void RegisterExceptions(py::module_& m) {
  invalid_input = PyErr_NewExceptionWithDoc("stroke.InvalidInput", kInvalidInputDoc, PyExc_ValueError, nullptr);
  bundle_error = PyErr_NewExceptionWithDoc("stroke.BundleError", kBundleErrorDoc, PyExc_ValueError, nullptr);
  if (invalid_input == nullptr || bundle_error == nullptr) throw py::error_already_set();
  m.add_object("InvalidInput", py::handle(invalid_input));
  m.add_object("BundleError", py::handle(bundle_error));
}

py::list ErrorList(const std::vector<RowIssue>& errors) {
  py::list out;
  for (const RowIssue& e : errors) {
    py::dict d;
    d["row"] = e.row;
    d["field"] = e.issue.field;
    d["type"] = IssueKindName(e.issue.kind);
    d["message"] = e.issue.message;
    out.append(std::move(d));
  }
  return out;
}

void RaiseInvalidInput(const std::vector<RowIssue>& errors, size_t rows) {
  constexpr size_t kRowsShown = 10;
  size_t bad_rows = 0;
  // Columns (keys) the model does not read, first: the usual mistake, whose
  // fix is one keyword; then the rows.
  std::vector<std::string> unknown;
  for (const RowIssue& error : errors) {
    if (error.issue.kind == IssueKind::kUnknownField &&
        std::find(unknown.begin(), unknown.end(), error.issue.field) == unknown.end()) {
      unknown.push_back(error.issue.field);
    }
  }
  std::string lines;
  if (!unknown.empty()) {
    constexpr size_t kNamesShown = 5;
    std::string names;
    for (size_t k = 0; k < unknown.size() && k < kNamesShown; ++k) names += (k ? ", '" : "'") + unknown[k] + "'";
    if (unknown.size() > kNamesShown) names += fmt::format(" and {} more", unknown.size() - kNamesShown);
    fmt::format_to(std::back_inserter(lines),
                   "\n  {} not read by this model: drop them, or pass allow_unknown_fields=True", names);
  }
  for (size_t i = 0; i < errors.size();) {
    std::vector<Issue> issues;
    const size_t row = errors[i].row;
    for (; i < errors.size() && errors[i].row == row; ++i) issues.push_back(errors[i].issue);
    if (++bad_rows <= kRowsShown) fmt::format_to(std::back_inserter(lines), "\n  row {}: {}", row, JoinIssues(issues));
  }
  if (bad_rows > kRowsShown) fmt::format_to(std::back_inserter(lines), "\n  ... and {} more rows", bad_rows - kRowsShown);
  const std::string message = fmt::format(
      "{} of {} rows are invalid (see .errors; errors=\"return\" scores the others):{}", bad_rows, rows, lines);
  py::object exception = py::reinterpret_borrow<py::object>(invalid_input)(message);
  exception.attr("errors") = ErrorList(errors);
  exception.attr("rows") = rows;
  Raise(exception);
}

void RaiseLoadError(const Status& status, const std::string& path) {
  if (status.code() == StatusCode::kIoError) {
    // The errno of opening the file, for OSError.
    std::error_code ignored;
    int error = std::filesystem::is_directory(path, ignored) ? EISDIR : EIO;
    errno = 0;
    if (std::FILE* file = std::fopen(path.c_str(), "rb")) {
      std::fclose(file);
    } else if (errno != 0) {
      error = errno;
    }
    // OSError(errno, ...) makes the errno's subclass (ENOENT: FileNotFoundError).
    Raise(py::reinterpret_borrow<py::object>(PyExc_OSError)(error, status.message(), path));
  }
  Raise(py::reinterpret_borrow<py::object>(bundle_error)(status.message()));
}

}  // namespace stroke::python
