// Reading records from JSON, JSON Lines or CSV text (stroke-predict's input,
// stroke-serve's request bodies), keeping each record's position so that
// errors can name it.
#ifndef STROKE_APPS_COMMON_RECORD_INPUT_H_
#define STROKE_APPS_COMMON_RECORD_INPUT_H_

#include <string>
#include <string_view>
#include <vector>

#include "stroke/record.h"
#include "stroke/schema.h"

namespace stroke::apps {

enum class InputFormat { kAuto, kJson, kJsonl, kCsv };

// One input record, or why it could not be read.
struct InputRow {
  size_t row = 0;   // 1-based record number
  size_t line = 0;  // 1-based line in the input (JSONL, CSV); 0 for JSON
  StatusOr<Record> record = InvalidInputError("not read");
};

struct RecordInput {
  InputFormat format = InputFormat::kAuto;  // the format actually read
  bool single_object = false;               // JSON input was one object, not an array
  std::vector<InputRow> rows;
};

// The format `path`'s extension names, else the one `text` looks like: "["
// or a single object is JSON; several objects whose first line is a whole
// object are JSON Lines; anything else is CSV. A leading UTF-8 byte-order
// mark is ignored.
InputFormat DetectFormat(const std::string& path, std::string_view text);

// Reads every record of `text`, ignoring a leading UTF-8 byte-order mark.
// CSV cells become values through Schema::ValueFromText for the model's
// fields (other columns stay text; a cell that is not UTF-8 becomes a
// kInvalid value, reported under its column's name). kInvalidInput only
// when nothing can be read (not JSON, an empty CSV, a broken quote, a CSV
// header without one of the model's fields or with a name that is not
// UTF-8); a single bad record is an InputRow with an error.
StatusOr<RecordInput> ReadRecords(std::string_view text, InputFormat format, const Schema& schema);

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_RECORD_INPUT_H_
