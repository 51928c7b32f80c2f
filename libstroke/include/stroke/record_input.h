// The one input module of every front end (stroke-predict, stroke-serve,
// the C API): JSON, JSON Lines or CSV text -> numbered records, which
// ScoreRecords (stroke/scoring.h) answers.
//
// Contract of ReadInput:
//  - The format is the declared one (--format, a request's Content-Type), else
//    the one the file name's extension names, else detected from the text -
//    once: the text is parsed a single time whatever its format.
//  - A leading UTF-8 byte-order mark is ignored.
//  - Each record keeps its 1-based number and, for JSON Lines and CSV, its
//    1-based line, so errors can name it. A record that cannot be read is an
//    InputRow holding its error; the others are unaffected.
//  - With an identifier column, each record's field (CSV: column) of that
//    name is taken out of the record into InputRow::id, carried to the
//    answer, not given to the model - unless it is one of the model's fields,
//    which it then also stays. A record without it, or whose identifier is
//    not one (InputRow::id_error), is a bad record; a CSV header without it
//    fails the whole input.
//  - A piece of a longer input (a streaming reader's block of whole records)
//    is read with InputOptions::first_line and first_row, so rows, lines and
//    errors are numbered as in the whole input; a CSV piece after the first
//    starts with the header row again.
//  - The whole input fails (kInvalidInput) only when nothing can be read:
//    not JSON, an empty CSV, a broken quote, a CSV header without one of the
//    model's fields, with a name twice or a name that is not UTF-8.
#ifndef STROKE_RECORD_INPUT_H_
#define STROKE_RECORD_INPUT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stroke/export.h"
#include "stroke/record.h"
#include "stroke/schema.h"

namespace stroke {

enum class InputFormat { kAuto, kJson, kJsonl, kCsv };

struct STROKE_EXPORT InputOptions {
  InputFormat format = InputFormat::kAuto;  // declared; kAuto: from `path`, else detected
  std::string path;                         // the input's file name ("" or "-": none)
  std::string id_column;                    // "": no identifier column
  size_t first_line = 1;                    // the line number of the text's first line
  size_t first_row = 1;                     // the number of the text's first record
  // CSV only: rows whose every cell passes these checks with no issue at all
  // (Schema::CheckCell; other columns: valid UTF-8, allowed as unknown) are
  // kept as their checked inputs (RecordInput::inputs, InputRow::prepared)
  // instead of a Record - several times faster to read and score. Score
  // them with ScoreRecords(model, input, options) and these same check
  // options. Leave unset when the caller reads InputRow::record's fields.
  std::optional<CheckOptions> prepare = std::nullopt;
};

// One input record, or why it could not be read.
struct STROKE_EXPORT InputRow {
  size_t row = 0;   // 1-based record number
  size_t line = 0;  // 1-based line in the input (JSONL, CSV); 0 for JSON
  StatusOr<Record> record = InvalidInputError("not read");
  Value id;         // the identifier column's value (kNull without one)
  // InputOptions::prepare: the row passed the checks; its checked inputs are
  // RecordInput::inputs' row (index in `rows`), and `record` is an empty Record.
  bool prepared = false;
  // The identifier column's problem, under its name: absent, null or empty
  // ("missing"), not a string or a number ("type"), a number beyond
  // 2^53 - 1 in magnitude, which a double may hold as another integer
  // ("limit"), not UTF-8 ("invalid_value"). `id` is then kNull: an answer never carries an
  // identifier that cannot join back. `record` is kept (without the
  // identifier, unless it is a model field); ScoreRecords answers this issue
  // as the row's first error, then the record's own.
  std::optional<Issue> id_error = std::nullopt;
};

struct STROKE_EXPORT RecordInput {
  InputFormat format = InputFormat::kAuto;  // the format actually read
  bool single_object = false;               // JSON input was one object, not an array
  std::vector<std::string> columns;         // CSV: the header's column names, in order
  std::vector<InputRow> rows;
  // With InputOptions::prepare: rows.size() x schema fields float64 values,
  // row-major, in schema order (what Schema::Check writes); meaningful for
  // the rows marked `prepared`. Otherwise empty.
  std::vector<double> inputs;
  std::optional<CheckOptions> prepared_with;  // the InputOptions::prepare the rows were checked with
};

// The format a file name's extension names: .json, .jsonl or .ndjson, .csv;
// kAuto for any other name.
STROKE_EXPORT InputFormat FormatFromPath(std::string_view path);

// Detection, when neither declared nor named by an extension: text starting
// (after blanks) with "[" or holding one object is JSON; several objects
// whose first line is a whole object are JSON Lines; anything else is CSV.
// CSV cells become values through Schema::ValueFromText for the model's
// fields (other columns stay text; a cell that is not UTF-8 becomes a
// kInvalid value, reported under its column's name).
STROKE_EXPORT StatusOr<RecordInput> ReadInput(std::string_view text, const InputOptions& options, const Schema& schema);

}  // namespace stroke

#endif  // STROKE_RECORD_INPUT_H_
