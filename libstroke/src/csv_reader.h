// Reading CSV as RFC 4180 writes it: comma-separated, fields optionally in double
// quotes ("" for a quote inside), CRLF or LF line ends, a header row first.
#ifndef STROKE_SRC_CSV_READER_H_
#define STROKE_SRC_CSV_READER_H_

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "stroke/span.h"
#include "stroke/status.h"

namespace stroke::internal {

// The rows of a CSV text. Cells are views into the parsed text (which must
// outlive the table), or into the table itself for a quoted cell holding ""
// (its quotes undoubled): no allocation per cell or per row.
struct CsvTable {
  struct Row {
    size_t line = 0;   // 1-based line where the row starts
    size_t first = 0;  // its cells are cells[first, first + count)
    size_t count = 0;
  };
  std::vector<Row> rows;
  std::vector<std::string_view> cells;
  std::deque<std::string> unescaped;  // quoted cells with "" inside, undoubled (stable addresses)

  Span<const std::string_view> CellsOf(const Row& row) const {
    return Span<const std::string_view>(cells.data() + row.first, row.count);
  }
};

// Splits `text` into rows; blank lines are skipped. kInvalidInput (naming the
// line) for an unterminated quote or text after a closing quote. Lines are
// numbered from `first_line` (a piece of a longer input).
StatusOr<CsvTable> ParseCsv(std::string_view text, size_t first_line = 1);

}  // namespace stroke::internal

#endif  // STROKE_SRC_CSV_READER_H_
