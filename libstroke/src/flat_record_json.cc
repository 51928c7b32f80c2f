#include "flat_record_json.h"

#include <simdjson.h>

#include <cstring>
#include <string>

namespace stroke {
namespace {

// Texts up to this size reuse their thread's parser and buffer; a larger one
// gets its own, freed after it, so that no thread keeps the memory of the
// largest body it ever read (simdjson's parser holds several bytes per byte
// of its largest document). Request bodies of a few fields are ~300 bytes.
constexpr size_t kReusedCapacity = 64 * 1024;

// simdjson's DOM parser and the text copied into a buffer with
// SIMDJSON_PADDING readable bytes after it (their content does not matter).
// The copy is not what costs: ParseRecordJson measures the same as simdjson
// on a text padded beforehand (bench/json_record_bench.cc,
// docs/benchmarks.md), so no public entry point takes the caller's buffer
// capacity to skip it.
class PaddedParser {
 public:
  simdjson::simdjson_result<simdjson::dom::element> Parse(std::string_view text) {
    if (buffer_.size() < text.size() + simdjson::SIMDJSON_PADDING) {
      buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(buffer_.data(), text.data(), text.size());
    return parser_.parse(buffer_.data(), text.size(), /*realloc_if_needed=*/false);
  }

 private:
  simdjson::dom::parser parser_;
  std::string buffer_;
};

// The Value the full reader makes of `element` (ValueFromJson), or false for
// what is left to it: an array or object (it checks their depth and keys).
bool ScalarValue(simdjson::dom::element element, Value* out) {
  using Type = simdjson::dom::element_type;
  switch (element.type()) {
    case Type::STRING: *out = Value::String(std::string(element.get_string().value_unsafe())); return true;
    // simdjson types a number written without fraction or exponent as INT64
    // or UINT64 (-0 is INT64 0, as nlohmann has it), refusing one beyond
    // 64 bits; DOUBLE has a '.' or an exponent.
    case Type::INT64: *out = Value::Number(static_cast<double>(element.get_int64().value_unsafe()), true); return true;
    case Type::UINT64: *out = Value::Number(static_cast<double>(element.get_uint64().value_unsafe()), true); return true;
    case Type::DOUBLE: *out = Value::Number(element.get_double().value_unsafe()); return true;
    case Type::BOOL: *out = Value::Bool(element.get_bool().value_unsafe()); return true;
    case Type::NULL_VALUE: *out = Value::Null(); return true;
    case Type::ARRAY:
    case Type::OBJECT: return false;
  }
  return false;
}

bool RecordFromFlatObject(simdjson::dom::element root, Record* out) {
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return false;
  Record record;
  for (const simdjson::dom::key_value_pair field : object) {
    Value value;
    // A duplicate key is the full reader's to name.
    if (record.Find(field.key) != nullptr || !ScalarValue(field.value, &value)) return false;
    record.Set(std::string(field.key), std::move(value));
  }
  *out = std::move(record);
  return true;
}

}  // namespace

bool ParseFlatRecordJson(std::string_view text, Record* out) {
  simdjson::dom::element root;
  if (text.size() <= kReusedCapacity) {
    thread_local PaddedParser reused;
    return reused.Parse(text).get(root) == simdjson::SUCCESS && RecordFromFlatObject(root, out);
  }
  PaddedParser own;
  return own.Parse(text).get(root) == simdjson::SUCCESS && RecordFromFlatObject(root, out);
}

}  // namespace stroke
