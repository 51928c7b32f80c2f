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
#include <utility>
#include <vector>

#include "stroke/export.h"
#include "stroke/status.h"

namespace stroke {

// One raw value. kOther stands for anything the schema cannot take (a JSON
// array or object); `text` then describes it for error messages.
struct STROKE_EXPORT Value {
  enum class Kind { kNull, kNumber, kBool, kString, kOther };
  Kind kind = Kind::kNull;
  double number = 0;     // kNumber
  bool is_integer = false;  // kNumber written without fraction or exponent (JSON 3, not 3.0)
  bool boolean = false;  // kBool
  std::string text;      // kString: the string; kOther: a description ("array")

  static Value Null() { return Value(); }
  static Value Number(double v, bool is_integer = false);
  static Value Bool(bool v);
  static Value String(std::string v);
  static Value Other(std::string description);
  // A short rendering for messages: 3, true, "Male", null, array.
  std::string Describe() const;
};

// Field name -> value, in the order the fields were given. Names are unique:
// Set() replaces; a parser that meets a duplicate key reports it instead.
class STROKE_EXPORT Record {
 public:
  void Set(std::string name, Value value);
  // The value of `name`, or nullptr when the field is absent.
  const Value* Find(std::string_view name) const;
  const std::vector<std::pair<std::string, Value>>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<std::pair<std::string, Value>> fields_;
};

// Parses one JSON object into a Record. Errors (kInvalidInput): text that is
// not JSON, a JSON value that is not an object, a duplicated key.
STROKE_EXPORT StatusOr<Record> ParseRecordJson(std::string_view json_text);

// Parses JSON text holding one object or an array of objects. The outer
// status fails only for text that is not JSON or holds neither; each element
// is its own Record or the reason it is not one, so one bad element does not
// lose the others.
STROKE_EXPORT StatusOr<std::vector<StatusOr<Record>>> ParseRecordsJson(std::string_view json_text);

}  // namespace stroke

#endif  // STROKE_RECORD_H_
