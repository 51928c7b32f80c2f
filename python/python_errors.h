// The module's exceptions: stroke.InvalidInput (rows that fail the schema or
// the feature program, with every error in `errors`) and stroke.BundleError
// (a bundle that cannot be loaded); both derive from ValueError. Unreadable
// bundle files raise OSError (FileNotFoundError when the file is absent).
#ifndef STROKE_PYTHON_PYTHON_ERRORS_H_
#define STROKE_PYTHON_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "batch.h"
#include "stroke/status.h"

namespace stroke::python {

namespace py = pybind11;

// Adds InvalidInput and BundleError to module `m`.
void RegisterExceptions(py::module_& m);

// [{"row": i, "field": ..., "type": ..., "message": ...}, ...] in row order.
py::list ErrorList(const std::vector<RowIssue>& errors);

// Raises InvalidInput for a batch of `rows` rows with these errors.
[[noreturn]] void RaiseInvalidInput(const std::vector<RowIssue>& errors, size_t rows);

// Raises the Python exception for a failed load: OSError for kIoError
// (FileNotFoundError when `path` does not exist), else BundleError.
[[noreturn]] void RaiseLoadError(const Status& status, const std::string& path);

}  // namespace stroke::python

#endif  // STROKE_PYTHON_PYTHON_ERRORS_H_
