// Schema: the input fields a model accepts, and the checks a raw Record must
// pass before features are computed. Part of every bundle ("inputs").
//
//   std::vector<double> inputs(schema.fields().size());
//   stroke::CheckResult check;
//   if (!schema.Check(record, inputs, &check)) { /* check.errors names each bad field */ }
#ifndef STROKE_SCHEMA_H_
#define STROKE_SCHEMA_H_

#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stroke/export.h"
#include "stroke/span.h"
#include "stroke/record.h"
#include "stroke/status.h"

namespace stroke {

enum class FieldType { kNumber, kInteger, kBoolean, kCategory };

// "number", "integer", "boolean", "category".
STROKE_EXPORT const char* FieldTypeName(FieldType type);

// One input field. Limits are inclusive; infinite means "no limit".
struct STROKE_EXPORT FieldSpec {
  std::string name;
  FieldType type = FieldType::kNumber;
  std::string description;
  std::vector<std::string> categories;  // kCategory: allowed values, exact strings; index = code
  bool nullable = false;                // null (JSON) or a null token (CSV) is allowed...
  double impute = 0;                    // ...and replaced by this value (category: its index);
                                        // NaN: passed on as missing, for models that handle it
  std::vector<std::string> null_tokens;  // CSV cell texts meaning null, e.g. "N/A" ("" always does)
  double hard_min = -std::numeric_limits<double>::infinity();  // outside: error (impossible)
  double hard_max = std::numeric_limits<double>::infinity();
  double train_min = -std::numeric_limits<double>::infinity();  // outside: accepted, with a warning
  double train_max = std::numeric_limits<double>::infinity();
  // kCategory: a string that is not one of `categories` is an error (false), or
  // (true) accepted as the code `unknown_code` with an "unknown_category"
  // warning naming the value - as scikit-learn's OneHotEncoder(handle_unknown=
  // "ignore") (code -1: every one-hot column 0) and OrdinalEncoder(handle_unknown=
  // "use_encoded_value") do. NaN passes the unknown value on as missing.
  bool accept_unknown = false;
  double unknown_code = -1;
  // kNumber/kInteger: when not empty, a value must equal one of these codes
  // (an encoder with handle_unknown="error" on numeric categories); another
  // number is a "category" error naming the field, the value and the codes -
  // unless accept_unknown (handle_unknown="ignore", bundle "unknown_category":
  // "keep"): then it is accepted as given, with an "unknown_category" warning.
  std::vector<double> known_codes;
};

// What kind of problem an Issue is. IssueKindName gives each its stable,
// machine-readable name (the "type" of the JSON the apps and the Python module
// write); the library reports the kinds up to kInternal, the front ends add
// the rest for problems found before a record exists.
enum class IssueKind {
  kMissing,             // "missing": a required field is absent or null
  kType,                // "type": a value of the wrong JSON type
  kCategory,            // "category": not one of the field's categories (or known codes)
  kLimit,               // "limit": outside the field's hard limits
  kUnknownField,        // "unknown_field": a field the schema lacks
  kInvalidValue,        // "invalid_value": unreadable (a number beyond a double, text not UTF-8)
  kNotFinite,           // "not_finite": infinity or NaN where a finite number is expected
  kOutOfTrainingRange,  // "out_of_training_range" (warning): outside the training range
  kUnknownCategory,     // "unknown_category" (warning): an unknown category, accepted
  kFeatureNotFinite,    // "feature_not_finite": a feature evaluates to NaN or infinity
  kInternal,            // "internal": a caller's buffer of the wrong size
  kParse,               // "parse": text that is not a record (front ends)
  kTruncated,           // "truncated": more issues than a reply lists (stroke-serve)
  kNumber,              // "number": a request parameter that is not a number in range (stroke-serve)
  kEnum,                // "enum": a request parameter that is not one of its values (stroke-serve)
};

// The kind's name: "missing", "type", ..., "enum" (as listed above). Thread-safe.
STROKE_EXPORT const char* IssueKindName(IssueKind kind);

// One problem with one field of one record.
struct STROKE_EXPORT Issue {
  std::string field;    // the field's name ("" for the record as a whole)
  IssueKind kind = IssueKind::kInternal;  // what went wrong (IssueKindName names it)
  std::string message;  // what was expected and what was given
};

// Issues as one line: "field: message; field: message" (no "field: " when
// the issue concerns the whole record).
STROKE_EXPORT std::string JoinIssues(const std::vector<Issue>& issues);

// Everything Check found in one record. Errors make it unusable; warnings do not.
struct STROKE_EXPORT CheckResult {
  std::vector<Issue> errors;
  std::vector<Issue> warnings;
  bool ok() const { return errors.empty(); }
  // kInvalidInput with JoinIssues(errors) as its message, or ok.
  Status ToStatus() const;
};

struct STROKE_EXPORT CheckOptions {
  bool allow_unknown_fields = false;  // false: a field the schema lacks is an error
  // true: an unknown category is an error even where the field accepts it
  // (FieldSpec::accept_unknown), for callers that want no guessed answer.
  bool refuse_unknown_categories = false;
  // Every option equal (public headers stay C++17: no defaulted ==).
  bool operator==(const CheckOptions& o) const {
    return allow_unknown_fields == o.allow_unknown_fields && refuse_unknown_categories == o.refuse_unknown_categories;
  }
  bool operator!=(const CheckOptions& o) const { return !(*this == o); }
};

class STROKE_EXPORT Schema {
 public:
  Schema() = default;
  // Validates the field list (names unique and non-empty, categories present
  // and unique, limits ordered, impute inside limits); messages start with
  // "inputs[i].<key>".
  static StatusOr<Schema> Create(std::vector<FieldSpec> fields);

  const std::vector<FieldSpec>& fields() const { return fields_; }
  // Index of the field called `name`, or -1.
  int IndexOf(std::string_view name) const;

  // Checks `record` and writes one value per field, in schema order, to
  // `inputs` (size fields().size()): numbers as given, booleans 0/1,
  // categories their index, nulls the impute value. Every problem of the
  // record is appended to `result`, its messages valid UTF-8; a kInvalid
  // value is an error even in a field that options allow as unknown.
  // Returns result->ok(). Thread-safe.
  bool Check(const Record& record, Span<double> inputs, CheckResult* result,
             const CheckOptions& options = {}) const;

  // Turns a CSV cell into the Value field `field_index` expects: a number for
  // number/integer fields, true/false for "true"/"false"/"1"/"0" (any case) on
  // boolean fields, null for "" and the field's null tokens, else the text
  // itself (which Check then reports with its field's expectation). Text that
  // is not UTF-8, and a number beyond a double, are kInvalid; a number too
  // small for a double is 0, as in JSON.
  Value ValueFromText(size_t field_index, std::string_view text) const;

  // CSV cell `text` of field `field_index` converted (ValueFromText) and
  // checked exactly as Check checks that field's value under `options`:
  // true, with the checked input value in *input, when that finds no issue
  // at all - no error and no warning; false when it finds any (*input is
  // then unspecified), so the caller takes the Record route (Check) to
  // report it. Lets a reader skip building a Record for clean rows.
  // Allocates only for a category value too long for an inline string, or
  // to report. Thread-safe.
  bool CheckCell(size_t field_index, std::string_view text, double* input, const CheckOptions& options) const;

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  std::vector<FieldSpec> fields_;
  std::unordered_map<std::string, int, NameHash, std::equal_to<>> index_;  // name -> position in fields_
};

}  // namespace stroke

#endif  // STROKE_SCHEMA_H_
