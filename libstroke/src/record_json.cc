// Records from JSON text: the flat fast path (simdjson, flat_record_json.h),
// else the full parser. Where the full parser refuses a token that only
// spoils one field - a number beyond a double, a string or key that is not
// UTF-8 - the text is mended (the value becomes null, the key valid UTF-8)
// and parsed again, and the field becomes a kInvalid value that
// Schema::Check reports under its name.
#include <charconv>
#include <span>
#include <vector>

#include "client_text.h"
#include "flat_record_json.h"
#include "json_reader.h"
#include "stroke/record.h"

namespace stroke {
namespace {

// A token the parser refuses, inside a record.
struct BadToken {
  size_t begin = 0, end = 0;  // its bytes in the text
  bool is_key = false;        // an object key (else a value)
  size_t record = 0;          // the array element holding it (0 for a lone object)
  std::string field;          // the record-level key it is under, as a valid JSON string token
  std::string why;            // what the field's kInvalid value says
};

// The end of the string token starting at text[begin] ('"'): one past its
// closing quote, or text.size() when unterminated.
size_t StringEnd(std::string_view text, size_t begin) {
  for (size_t i = begin + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

// `token` (a string token, quotes included) with its bad bytes as U+FFFD.
std::string MendedString(std::string_view token) { return ToValidUtf8(token); }

// Finds the bad tokens inside records: a lone object is the record, or the
// objects that are elements of a top-level array. Reads tokens only (the
// parser judges the grammar), tracking nesting to know records and fields.
std::vector<BadToken> FindBadTokens(std::string_view text) {
  struct Container {
    bool object;
    bool expect_key;
  };
  std::vector<BadToken> bad;
  std::vector<Container> open;
  size_t record_depth = 0;  // nesting of record objects: 1 (lone object) or 2 (in an array)
  size_t record = 0;
  std::string field;        // the current record-level key, a valid string token
  auto in_record = [&] { return record_depth > 0 && open.size() >= record_depth && open[record_depth - 1].object; };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{' || c == '[') {
      if (record_depth == 0) record_depth = c == '[' ? 2 : 1;
      open.push_back({c == '{', c == '{'});
      if (open.size() == record_depth) field.clear();
    } else if (c == '}' || c == ']') {
      if (!open.empty()) open.pop_back();
    } else if (c == ',') {
      if (record_depth == 2 && open.size() == 1) ++record;
      if (!open.empty() && open.back().object) open.back().expect_key = true;
    } else if (c == ':') {
      if (!open.empty() && open.back().object) open.back().expect_key = false;
    } else if (c == '"') {
      const size_t end = StringEnd(text, i);
      const std::string_view token = text.substr(i, end - i);
      const bool is_key = !open.empty() && open.back().object && open.back().expect_key;
      const bool record_key = is_key && in_record() && open.size() == record_depth;
      if (record_key) field = MendedString(token);
      if (!IsValidUtf8(token) && in_record()) {
        const std::string why = record_key ? "the field name is not valid UTF-8"
                                           : "text is not valid UTF-8: " + Shortened(token);
        bad.push_back({i, end, is_key, record, field, why});
      }
      i = end - 1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t end = i + 1;
      while (end < text.size() && std::string_view("0123456789+-.eE").find(text[end]) != std::string_view::npos) ++end;
      const std::string_view token = text.substr(i, end - i);
      double value = 0;
      const auto [stop, error] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (error == std::errc::result_out_of_range && stop == token.data() + token.size() && NumberOverflows(token) &&
          in_record()) {
        bad.push_back({i, end, false, record, field, NumberOutOfRange(token)});
      }
      i = end - 1;
    }
  }
  return bad;
}

// Parses `text` (no byte-order mark). When the parser refuses it and bad
// tokens inside records explain why, parses the text with them mended and
// lists them in `mended`.
Status ParseRecordText(std::string_view text, Json* json, std::vector<BadToken>* mended) {
  Status parsed = ParseJsonText(text, json);
  if (parsed.ok()) return parsed;
  std::vector<BadToken> bad = FindBadTokens(text);
  if (bad.empty()) return parsed;
  std::string fixed;
  fixed.reserve(text.size());
  size_t copied = 0;
  for (const BadToken& token : bad) {
    fixed.append(text.substr(copied, token.begin - copied));
    fixed += token.is_key ? MendedString(text.substr(token.begin, token.end - token.begin)) : "null";
    copied = token.end;
  }
  fixed.append(text.substr(copied));
  if (!ParseJsonText(fixed, json).ok()) return parsed;  // broken elsewhere too: the first error stands
  *mended = std::move(bad);
  return Status::Ok();
}

// Marks the fields that `mended` lists as kInvalid in `records` (element
// i of the text is records[i]), the first reason for a field winning.
void MarkMended(const std::vector<BadToken>& mended, std::span<StatusOr<Record>> records) {
  for (const BadToken& token : mended) {
    if (token.record >= records.size() || !records[token.record].ok() || token.field.empty()) continue;
    Record& record = *records[token.record];
    Json name;
    if (!ParseJsonText(token.field, &name).ok() || !name.is_string()) continue;
    const std::string& field = name.get_ref<const std::string&>();
    const Value* value = record.Find(field);
    if (value != nullptr && value->kind == Value::Kind::kInvalid) continue;
    record.Set(field, Value::Invalid(token.why));
  }
}

}  // namespace

StatusOr<Record> ParseRecordJson(std::string_view json_text) {
  json_text = SkipUtf8Bom(json_text);
  if (Record record; ParseFlatRecordJson(json_text, &record)) return record;
  Json json;
  std::vector<BadToken> mended;
  Status parsed = ParseRecordText(json_text, &json, &mended);
  if (!parsed.ok()) return InvalidInputError(parsed.message());
  StatusOr<Record> record = RecordFromJson(json);
  MarkMended(mended, std::span<StatusOr<Record>>(&record, 1));
  return record;
}

StatusOr<std::vector<StatusOr<Record>>> ParseRecordsJson(std::string_view json_text) {
  json_text = SkipUtf8Bom(json_text);
  if (Record record; ParseFlatRecordJson(json_text, &record)) return std::vector<StatusOr<Record>>{std::move(record)};
  Json json;
  std::vector<BadToken> mended;
  Status parsed = ParseRecordText(json_text, &json, &mended);
  if (!parsed.ok()) return InvalidInputError(parsed.message());
  if (json.is_object()) {
    std::vector<StatusOr<Record>> one = {RecordFromJson(json)};
    MarkMended(mended, one);
    return one;
  }
  if (!json.is_array()) {
    return InvalidInputError(std::string("expected a JSON object or an array of objects, got ") +
                             json.type_name());
  }
  std::vector<StatusOr<Record>> records;
  records.reserve(json.size());
  for (const Json& element : json) records.push_back(RecordFromJson(element));
  MarkMended(mended, records);
  return records;
}

StatusOr<Record> RecordFromJson(const Json& json) {
  if (!json.is_object()) {
    return InvalidInputError(std::string("expected a JSON object (field -> value), got ") +
                             json.type_name());
  }
  Record record;
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (record.Find(it.key()) != nullptr) {
      return InvalidInputError("field \"" + it.key() + "\" appears twice");
    }
    record.Set(it.key(), ValueFromJson(it.value()));
  }
  return record;
}

Value ValueFromJson(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null: return Value::Null();
    case Json::value_t::boolean: return Value::Bool(json.get<bool>());
    case Json::value_t::number_integer:
      return Value::Number(static_cast<double>(json.get<int64_t>()), true);
    case Json::value_t::number_unsigned:
      return Value::Number(static_cast<double>(json.get<uint64_t>()), true);
    case Json::value_t::number_float: return Value::Number(json.get<double>());
    case Json::value_t::string: return Value::String(json.get<std::string>());
    default: return Value::Other(json.type_name());
  }
}

}  // namespace stroke
