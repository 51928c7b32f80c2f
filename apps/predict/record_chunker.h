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

#include <cstdint>
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
// of nothing is skipped). A leading byte-order mark is skipped. Memory stays
// bounded: blank lines are dropped (their lines still counted) once 64 KB of
// them wait, and a record longer than `max_record_bytes` stops the chunker
// (too_long). A CSV quote closed before text other than a separator stops it
// too (broken): the records before the stop come out, then - when broken -
// the rest as one last block, which ReadInput refuses naming its line. Not
// thread-safe; one per input.
class RecordChunker {
 public:
  // `format`: kCsv or kJsonl. `max_record_bytes`: the longest record, its
  // line break included, that the chunker holds.
  explicit RecordChunker(InputFormat format, size_t max_record_bytes = SIZE_MAX)
      : csv_(format == InputFormat::kCsv), max_record_bytes_(max_record_bytes) {}

  // Adds the next bytes of the input.
  void Append(std::string_view bytes) { pending_.append(bytes); }

  // The next block: every whole record received so far once at least
  // `min_bytes` of them are waiting (min_bytes 0: as soon as one is), else
  // nothing. With `at_end` (no more input will come) all that is left: the
  // whole records, then (next call) a last partial record - an unclosed
  // quote fails alone, after the records before it are answered. The first
  // block is always given, even when empty, so the reader sees an empty
  // input (and a CSV header alone). Once stopped(): the whole records before
  // the stop, then (broken) the rest, then nothing.
  std::optional<RecordBlock> Next(size_t min_bytes, bool at_end);

  // Bytes received but not yet given out in a block.
  size_t pending_bytes() const { return pending_.size(); }

  // True once a record longer than max_record_bytes (whole or not) or a
  // broken CSV quote is met: read no more input.
  bool stopped() const { return too_long_ || broken_; }
  bool too_long() const { return too_long_; }
  // Where it stopped: the record's row and line (as the whole input numbers
  // them), or the CSV header.
  size_t stop_row() const { return stop_row_; }
  size_t stop_line() const { return stop_line_; }
  bool stop_is_header() const { return stop_is_header_; }

 private:
  void Scan(bool at_end);          // advances scan_ as far as the bytes received decide
  void EndRow(size_t after);       // a row (line) ended just before pending_[after]
  void Stop(bool too_long);        // at the current row
  RecordBlock TakeRecords();       // pending_[0, boundary_) as a block
  bool LaterCsvBlock() const;      // a CSV block after the first: it starts with header_
  size_t FirstLine() const;        // the next block's first line (a later CSV block's header's)
  void DropBlankLines();           // pending_[0, boundary_) holds no record: forget it

  const bool csv_;
  const size_t max_record_bytes_;
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
  // CSV: the header row (ending in "\n" whatever its line break was) and the
  // lines it spans.
  bool have_header_ = false;
  std::string header_;
  size_t header_lines_ = 0;
  // Stopped (see stopped()).
  bool too_long_ = false, broken_ = false, rest_given_ = false;
  size_t stop_row_ = 0, stop_line_ = 0;
  bool stop_is_header_ = false;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_RECORD_CHUNKER_H_
