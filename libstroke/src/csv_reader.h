// Reading CSV as RFC 4180 writes it: comma-separated, fields optionally in double
// quotes ("" for a quote inside), CRLF or LF line ends, a header row first.
#ifndef STROKE_SRC_CSV_READER_H_
#define STROKE_SRC_CSV_READER_H_

#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "stroke/status.h"

namespace stroke::internal {

// The next position of one byte value in a text at or after a given
// position (the text's size: none), searched lazily: however the questions
// come, each byte is looked at once (a text of CR-only lines stays linear).
class NextOf {
 public:
  NextOf(std::string_view text, char c) : text_(text), c_(c) {}
  size_t From(size_t i) {
    if (!searched_ || at_ < i) {
      const void* p = i < text_.size() ? std::memchr(text_.data() + i, c_, text_.size() - i) : nullptr;
      at_ = p ? static_cast<size_t>(static_cast<const char*>(p) - text_.data()) : text_.size();
      searched_ = true;
    }
    return at_;
  }

 private:
  std::string_view text_;
  char c_;
  bool searched_ = false;
  size_t at_ = 0;
};

// Reads a CSV text a row at a time, so that a row's cells are used while
// they are in cache. Blank lines are skipped. A row is a vector of views into
// the text (which must outlive the reader), or into the reader for a quoted
// cell holding "" (its quotes undoubled): no allocation per cell or row.
class CsvRowReader {
 public:
  // Lines are numbered from `first_line` (the text may be a piece of a longer input).
  explicit CsvRowReader(std::string_view text, size_t first_line = 1);

  // Reads the next row's cells into *cells (cleared first; valid until the
  // next call). false at the end of the text, or at an unterminated quote or
  // text after a closing quote: then status() is kInvalidInput naming the line.
  bool Next(std::vector<std::string_view>* cells);

  // The 1-based line where the row Next read starts.
  size_t line() const { return row_line_; }
  // OK, or why Next stopped before the end.
  const Status& status() const { return status_; }

 private:
  enum class Read { kRow, kBlank, kError };
  Read ReadGeneral(std::vector<std::string_view>* cells);  // a row with quotes or CRs

  std::string_view text_;
  size_t pos_ = 0;       // where the next row starts
  size_t line_;          // the line at pos_
  size_t row_line_ = 0;  // the line where the last row read starts
  NextOf next_newline_, next_quote_, next_cr_;
  std::deque<std::string> unescaped_;  // the last row's quoted cells with "" inside (stable addresses)
  Status status_;
};

}  // namespace stroke::internal

#endif  // STROKE_SRC_CSV_READER_H_
