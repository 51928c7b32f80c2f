// What the two halves of the C API share (src/c_api.cc: errors, loading,
// model facts; src/c_api_predict.cc: predictions and explanations): the
// handle, the per-thread error state and the wrapper that keeps C++
// exceptions inside the library.
#ifndef STROKE_SRC_C_API_INTERNAL_H_
#define STROKE_SRC_C_API_INTERNAL_H_

#include <cstddef>
#include <exception>
#include <initializer_list>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stroke/c_api.h"
#include "stroke/model.h"

struct StrokeModel {
  stroke::Model model;
};

namespace stroke::c_api {

// Clears this thread's last error and row errors (every call starts so).
void ResetErrors() noexcept;
// Sets this thread's last error to the concatenated `parts`; returns `code`.
// If the message cannot be stored, StrokeGetLastError says "out of memory".
int Fail(int code, std::initializer_list<std::string_view> parts) noexcept;
// The STROKE_ERROR_* code of a failed Status, and its message as last error.
int FailWith(const Status& status) noexcept;
// Records why row `row` failed (rows in ascending order).
void AddRowError(size_t row, std::string message);

// Runs `body` (returning a status code) with this thread's errors reset,
// turning any escaping exception into STROKE_ERROR_INTERNAL.
template <typename Body>
int Guarded(Body&& body) noexcept {
  ResetErrors();
  try {
    return std::forward<Body>(body)();
  } catch (const std::bad_alloc&) {
    return Fail(STROKE_ERROR_INTERNAL, {"out of memory"});
  } catch (const std::exception& e) {
    return Fail(STROKE_ERROR_INTERNAL, {"internal error: ", e.what()});
  } catch (...) {
    return Fail(STROKE_ERROR_INTERNAL, {"internal error: unknown exception"});
  }
}

// STROKE_ERROR_INVALID_ARGUMENT naming the argument `name` that is NULL.
int NullArgument(const char* function, const char* name) noexcept;
// STROKE_ERROR_INVALID_ARGUMENT: `index` is not below `size`.
int IndexOutOfRange(const char* function, size_t index, size_t size);
// STROKE_ERROR_INVALID_ARGUMENT: buffer `name` holds `given` doubles, `needed` are written.
int BufferTooSmall(const char* function, const char* name, size_t needed, size_t given);

// Columns of a prediction (StrokeModelGetNumOutputs) and of raw margins.
size_t NumOutputs(const Model& model);
size_t NumRawOutputs(const Model& model);

}  // namespace stroke::c_api

#endif  // STROKE_SRC_C_API_INTERNAL_H_
