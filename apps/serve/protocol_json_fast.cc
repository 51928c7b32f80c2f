#include "protocol_json_fast.h"

#include <simdjson.h>

#include <cstring>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace stroke::apps {
namespace {

// Texts up to this size reuse their thread's parser and buffer; a larger one
// gets its own, freed after it, so that no thread keeps the memory of the
// largest body it ever read (simdjson holds several bytes per byte of text).
constexpr size_t kReusedCapacity = 64 * 1024;
// Objects with more keys than this check for a repeated key with a hash set;
// smaller ones compare with the keys before (fewer instructions).
constexpr size_t kLinearKeyCheck = 16;

// simdjson's DOM parser with the text copied into a buffer that has
// SIMDJSON_PADDING readable bytes after it.
class PaddedParser {
 public:
  simdjson::simdjson_result<simdjson::dom::element> Parse(std::string_view text) {
    if (buffer_.size() < text.size() + simdjson::SIMDJSON_PADDING) buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(buffer_.data(), text.data(), text.size());
    return parser_.parse(buffer_.data(), text.size(), /*realloc_if_needed=*/false);
  }

 private:
  simdjson::dom::parser parser_;
  std::string buffer_;
};

// What Build needs of the whole text.
struct Source {
  std::string_view text;
  int max_depth;
  // nlohmann makes "-0" a signed integer and "0" an unsigned one; simdjson's
  // DOM cannot tell them apart. Whether the text holds "-0" at all, found
  // the first time a zero needs it (-1: not yet looked).
  mutable int has_negative_zero = -1;
  bool HasNegativeZero() const {
    if (has_negative_zero < 0) has_negative_zero = text.find("-0") != std::string_view::npos;
    return has_negative_zero == 1;
  }
};

bool Build(simdjson::dom::element element, int depth, const Source& source, Json* out);

bool BuildObject(simdjson::dom::object object, int depth, const Source& source, Json* out) {
  *out = Json::object();
  // ordered_json's object is a vector of (key, value) in document order;
  // appending to it directly skips the linear search operator[] would make.
  Json::object_t& members = out->get_ref<Json::object_t&>();
  members.reserve(object.size());
  std::unordered_set<std::string_view> seen;
  const bool hashed = object.size() > kLinearKeyCheck;
  for (const simdjson::dom::key_value_pair field : object) {
    if (hashed) {
      if (!seen.insert(field.key).second) return false;
    } else {
      for (const auto& member : members) {
        if (member.first == field.key) return false;
      }
    }
    Json value;
    if (!Build(field.value, depth + 1, source, &value)) return false;
    members.std::vector<Json::object_t::value_type>::emplace_back(std::string(field.key), std::move(value));
  }
  return true;
}

// depth: of `element` (the root is 0); an array or object at depth
// max_depth is one level too deep, as ParseProtocolJson counts.
bool Build(simdjson::dom::element element, int depth, const Source& source, Json* out) {
  using Type = simdjson::dom::element_type;
  switch (element.type()) {
    case Type::OBJECT:
      return depth < source.max_depth && BuildObject(element.get_object().value_unsafe(), depth, source, out);
    case Type::ARRAY: {
      if (depth >= source.max_depth) return false;
      *out = Json::array();
      const simdjson::dom::array array = element.get_array().value_unsafe();
      Json::array_t& items = out->get_ref<Json::array_t&>();
      items.reserve(array.size());
      for (const simdjson::dom::element item : array) {
        items.emplace_back();
        if (!Build(item, depth + 1, source, &items.back())) return false;
      }
      return true;
    }
    case Type::STRING: *out = std::string(element.get_string().value_unsafe()); return true;
    // simdjson types a number without fraction or exponent INT64 when it
    // fits (UINT64 above), refusing one beyond 64 bits; nlohmann makes a
    // non-negative one unsigned, but "-0" signed: a zero in a text that
    // holds "-0" is left to the full parser.
    case Type::INT64: {
      const int64_t v = element.get_int64().value_unsafe();
      if (v == 0 && source.HasNegativeZero()) return false;
      *out = v >= 0 ? Json(static_cast<uint64_t>(v)) : Json(v);
      return true;
    }
    case Type::UINT64: *out = element.get_uint64().value_unsafe(); return true;
    case Type::DOUBLE: *out = element.get_double().value_unsafe(); return true;
    case Type::BOOL: *out = element.get_bool().value_unsafe(); return true;
    case Type::NULL_VALUE: *out = nullptr; return true;
  }
  return false;
}

}  // namespace

bool ParseJsonFast(std::string_view text, int max_depth, Json* out) {
  simdjson::dom::element root;
  if (text.size() <= kReusedCapacity) {
    thread_local PaddedParser reused;
    return reused.Parse(text).get(root) == simdjson::SUCCESS && Build(root, 0, Source{text, max_depth}, out);
  }
  PaddedParser own;
  return own.Parse(text).get(root) == simdjson::SUCCESS && Build(root, 0, Source{text, max_depth}, out);
}

}  // namespace stroke::apps
