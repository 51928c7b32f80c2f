// Internal: JSON parsing with precise errors, and a path-tracking reader used
// to load bundles ("ensemble.trees[3].left: expected an array of integers").
#ifndef STROKE_SRC_JSON_READER_H_
#define STROKE_SRC_JSON_READER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "stroke/record.h"
#include "stroke/status.h"

namespace stroke {

using Json = nlohmann::ordered_json;

// Deepest nesting accepted in any JSON text we parse.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` into `out`. Errors (message only, no kind semantics): not
// JSON (with byte offset), a duplicated object key, nesting beyond kMaxJsonDepth.
Status ParseJsonText(std::string_view text, Json* out);

StatusOr<Record> RecordFromJson(const Json& json);
Value ValueFromJson(const Json& json);

// A JSON value and its path from the document root. Accessors fail with
// kCorruptBundle naming the path; the first failure is kept in `error`.
class JsonReader {
 public:
  JsonReader(const Json* json, std::string path, Status* error)
      : json_(json), path_(std::move(path)), error_(error) {}

  const Json& json() const { return *json_; }
  const std::string& path() const { return path_; }
  bool failed() const { return !error_->ok(); }
  // The first failure recorded through any reader sharing this one's error slot.
  const Status& error() const { return *error_; }
  // Records `message` at this path (the first failure wins); returns false.
  bool Fail(const std::string& message) const;

  bool Has(const char* key) const;
  // The member `key`: must exist (and be an object/array where requested).
  JsonReader Member(const char* key) const;
  JsonReader Object(const char* key) const;
  JsonReader Array(const char* key) const;
  JsonReader Element(size_t index) const;
  size_t size() const;  // elements of an array, members of an object

  std::string String(const char* key) const;
  std::string OptionalString(const char* key, const std::string& fallback) const;
  double Number(const char* key) const;
  double OptionalNumber(const char* key, double fallback) const;
  long Integer(const char* key) const;
  bool Bool(const char* key) const;
  bool OptionalBool(const char* key, bool fallback) const;
  std::vector<std::string> StringArray(const char* key) const;
  // Numeric arrays; each element checked ("<path>.<key>[i]: ...").
  std::vector<double> DoubleArray(const char* key) const;
  std::vector<int32_t> IntArray(const char* key) const;
  // This value as an array of 32-bit integers.
  std::vector<int32_t> Ints() const;

 private:
  std::string Child(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  static const Json& Empty();

  const Json* json_;
  std::string path_;
  Status* error_;
};

}  // namespace stroke

#endif  // STROKE_SRC_JSON_READER_H_
