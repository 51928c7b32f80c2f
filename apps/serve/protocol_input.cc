#include "protocol_input.h"

#include <fmt/format.h>

#include "protocol_json_fast.h"

#include <cmath>
#include <string>
#include <unordered_set>

namespace stroke::apps {
namespace {

// A SAX handler that keeps only the parser's first error (with its line and
// column): a second pass over a body that failed, for the message.
class ParseErrorText : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    std::string_view what = e.what();
    if (what.find("] ") != std::string_view::npos) what.remove_prefix(what.find("] ") + 2);  // "[json.exception...] "
    message = ToValidUtf8(what);
    return false;
  }
  std::string message;
};

}  // namespace

StatusOr<Json> ParseProtocolJson(std::string_view body) {
  body = SkipUtf8Bom(body);
  if (!IsValidUtf8(body)) return InvalidInputError("the body is not valid UTF-8");
  // The parser would stop at a NUL and answer for the text before it.
  if (const size_t nul = body.find('\0'); nul != std::string_view::npos) {
    return InvalidInputError(fmt::format("the body holds a NUL byte at offset {}", nul));
  }
  if (Json fast; ParseJsonFast(body, kMaxProtocolDepth, &fast)) return fast;
  // What the fast path leaves: the full parser, whose callback sees every key
  // with its depth: keys_at[d] holds the keys of the object opened at depth d
  // so far (a new object there clears it).
  std::vector<std::unordered_set<std::string>> keys_at;
  std::string error;
  auto check = [&](int depth, nlohmann::detail::parse_event_t event, Json& parsed) {
    using Event = nlohmann::detail::parse_event_t;
    if (!error.empty()) return false;  // keep nothing more once refused
    const size_t at = static_cast<size_t>(depth);
    if (event == Event::object_start || event == Event::array_start) {
      if (depth >= kMaxProtocolDepth) {
        error = fmt::format("the body nests arrays and objects deeper than {} levels", kMaxProtocolDepth);
        return false;
      }
      if (event == Event::object_start) {
        if (keys_at.size() <= at) keys_at.resize(at + 1);
        keys_at[at].clear();
      }
    } else if (event == Event::key && at >= 1 && at - 1 < keys_at.size()) {
      if (!keys_at[at - 1].insert(parsed.get<std::string>()).second) {
        error = "key \"" + parsed.get<std::string>() + "\" appears twice in one object";
        return false;
      }
    }
    return true;
  };
  Json json = Json::parse(body.begin(), body.end(), check, /*allow_exceptions=*/false);
  if (!error.empty()) return InvalidInputError(error);
  if (json.is_discarded()) {
    ParseErrorText why;
    Json::sax_parse(body.begin(), body.end(), &why, nlohmann::detail::input_format_t::json, /*strict=*/true);
    return InvalidInputError("the body is not valid JSON" + (why.message.empty() ? "" : ": " + why.message));
  }
  return json;
}

Value JsonToValue(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null: return Value::Null();
    case Json::value_t::boolean: return Value::Bool(json.get<bool>());
    case Json::value_t::number_integer: return Value::Number(static_cast<double>(json.get<int64_t>()), true);
    case Json::value_t::number_unsigned: return Value::Number(static_cast<double>(json.get<uint64_t>()), true);
    case Json::value_t::number_float: {
      const double x = json.get<double>();
      if (std::isinf(x)) return Value::Invalid("number out of range (beyond a double)");
      return Value::Number(x);
    }
    case Json::value_t::string: return Value::String(json.get<std::string>());
    default: return Value::Other(json.type_name());
  }
}

std::string DescribeJson(const Json& json) {
  std::string text = JsonToValue(json).Describe();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return ToValidUtf8(text);  // the cut may split a character
}

StatusOr<Record> RecordFromObject(const Json& json) {
  if (!json.is_object()) {
    return InvalidInputError("expected a record (an object of field: value), got " + DescribeJson(json));
  }
  Record record;
  for (auto it = json.begin(); it != json.end(); ++it) record.Set(it.key(), JsonToValue(it.value()));
  return record;
}

std::string QuotedNames(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 12; ++i) text += (i ? ", \"" : "\"") + names[i] + "\"";
  if (names.size() > 12) text += ", ...";
  return text;
}

namespace {

std::vector<std::string> FieldNames(const Schema& schema) {
  std::vector<std::string> names;
  for (const FieldSpec& f : schema.fields()) names.push_back(f.name);
  return names;
}

}  // namespace

StatusOr<Record> RecordFromRow(const Json& row, const Schema& schema) {
  const size_t k = schema.fields().size();
  if (!row.is_array() || row.size() != k) {
    return InvalidInputError(fmt::format("expected a row of {} values in schema order ({}), got {}", k,
                                         QuotedNames(FieldNames(schema)),
                                         row.is_array() ? fmt::format("{} values", row.size()) : DescribeJson(row)));
  }
  Record record;
  for (size_t j = 0; j < k; ++j) record.Set(schema.fields()[j].name, JsonToValue(row[j]));
  return record;
}

std::vector<InputRow> RowsFromInstances(const Json& instances, const Schema& schema) {
  std::vector<InputRow> rows(instances.size());
  for (size_t i = 0; i < instances.size(); ++i) {
    const Json& element = instances[i];
    rows[i].row = i + 1;
    if (element.is_object()) {
      rows[i].record = RecordFromObject(element);
    } else if (element.is_array()) {
      rows[i].record = RecordFromRow(element, schema);
    } else {
      rows[i].record = InvalidInputError(
          fmt::format("expected a record (an object) or a row (an array of {} values in schema order), got {}",
                      schema.fields().size(), DescribeJson(element)));
    }
  }
  return rows;
}

std::string FailedRowsMessage(const BatchScore& scored,
                              const std::function<std::string(size_t row, const Issue& issue)>& where) {
  std::string message;
  size_t issues = 0;
  for (size_t i = 0; i < scored.rows.size(); ++i) {
    for (const Issue& issue : scored.rows[i].errors) {
      if (issues++ >= kReportedIssues) continue;
      const std::string place = where(i, issue);
      if (!message.empty()) message += "; ";
      message += place.empty() ? issue.message : place + ": " + issue.message;
    }
  }
  if (issues > kReportedIssues) message += fmt::format("; and {} more", issues - kReportedIssues);
  return message;
}

}  // namespace stroke::apps
