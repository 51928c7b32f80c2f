#include "record_input.h"

#include <fmt/format.h>

#include <set>

#include "csv.h"

namespace stroke::apps {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view FirstLine(std::string_view text) {
  return text.substr(0, text.find('\n'));
}

StatusOr<RecordInput> ReadJson(std::string_view text) {
  auto records = ParseRecordsJson(text);
  if (!records.ok()) return records.status();
  const size_t start = text.find_first_not_of(" \t\r\n");  // ParseRecordsJson saw a value there
  RecordInput input{InputFormat::kJson, text[start] == '{', {}};
  for (size_t i = 0; i < records->size(); ++i) {
    input.rows.push_back({i + 1, 0, std::move((*records)[i])});
  }
  return input;
}

RecordInput ReadJsonl(std::string_view text) {
  RecordInput input{InputFormat::kJsonl, false, {}};
  size_t line = 0;
  while (!text.empty()) {
    ++line;
    const size_t end = text.find('\n');
    std::string_view content = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (content.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    input.rows.push_back({input.rows.size() + 1, line, ParseRecordJson(content)});
  }
  return input;
}

StatusOr<RecordInput> ReadCsv(std::string_view text, const Schema& schema) {
  auto rows = ParseCsv(text);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return InvalidInputError("CSV input is empty: expected a header row");
  const std::vector<std::string>& header = rows->front().cells;
  std::set<std::string> seen;
  std::vector<int> field_of_column;
  for (size_t c = 0; c < header.size(); ++c) {
    if (!IsValidUtf8(header[c])) {
      return InvalidInputError(
          fmt::format("CSV header: the name of column {} (\"{}\") is not valid UTF-8", c + 1, ToValidUtf8(header[c])));
    }
  }
  for (const std::string& name : header) {
    if (!seen.insert(name).second) return InvalidInputError("CSV header: column \"" + name + "\" appears twice");
    field_of_column.push_back(schema.IndexOf(name));
  }
  std::string missing;
  for (const FieldSpec& field : schema.fields()) {
    if (!seen.count(field.name)) missing += (missing.empty() ? "\"" : ", \"") + field.name + "\"";
  }
  if (!missing.empty()) return InvalidInputError("CSV header lacks the model's column(s) " + missing);
  RecordInput input{InputFormat::kCsv, false, {}};
  for (size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    InputRow out{r, row.line, InvalidInputError("")};
    if (row.cells.size() != header.size()) {
      out.record = InvalidInputError(fmt::format("has {} cells, the header has {}", row.cells.size(), header.size()));
    } else {
      Record record;
      for (size_t c = 0; c < header.size(); ++c) {
        const int field = field_of_column[c];
        record.Set(header[c], field >= 0 ? schema.ValueFromText(static_cast<size_t>(field), row.cells[c])
                                         : Value::Text(row.cells[c]));
      }
      out.record = std::move(record);
    }
    input.rows.push_back(std::move(out));
  }
  return input;
}

}  // namespace

InputFormat DetectFormat(const std::string& path, std::string_view text) {
  text = SkipUtf8Bom(text);
  if (EndsWith(path, ".json")) return InputFormat::kJson;
  if (EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson")) return InputFormat::kJsonl;
  if (EndsWith(path, ".csv")) return InputFormat::kCsv;
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return InputFormat::kJson;
  if (text[start] == '[') return InputFormat::kJson;
  if (text[start] != '{') return InputFormat::kCsv;
  if (ParseRecordJson(text).ok()) return InputFormat::kJson;  // one object, on one line or many
  return ParseRecordJson(FirstLine(text.substr(start))).ok() ? InputFormat::kJsonl : InputFormat::kJson;
}

StatusOr<RecordInput> ReadRecords(std::string_view text, InputFormat format, const Schema& schema) {
  text = SkipUtf8Bom(text);
  switch (format) {
    case InputFormat::kJson: return ReadJson(text);
    case InputFormat::kJsonl: return ReadJsonl(text);
    case InputFormat::kCsv: return ReadCsv(text, schema);
    case InputFormat::kAuto: break;
  }
  return ReadRecords(text, DetectFormat("", text), schema);
}

}  // namespace stroke::apps
