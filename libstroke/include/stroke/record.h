// Record: one raw input record as a client sends it (field name -> value),
// before validation. Built from JSON (ParseRecordJson), from CSV cells
// (Schema::ValueFromText) or by hand:
//
//   stroke::Record r;
//   r.Set("age", stroke::Value::Number(67));
//   r.Set("gender", stroke::Value::String("Male"));
#ifndef STROKE_RECORD_H_
#define STROKE_RECORD_H_

#include <string>
#include <string_view>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stroke/export.h"
#include "stroke/status.h"

namespace stroke {

// One raw value. kOther stands for anything the schema cannot take (a JSON
// array or object); `text` then describes it for error messages. kInvalid
// is a value the client sent that cannot be read at all - a number beyond
// the range of a double, text that is not UTF-8 - and `text` says why;
// Schema::Check reports it for any field, even one it would ignore.
struct STROKE_EXPORT Value {
  enum class Kind { kNull, kNumber, kBool, kString, kOther, kInvalid };
  Kind kind = Kind::kNull;
  double number = 0;     // kNumber
  bool is_integer = false;  // kNumber written without fraction or exponent (JSON 3, not 3.0)
  bool boolean = false;  // kBool
  std::string text;      // kString: the string; kOther: a description ("array"); kInvalid: why (UTF-8)

  static Value Null() { return Value(); }
  static Value Number(double v, bool is_integer = false);
  static Value Bool(bool v);
  static Value String(std::string v);
  static Value Other(std::string description);
  // `why` is made valid UTF-8 (ToValidUtf8).
  static Value Invalid(std::string why);
  // A string from raw client bytes (a CSV cell): kString when `text` is
  // valid UTF-8, else kInvalid quoting it with its bad bytes as U+FFFD.
  static Value Text(std::string_view text);
  // A short rendering for messages, valid UTF-8: 3, true, "Male", null, array.
  // A number is the shortest text that reads back as the same double (36.6,
  // 0.1, 1e+16; not 36.600000000000001). A string longer than
  // kDescribedTextBytes is cut there, at a character's start, and its
  // length given: "xxxx..." (5242880 bytes), so a message (and the log
  // event that keeps it) never grows with what a client sent.
  std::string Describe() const;
  static constexpr size_t kDescribedTextBytes = 100;
};

// Field name -> value, in the order the fields were given. Names are unique:
// Set() replaces; a parser that meets a duplicate key reports it instead.
// Set and Find cost O(1) on average whatever the number of fields (records
// of a few fields are searched in place, larger ones through an index), so
// a hostile record of 100,000 keys costs no more than its parse.
class STROKE_EXPORT Record {
 public:
  void Set(std::string name, Value value);
  // Replaces the value of the field at `position` (< size(), in the order
  // fields() lists them), keeping its name: for a reader that fills the same
  // fields record after record (the Python module's DataFrame columns)
  // without searching them by name.
  void SetAt(size_t position, Value value) { fields_[position].second = std::move(value); }
  // Room for `fields` fields without reallocating (a reader that knows how many come).
  void Reserve(size_t fields) { fields_.reserve(fields); }
  // The value of `name`, or nullptr when the field is absent.
  const Value* Find(std::string_view name) const;
  const std::vector<std::pair<std::string, Value>>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }

 private:
  static constexpr size_t kIndexFrom = 16;  // fields before an index pays off
  std::vector<std::pair<std::string, Value>> fields_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>> index_;  // name -> position, once size() >= kIndexFrom
};

// `text` without a leading UTF-8 byte-order mark (EF BB BF), which some
// editors and spreadsheets write at the start of JSON and CSV files.
STROKE_EXPORT std::string_view SkipUtf8Bom(std::string_view text);

// Parses one JSON object into a Record; a leading byte-order mark is
// skipped. Errors (kInvalidInput): text that is not JSON, a JSON value that
// is not an object, a duplicated key. A field whose value holds a number
// beyond the range of a double (1e400; 1e-400 reads as 0, as the parser
// has it) or text that is not UTF-8, or whose name is not UTF-8 (kept with
// U+FFFD for the bad bytes), is kept as a kInvalid value, so that
// Schema::Check names the field: "age: number out of range: 1e400".
STROKE_EXPORT StatusOr<Record> ParseRecordJson(std::string_view json_text);

// Parses JSON text holding one object or an array of objects, as
// ParseRecordJson does each. The outer status fails only for text that is
// not JSON or holds neither; each element is its own Record or the reason it
// is not one, so one bad element does not lose the others.
STROKE_EXPORT StatusOr<std::vector<StatusOr<Record>>> ParseRecordsJson(std::string_view json_text);

}  // namespace stroke

#endif  // STROKE_RECORD_H_
