#include "flat_json.h"
#include "json_reader.h"
#include "stroke/record.h"

namespace stroke {

StatusOr<Record> ParseRecordJson(std::string_view json_text) {
  if (Record record; ParseFlatJsonObject(json_text, &record)) return record;
  Json json;
  Status parsed = ParseJsonText(json_text, &json);
  if (!parsed.ok()) return InvalidInputError(parsed.message());
  return RecordFromJson(json);
}

StatusOr<std::vector<StatusOr<Record>>> ParseRecordsJson(std::string_view json_text) {
  if (Record record; ParseFlatJsonObject(json_text, &record)) return std::vector<StatusOr<Record>>{std::move(record)};
  Json json;
  Status parsed = ParseJsonText(json_text, &json);
  if (!parsed.ok()) return InvalidInputError(parsed.message());
  if (json.is_object()) return std::vector<StatusOr<Record>>{RecordFromJson(json)};
  if (!json.is_array()) {
    return InvalidInputError(std::string("expected a JSON object or an array of objects, got ") +
                             json.type_name());
  }
  std::vector<StatusOr<Record>> records;
  records.reserve(json.size());
  for (const Json& element : json) records.push_back(RecordFromJson(element));
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
