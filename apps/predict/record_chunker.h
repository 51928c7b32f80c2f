// Cutting CSV or JSON Lines text, as it arrives, into blocks of whole records
// that ReadInput (stroke/record_input.h) reads on their own, numbered as in
// the whole input. stroke-predict's reader thread feeds it; its scorer
// threads read the blocks.
//
//   RecordChunker chunker(InputFormat::kCsv);
//   chunker.Append(bytes);                      // as they arrive, any split
//   while (auto block = chunker.Next(64 << 10, /*at_end=*/false)) Score(*block);
//   chunker.Next(0, /*at_end=*/true);            // the rest, at the end of input
#ifndef STROKE_APPS_PREDICT_RECORD_CHUNKER_H_
#define STROKE_APPS_PREDICT_RECORD_CHUNKER_H_

#include <optional>
#include <string>
#include <string_view>

#include "stroke/record_input.h"

namespace stroke::apps {

// A block of whole records: `text` read with first_line / first_row gives
// the rows, lines and errors the whole input would.
struct RecordBlock {
  std::string text;       // CSV blocks after the first start with the header row
  size_t first_line = 1;  // InputOptions::first_line for `text`
  size_t first_row = 1;   // InputOptions::first_row for `text`
};

// Finds record boundaries exactly as the library's readers do: JSON Lines
// end at '\n' (a line of blanks is no record); CSV rows end at a line break
// outside double quotes ("" inside quotes is a quote; CRLF, LF or CR; a row
// of nothing is skipped). A leading byte-order mark is skipped. Not
// thread-safe; one per input.
class RecordChunker {
 public:
  // `format`: kCsv or kJsonl.
  explicit RecordChunker(InputFormat format) : csv_(format == InputFormat::kCsv) {}

  // Adds the next bytes of the input.
  void Append(std::string_view bytes) { pending_.append(bytes); }

  // The next block: every whole record received so far once at least
  // `min_bytes` of them are waiting (min_bytes 0: as soon as one is), else
  // nothing. With `at_end` (no more input will come) all that is left, a
  // last partial record included; the first block is always given, even
  // when empty, so the reader sees an empty input (and a CSV header alone).
  std::optional<RecordBlock> Next(size_t min_bytes, bool at_end);

  // Bytes received but not yet given out in a block.
  size_t pending_bytes() const { return pending_.size(); }
  // The record not yet whole after the last Next(): its bytes so far, and
  // the row and line it starts at (as the whole input numbers them).
  size_t unfinished_bytes() const { return pending_.size() - boundary_; }
  size_t unfinished_row() const { return next_row_ + records_; }
  size_t unfinished_line() const { return boundary_line_; }
  bool unfinished_is_header() const { return csv_ && !have_header_; }  // CSV: the header row is not whole yet

 private:
  void Scan(bool at_end);          // advances scan_ as far as the bytes received decide
  void EndRow(size_t after);       // a row (line) ended just before pending_[after]

  const bool csv_;
  std::string pending_;            // bytes after the last block given out
  size_t scan_ = 0;                // pending_[0, scan_) is scanned
  bool bom_checked_ = false;
  // Scanner state at scan_.
  bool in_quotes_ = false;
  bool cell_empty_ = true;         // CSV: nothing in the current cell yet
  bool row_has_content_ = false;
  size_t line_ = 1;                // line number at scan_
  size_t row_start_ = 0;           // where the current row began in pending_
  size_t row_start_line_ = 1;
  // The last boundary found: pending_[0, boundary_) holds whole records.
  size_t boundary_ = 0;
  size_t boundary_line_ = 1;       // the line starting at boundary_
  size_t records_ = 0;             // records in pending_[0, boundary_)
  // Numbering of the next block.
  size_t next_line_ = 1;
  size_t next_row_ = 1;
  bool first_given_ = false;
  // CSV: the header row (with its line break) and the line breaks inside it.
  bool have_header_ = false;
  std::string header_;
  size_t header_lines_ = 0;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_RECORD_CHUNKER_H_
