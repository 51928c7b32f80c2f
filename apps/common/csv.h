// CSV as RFC 4180 writes it: comma-separated, fields optionally in double
// quotes ("" for a quote inside), CRLF or LF line ends, a header row first.
#ifndef STROKE_APPS_COMMON_CSV_H_
#define STROKE_APPS_COMMON_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "stroke/status.h"

namespace stroke::apps {

struct CsvRow {
  size_t line = 0;  // 1-based line where the row starts
  std::vector<std::string> cells;
};

// Splits `text` into rows; blank lines are skipped. kInvalidInput (naming the
// line) for an unterminated quote or text after a closing quote.
StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text);

// `cell` quoted if it holds a comma, quote or line break.
std::string CsvCell(std::string_view cell);

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_CSV_H_
