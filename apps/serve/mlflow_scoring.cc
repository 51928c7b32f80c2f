#include "mlflow_scoring.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_set>

#include "protocol_input.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"

namespace stroke::apps {
namespace {

constexpr char kBadRequest[] = "BAD_REQUEST";
constexpr char kInvalidParameterValue[] = "INVALID_PARAMETER_VALUE";
constexpr const char* kFormats[] = {"dataframe_split", "dataframe_records", "instances", "inputs"};
constexpr char kRequiredFormat[] =
    "The input must be a JSON dictionary with exactly one of the input fields "
    "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}";

ProtocolReply Refuse(int status, const char* error_code, const std::string& message) {
  return ProtocolReply{JsonReply(status, {{"error_code", error_code}, {"message", message}}), 0};
}

std::string Trimmed(std::string_view text, bool lower) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::string out(text);
  if (lower) std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The body's type from the Content-Type header, as MLflow reads it: "" when
// accepted as JSON or CSV ("application/json" / "text/csv" in *type), else why not.
std::string CheckContentType(const std::string& header, std::string* type) {
  std::string_view rest = header;
  const size_t semicolon = rest.find(';');
  *type = Trimmed(rest.substr(0, semicolon), true);
  rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
  while (!rest.empty()) {
    const size_t next = rest.find(';');
    const std::string_view parameter = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    const size_t equals = parameter.find('=');
    const std::string name = Trimmed(parameter.substr(0, equals), true);
    if (name.empty()) continue;  // "application/json;" (MLflow's own examples send it)
    if (name != "charset") return "Unrecognized content type parameters: " + name;
    std::string charset = equals == std::string_view::npos ? "" : Trimmed(parameter.substr(equals + 1), true);
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') charset = charset.substr(1, charset.size() - 2);
    if (charset != "utf-8") return "The scoring server only supports UTF-8";
  }
  if (*type == "application/json" || *type == "text/csv") return "";
  return "This predictor only supports the following content types: text/csv, application/json. Got '" + header + "'.";
}

// {"columns": [...], "data": [[...], ...], "index"?: [...]}: one row per element of data.
StatusOr<std::vector<InputRow>> RowsFromSplit(const Json& split, const Schema& schema) {
  if (!split.is_object()) return InvalidInputError("dataframe_split must be an object {\"columns\", \"data\"}");
  auto data = split.find("data");
  if (data == split.end() || !data->is_array()) return InvalidInputError("dataframe_split needs \"data\": an array of rows");
  auto columns = split.find("columns");
  if (columns == split.end()) return RowsFromInstances(*data, schema);  // rows in schema order
  if (!columns->is_array()) return InvalidInputError("dataframe_split \"columns\" must be an array of names");
  std::unordered_set<std::string> seen;
  for (const Json& c : *columns) {
    if (!c.is_string()) return InvalidInputError("dataframe_split \"columns\" must be names (strings), got " + DescribeJson(c));
    if (!seen.insert(c.get<std::string>()).second) {
      return InvalidInputError("dataframe_split column \"" + c.get<std::string>() + "\" appears twice");
    }
  }
  auto index = split.find("index");
  if (index != split.end() && (!index->is_array() || index->size() != data->size())) {
    return InvalidInputError(fmt::format("dataframe_split \"index\" must be an array of {} labels, one per row", data->size()));
  }
  std::vector<InputRow> rows(data->size());
  for (size_t i = 0; i < data->size(); ++i) {
    const Json& row = (*data)[i];
    if (!row.is_array() || row.size() != columns->size()) {
      return InvalidInputError(fmt::format("dataframe_split row {} must be an array of {} values (one per column), got {}",
                                           i, columns->size(), row.is_array() ? std::to_string(row.size()) + " values"
                                                                              : DescribeJson(row)));
    }
    Record record;
    for (size_t j = 0; j < row.size(); ++j) record.Set((*columns)[j].get<std::string>(), JsonToValue(row[j]));
    rows[i].row = i + 1;
    rows[i].record = std::move(record);
  }
  return rows;
}

// {"column": [values...], ...}: record i holds every column's value i.
StatusOr<std::vector<InputRow>> RowsFromColumns(const Json& columns) {
  std::optional<size_t> n;
  for (auto it = columns.begin(); it != columns.end(); ++it) {
    if (!it->is_array()) {
      return InvalidInputError("inputs column \"" + it.key() + "\" must be an array of values, got " + DescribeJson(*it));
    }
    if (n && *n != it->size()) {
      return InvalidInputError(fmt::format("inputs column \"{}\" has {} values, the others {}: columns need one "
                                           "value per row", it.key(), it->size(), *n));
    }
    n = it->size();
  }
  std::vector<InputRow> rows(n.value_or(0));
  for (size_t i = 0; i < rows.size(); ++i) {
    Record record;
    for (auto it = columns.begin(); it != columns.end(); ++it) record.Set(it.key(), JsonToValue((*it)[i]));
    rows[i].row = i + 1;
    rows[i].record = std::move(record);
  }
  return rows;
}

// The JSON body's records, or the BAD_REQUEST message; *probabilities from "params".
StatusOr<std::vector<InputRow>> RowsFromJson(std::string_view body, const Schema& schema, bool* probabilities,
                                             std::string* invalid_parameter) {
  StatusOr<Json> json = ParseProtocolJson(body);
  if (!json.ok()) {
    return InvalidInputError("Invalid input. Ensure that input is a valid JSON formatted string. Error: " +
                             json.status().message());
  }
  if (!json->is_object()) {
    return InvalidInputError(std::string("Invalid input. ") + kRequiredFormat + ". Received " +
                             (json->is_array() ? "a list." : "a " + std::string(json->type_name()) + "."));
  }
  std::vector<std::string> keys, formats;
  for (auto it = json->begin(); it != json->end(); ++it) {
    keys.push_back(it.key());
    if (std::find(std::begin(kFormats), std::end(kFormats), it.key()) != std::end(kFormats)) formats.push_back(it.key());
  }
  if (formats.size() != 1) {
    return InvalidInputError(std::string(kRequiredFormat) + ". Received dictionary with input fields: [" +
                             QuotedNames(keys) + "]");
  }
  if (auto params = json->find("params"); params != json->end()) {
    auto method = params->is_object() ? params->find("predict_method") : params->end();
    if (!params->is_object()) {
      *invalid_parameter = "\"params\" must be an object, got " + DescribeJson(*params);
    } else if (method != params->end()) {
      if (*method == "predict_proba" || *method == "predict") {
        *probabilities = *method == "predict_proba";
      } else {
        *invalid_parameter = "params.predict_method must be \"predict\" or \"predict_proba\", got " + DescribeJson(*method);
      }
    }
  }
  const std::string& format = formats[0];
  const Json& data = (*json)[format];
  if (format == "dataframe_split") return RowsFromSplit(data, schema);
  if (format == "inputs" && data.is_object()) return RowsFromColumns(data);
  if (!data.is_array()) {
    return InvalidInputError(format + " must be an array of records" +
                             (format == "inputs" ? " (or an object of columns)" : "") + ", got " + DescribeJson(data));
  }
  return RowsFromInstances(data, schema);
}

}  // namespace

Reply MlflowPing() { return Reply{200, "\n", "application/json", {}}; }

Reply MlflowVersion() { return Reply{200, kMlflowCompatibleVersion, "application/json", {}}; }

ProtocolReply MlflowInvocations(const Model& model, std::string_view body, const std::string& content_type,
                                const MlflowOptions& options) {
  std::string type;
  if (std::string why = CheckContentType(content_type, &type); !why.empty()) return Refuse(415, kBadRequest, ToValidUtf8(why));
  bool probabilities = options.probabilities;
  std::string invalid_parameter;
  StatusOr<std::vector<InputRow>> rows = InvalidInputError("not read");
  if (type == "text/csv") {
    StatusOr<RecordInput> input = ReadInput(body, InputOptions{InputFormat::kCsv, "", ""}, model.schema());
    if (!input.ok()) return Refuse(400, kBadRequest, "Failed to parse input as a CSV table: " + input.status().message());
    rows = std::move(input->rows);
  } else {
    rows = RowsFromJson(body, model.schema(), &probabilities, &invalid_parameter);
    if (!rows.ok()) return Refuse(400, kBadRequest, rows.status().message());
    if (!invalid_parameter.empty()) return Refuse(400, kInvalidParameterValue, invalid_parameter);
  }
  if (rows->size() > options.protocol.max_rows) {
    return Refuse(413, kBadRequest, fmt::format("a request of {} records exceeds the limit of {} (--max-batch-rows)",
                                                rows->size(), options.protocol.max_rows));
  }
  ScoreOptions score;
  score.check = options.protocol.check;
  const BatchScore scored = ScoreRecords(model, *rows, score);
  if (scored.failed > 0) {
    return Refuse(400, kInvalidParameterValue,
                  "Failed to enforce schema of data: " + FailedRowsMessage(scored, [](size_t row, const Issue& issue) {
                    return issue.field.empty() ? fmt::format("row {}", row)
                                               : fmt::format("row {}, column \"{}\"", row, issue.field);
                  }));
  }
  if (options.protocol.answered) options.protocol.answered(*rows, scored);
  Json predictions = Json::array();
  for (const RowScore& r : scored.rows) {
    const RecordPrediction& p = r.prediction;
    if (model.task() == Task::kRegression) {
      predictions.push_back(p.value);
    } else if (probabilities) {
      predictions.push_back(std::vector<double>(p.probabilities.begin(), p.probabilities.begin() + p.num_classes));
    } else {
      predictions.push_back(p.label);
    }
  }
  return ProtocolReply{JsonReply(200, {{"predictions", predictions}}), scored.rows.size()};
}

}  // namespace stroke::apps
