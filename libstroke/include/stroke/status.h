// Status and StatusOr<T>: errors as values. No exception leaves libstroke;
// every fallible public function returns one of these.
//
//   stroke::StatusOr<stroke::Model> model = stroke::Model::Load("stroke.bundle.json");
//   if (!model.ok()) { std::cerr << model.status().ToString() << "\n"; return 1; }
//   const stroke::Model& m = *model;
#ifndef STROKE_STATUS_H_
#define STROKE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "stroke/export.h"

namespace stroke {

// What went wrong, coarsely; apps map kinds to exit codes and HTTP statuses.
enum class StatusCode {
  kOk = 0,
  kInvalidInput,   // a record or request does not fit the schema (HTTP 422/400)
  kCorruptBundle,  // a bundle is malformed or inconsistent
  kNotFound,       // a file, field or name does not exist
  kIoError,        // reading a file failed
  kInternal,       // a bug in libstroke
};

// Returns "ok", "invalid input", "corrupt bundle", ...
STROKE_EXPORT const char* StatusCodeName(StatusCode code);

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
STROKE_EXPORT bool IsValidUtf8(std::string_view text);
// `text` with each byte that is not part of well-formed UTF-8 replaced by
// U+FFFD: how messages quote client text, so that every message (Status,
// Issue) is valid UTF-8 and can be written as JSON.
STROKE_EXPORT std::string ToValidUtf8(std::string_view text);

// A success, or an error kind with a human-readable message. Cheap to copy
// on success. The message is always valid UTF-8 (invalid bytes become U+FFFD).
class [[nodiscard]] STROKE_EXPORT Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(IsValidUtf8(message) ? std::move(message) : ToValidUtf8(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<kind>: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

STROKE_EXPORT Status InvalidInputError(std::string message);
STROKE_EXPORT Status CorruptBundleError(std::string message);
STROKE_EXPORT Status NotFoundError(std::string message);
STROKE_EXPORT Status IoError(std::string message);
STROKE_EXPORT Status InternalError(std::string message);

// A value of type T, or the Status explaining why there is none.
// Precondition for value access (*, ->, value()): ok().
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : state_(std::move(value)) {}                 // NOLINT: implicit by design
  StatusOr(Status status) : state_(std::move(status)) {            // NOLINT: implicit by design
    if (std::get<Status>(state_).ok()) state_ = Status(StatusCode::kInternal, "ok status without value");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error, or an ok Status when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(state_); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace stroke

#endif  // STROKE_STATUS_H_
