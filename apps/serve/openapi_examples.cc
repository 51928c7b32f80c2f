#include "openapi_examples.h"

#include <fmt/format.h>

#include <cmath>

#include "csv.h"
#include "oip_v2_tensors.h"

namespace stroke::apps {
namespace {

// A golden row's values in schema order, or null when one is missing.
Json SchemaOrderedRecord(const Model& model, const Record& inputs) {
  Json record = Json::object();
  for (const FieldSpec& f : model.schema().fields()) {
    const Value* v = inputs.Find(f.name);
    if (v == nullptr || v->kind == Value::Kind::kNull) return nullptr;
    if (v->kind == Value::Kind::kNumber && std::isnan(v->number)) return nullptr;
    record[f.name] = ValueJson(*v);
  }
  return record;
}

std::string CsvValue(const Json& value) {
  return CsvCell(value.is_string() ? value.get<std::string>() : JsonText(value));
}

// An OIP element for `value` in the datatype model metadata announces.
Json OipElement(FieldType type, const Json& value) {
  if (type == FieldType::kBoolean && value.is_number()) return value.get<double>() != 0;
  if (type == FieldType::kInteger && value.is_number()) return static_cast<int64_t>(value.get<double>());
  return value;
}

}  // namespace

ApiExamples MakeApiExamples(const Model& model) {
  ApiExamples examples;
  Json rows = Json::array();
  for (const GoldenRow& golden : model.golden_rows()) {
    Json record = SchemaOrderedRecord(model, golden.inputs);
    if (!record.is_null()) rows.push_back(std::move(record));
    if (rows.size() == 2) break;
  }
  if (rows.empty()) return examples;
  examples.record = rows[0];
  examples.batch = rows;
  std::vector<std::string> header;
  Json columns = Json::array(), data = Json::array();
  for (const FieldSpec& f : model.schema().fields()) {
    header.push_back(CsvCell(f.name));
    columns.push_back(f.name);
  }
  examples.csv = fmt::format("{}\n", fmt::join(header, ","));
  for (const Json& row : rows) {
    std::vector<std::string> cells;
    Json values = Json::array();
    for (const auto& [name, value] : row.items()) {
      cells.push_back(CsvValue(value));
      values.push_back(value);
    }
    examples.csv += fmt::format("{}\n", fmt::join(cells, ","));
    data.push_back(std::move(values));
  }
  Json inputs = Json::array();
  for (const FieldSpec& f : model.schema().fields()) {
    inputs.push_back({{"name", f.name},
                      {"shape", {1}},
                      {"datatype", OipDatatypeOf(f.type)},
                      {"data", {OipElement(f.type, examples.record[f.name])}}});
  }
  examples.oip_infer = {{"inputs", inputs}};
  examples.kserve_v1 = {{"instances", rows}};
  examples.mlflow = {{"dataframe_split", {{"columns", columns}, {"data", data}}}};
  return examples;
}

}  // namespace stroke::apps
