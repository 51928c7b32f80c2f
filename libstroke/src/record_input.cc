#include "stroke/record_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <set>

#include "clean_cell.h"
#include "csv_reader.h"
#include "emplace_aggregate.h"

namespace stroke {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view FirstLine(std::string_view text) {
  return text.substr(0, text.find('\n'));
}

// An identifier is a non-empty string or a number below 2^53 in magnitude;
// anything else (absent, null, "", an object, an array, a boolean, text that
// is not UTF-8, a larger number, which a double may hold as another integer)
// would be written back as something else, or as nothing to join on (CSV
// answers write "" and null alike). Its issue, under the identifier column's
// name, or none for a good one; `csv`: a null is an empty cell.
std::optional<Issue> IdIssue(const Value* id, const std::string& id_column, bool csv = false) {
  if (id != nullptr && ((id->kind == Value::Kind::kNumber && std::fabs(id->number) < 0x1p53) ||
                        (id->kind == Value::Kind::kString && !id->text.empty()))) {
    return std::nullopt;  // every row's case: nothing built
  }
  const std::string field = ToValidUtf8(id_column);
  if (id == nullptr) {
    return Issue{field, IssueKind::kMissing, "field required (the identifier column: a non-empty string or a number)"};
  }
  const std::string expected = "expected the identifier, a non-empty string or a number, got ";
  switch (id->kind) {
    case Value::Kind::kNumber:
      return Issue{field, IssueKind::kLimit,
                   "a number identifier must be in [-9007199254740991, 9007199254740991] (beyond, a double does not "
                   "hold every integer: send it as a string), got " + id->Describe()};
    case Value::Kind::kString: return Issue{field, IssueKind::kMissing, expected + "an empty string"};
    case Value::Kind::kNull: return Issue{field, IssueKind::kMissing, expected + (csv ? "an empty cell" : "null")};
    case Value::Kind::kInvalid: return Issue{field, IssueKind::kInvalidValue, expected + id->text};
    default: return Issue{field, IssueKind::kType, expected + id->Describe()};
  }
}

// An identifier cell's value: its text, null when empty (as a JSON null: no
// identifier to join on), kInvalid when not UTF-8. IdIssue refuses the last two.
Value IdFromCell(std::string_view cell) {
  return cell.empty() ? Value() : Value::Text(cell);
}

// Moves `id_column` from row->record to row->id, or its issue to
// row->id_error (the header's contract). The rest of the record stays, a bad
// identifier's row included (--keep-columns carries its other fields).
void TakeId(InputRow* row, const std::string& id_column, const Schema& schema) {
  if (id_column.empty() || !row->record.ok()) return;
  const Value* id = row->record->Find(id_column);
  row->id_error = IdIssue(id, id_column);
  if (id == nullptr) return;
  if (!row->id_error) row->id = *id;
  if (schema.IndexOf(id_column) >= 0) return;  // also a model field: it stays
  Record rest;
  for (const auto& [name, value] : row->record->fields()) {
    if (name != id_column) rest.Set(name, value);
  }
  row->record = std::move(rest);
}

// `records`: ParseRecordsJson(text), `text` without its byte-order mark.
StatusOr<RecordInput> ReadJson(std::string_view text, StatusOr<std::vector<StatusOr<Record>>> records,
                               const InputOptions& options, const Schema& schema) {
  if (!records.ok()) return records.status();
  const size_t start = text.find_first_not_of(" \t\r\n");  // ParseRecordsJson saw a value there
  RecordInput input{InputFormat::kJson, text[start] == '{', {}, {}, {}, std::nullopt};
  input.rows.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    input.rows.push_back({options.first_row + i, 0, std::move((*records)[i]), Value()});
    TakeId(&input.rows.back(), options.id_column, schema);
  }
  return input;
}

// `first`, when given, is the first non-blank line already parsed (by detection).
RecordInput ReadJsonl(std::string_view text, std::optional<Record> first, const InputOptions& options,
                      const Schema& schema) {
  RecordInput input{InputFormat::kJsonl, false, {}, {}, {}, std::nullopt};
  size_t line = options.first_line - 1;
  while (!text.empty()) {
    ++line;
    const size_t end = text.find('\n');
    std::string_view content = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (content.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    StatusOr<Record> record = first ? StatusOr<Record>(std::move(*first)) : ParseRecordJson(content);
    first.reset();
    input.rows.push_back({options.first_row + input.rows.size(), line, std::move(record), Value()});
    TakeId(&input.rows.back(), options.id_column, schema);
  }
  return input;
}

// What a CSV header says: its column names, and where the model's fields
// and the identifier are among them.
struct CsvColumns {
  std::vector<std::string> header;
  std::vector<int> field_of_column;  // the schema's index of each column's field, or -1
  int id_column = -1;                // the identifier's column, when not also a model field
  size_t id_column_at = 0;           // the identifier's column
};

StatusOr<CsvColumns> ReadCsvHeader(const std::vector<std::string_view>& names, const InputOptions& options,
                                   const Schema& schema) {
  CsvColumns columns;
  for (size_t c = 0; c < names.size(); ++c) {
    if (!IsValidUtf8(names[c])) {
      return InvalidInputError(
          fmt::format("CSV header: the name of column {} (\"{}\") is not valid UTF-8", c + 1, ToValidUtf8(names[c])));
    }
    columns.header.emplace_back(names[c]);
  }
  std::set<std::string> seen;
  for (const std::string& name : columns.header) {
    if (!seen.insert(name).second) return InvalidInputError("CSV header: column \"" + name + "\" appears twice");
    columns.field_of_column.push_back(schema.IndexOf(name));
  }
  std::string missing;
  for (const FieldSpec& field : schema.fields()) {
    if (!seen.count(field.name)) missing += (missing.empty() ? "\"" : ", \"") + field.name + "\"";
  }
  if (!missing.empty()) return InvalidInputError("CSV header lacks the model's column(s) " + missing);
  if (!options.id_column.empty()) {
    const auto at = std::find(columns.header.begin(), columns.header.end(), options.id_column);
    if (at == columns.header.end()) {
      return InvalidInputError("CSV header lacks the identifier column \"" + options.id_column + "\"");
    }
    columns.id_column_at = static_cast<size_t>(at - columns.header.begin());
    if (schema.IndexOf(options.id_column) < 0) columns.id_column = static_cast<int>(columns.id_column_at);
  }
  return columns;
}

// Whether a row's cells all pass CheckCell (Schema::CheckCell, its common
// cases inline), each field's input written to inputs[field]. `ascii`: the
// cells are known to be ASCII (no UTF-8 check needed).
bool PrepareCsvRow(Span<const std::string_view> cells, const CsvColumns& columns, const Schema& schema,
                   const CheckOptions& check, bool ascii, double* inputs) {
  for (size_t c = 0; c < cells.size(); ++c) {
    const int field = columns.field_of_column[c];
    if (field < 0) {
      if (!ascii && !IsValidUtf8(cells[c])) return false;
      continue;
    }
    const auto f = static_cast<size_t>(field);
    const FieldSpec& spec = schema.fields()[f];
    const bool clean = ascii ? internal::CleanAsciiCellFast(spec, cells[c], &inputs[f])
                             : internal::CleanCellFast(spec, cells[c], &inputs[f]);
    if (!clean && !schema.CheckCell(f, cells[c], &inputs[f], check)) return false;
  }
  return true;
}

// A row's Record: each cell under its column's name, typed as its field
// (Schema::ValueFromText), the identifier's own column left out.
Record CsvRecord(Span<const std::string_view> cells, const CsvColumns& columns, const Schema& schema) {
  Record record;
  record.Reserve(cells.size());
  for (size_t c = 0; c < cells.size(); ++c) {
    if (static_cast<int>(c) == columns.id_column) continue;
    const int field = columns.field_of_column[c];
    record.Set(columns.header[c], field >= 0 ? schema.ValueFromText(static_cast<size_t>(field), cells[c])
                                             : Value::Text(cells[c]));
  }
  return record;
}

StatusOr<RecordInput> ReadCsv(std::string_view text, const InputOptions& options, const Schema& schema) {
  internal::CsvRowReader reader(text, options.first_line);
  std::vector<std::string_view> cells;
  if (!reader.Next(&cells)) {
    if (!reader.status().ok()) return reader.status();
    return InvalidInputError("CSV input is empty: expected a header row");
  }
  StatusOr<CsvColumns> columns = ReadCsvHeader(cells, options, schema);
  if (!columns.ok()) return columns.status();
  const size_t width = columns->header.size();
  RecordInput input{InputFormat::kCsv, false, columns->header, {}, {}, options.prepare};
  // Prepared rows (InputOptions::prepare) need every column to pass: a column
  // the model lacks is an unknown field unless allowed.
  bool prepare = options.prepare.has_value();
  for (size_t c = 0; c < width && prepare; ++c) {
    prepare = columns->field_of_column[c] >= 0 || static_cast<int>(c) == columns->id_column ||
              options.prepare->allow_unknown_fields;
  }
  // Space for a row a '\n' (the common line end), reserved once: rows are
  // appended in place. Only a hint: a text whose lines end in a lone '\r'
  // has more rows, and both vectors grow for them.
  size_t rows_hint = 1;  // counted with memchr, which skips a row's bytes many at a time (std::count takes one a step)
  for (const char *p = text.data(), *end = p + text.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr; ++p) {
    ++rows_hint;
  }
  input.rows.reserve(rows_hint);
  const size_t num_fields = schema.fields().size();
  if (prepare) input.inputs.assign(rows_hint * num_fields, 0.0);
  // One pass over the whole text (vectorized) instead of one a cell: an
  // ASCII text's cells need no UTF-8 check.
  const bool ascii = prepare && internal::IsAscii(text);
  while (reader.Next(&cells)) {
    // An empty Record from the start: what a prepared row keeps (others replace it).
    InputRow& out = internal::EmplaceAggregate(input.rows, options.first_row + input.rows.size(), reader.line(),
                                               StatusOr<Record>(Record()));
    if (cells.size() != width) {
      out.record = InvalidInputError(fmt::format("has {} cells, the header has {}", cells.size(), width));
      continue;
    }
    if (!options.id_column.empty()) {
      out.id = IdFromCell(cells[columns->id_column_at]);
      out.id_error = IdIssue(&out.id, options.id_column, /*csv=*/true);
      if (out.id_error) out.id = Value();  // written back as null: the cell's bytes are not an identifier
    }
    // A bad identifier's row is answered from its Record.
    const size_t inputs_at = (input.rows.size() - 1) * num_fields;
    if (prepare && inputs_at + num_fields > input.inputs.size()) {  // more rows than the hint
      input.inputs.resize(std::max(2 * input.inputs.size(), inputs_at + num_fields), 0.0);
    }
    out.prepared = prepare && !out.id_error &&
                   PrepareCsvRow(cells, *columns, schema, *options.prepare, ascii, input.inputs.data() + inputs_at);
    if (!out.prepared) out.record = CsvRecord(cells, *columns, schema);
  }
  if (!reader.status().ok()) return reader.status();
  if (prepare) input.inputs.resize(input.rows.size() * num_fields);
  return input;
}

}  // namespace

InputFormat FormatFromPath(std::string_view path) {
  if (EndsWith(path, ".json")) return InputFormat::kJson;
  if (EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson")) return InputFormat::kJsonl;
  if (EndsWith(path, ".csv")) return InputFormat::kCsv;
  return InputFormat::kAuto;
}

StatusOr<RecordInput> ReadInput(std::string_view text, const InputOptions& options, const Schema& schema) {
  text = SkipUtf8Bom(text);
  const InputFormat format = options.format != InputFormat::kAuto ? options.format : FormatFromPath(options.path);
  switch (format) {
    case InputFormat::kJson: return ReadJson(text, ParseRecordsJson(text), options, schema);
    case InputFormat::kJsonl: return ReadJsonl(text, std::nullopt, options, schema);
    case InputFormat::kCsv: return ReadCsv(text, options, schema);
    case InputFormat::kAuto: break;
  }
  // Detection, parsing as it goes: a text starting with "{" is parsed as JSON
  // once, and only when that fails is its first line tried as JSON Lines.
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || text[start] == '[') return ReadJson(text, ParseRecordsJson(text), options, schema);
  if (text[start] != '{') return ReadCsv(text, options, schema);
  StatusOr<std::vector<StatusOr<Record>>> records = ParseRecordsJson(text);
  if (records.ok()) return ReadJson(text, std::move(records), options, schema);  // one object
  StatusOr<Record> first = ParseRecordJson(FirstLine(text.substr(start)));
  if (first.ok()) return ReadJsonl(text, std::move(*first), options, schema);
  return records.status();  // not JSON, and not JSON Lines either
}

}  // namespace stroke
