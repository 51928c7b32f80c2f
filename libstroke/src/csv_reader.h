// Reading CSV as RFC 4180 writes it: comma-separated, fields optionally in double
// quotes ("" for a quote inside), CRLF or LF line ends, a header row first.
#ifndef STROKE_SRC_CSV_READER_H_
#define STROKE_SRC_CSV_READER_H_

#include <string>
#include <string_view>
#include <vector>

#include "stroke/status.h"

namespace stroke::internal {

struct CsvRow {
  size_t line = 0;  // 1-based line where the row starts
  std::vector<std::string> cells;
};

// Splits `text` into rows; blank lines are skipped. kInvalidInput (naming the
// line) for an unterminated quote or text after a closing quote. Lines are
// numbered from `first_line` (a piece of a longer input).
StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text, size_t first_line = 1);

}  // namespace stroke::internal

#endif  // STROKE_SRC_CSV_READER_H_
