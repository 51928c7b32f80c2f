#include "record_chunker.h"

#include <cstring>

namespace stroke::apps {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kBlankBytes = 64 << 10;  // blank lines held before they are dropped

// The bytes that may end a CSV cell or start a quoted one.
bool IsCsvSpecial(char c) { return c == ',' || c == '\n' || c == '\r' || c == '"'; }

// The next position of one byte value in a text, at or after a given
// position (the text's size: none), searched lazily: however the questions
// come, each byte is looked at once.
class NextOf {
 public:
  NextOf(const std::string& text, char c) : text_(text), c_(c) {}
  size_t From(size_t i) {
    if (!searched_ || at_ < i) {
      const void* p = i < text_.size() ? std::memchr(text_.data() + i, c_, text_.size() - i) : nullptr;
      at_ = p ? static_cast<size_t>(static_cast<const char*>(p) - text_.data()) : text_.size();
      searched_ = true;
    }
    return at_;
  }

 private:
  const std::string& text_;
  const char c_;
  bool searched_ = false;
  size_t at_ = 0;
};

}  // namespace

void RecordChunker::Stop(bool too_long) {
  (too_long ? too_long_ : broken_) = true;
  stop_row_ = next_row_ + records_;
  stop_line_ = row_start_line_;
  stop_is_header_ = csv_ && !have_header_;
}

void RecordChunker::EndRow(size_t after) {
  if (after - row_start_ > max_record_bytes_) return Stop(/*too_long=*/true);
  if (row_has_content_ || !cell_empty_) {
    if (csv_ && !have_header_) {
      have_header_ = true;
      // Its own line break becomes "\n": glued before a later block, a "\r"
      // and that block's first (blank) "\n" would read as one CRLF.
      std::string_view header(pending_.data() + row_start_, after - row_start_);
      if (!header.empty() && header.back() == '\n') header.remove_suffix(1);
      if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
      header_ = std::string(header) + '\n';
      header_lines_ = line_ + 1 - row_start_line_;
    } else {
      ++records_;
    }
  }
  ++line_;
  cell_empty_ = true;
  row_has_content_ = false;
  row_start_ = after;
  row_start_line_ = line_;
  boundary_ = after;
  boundary_line_ = line_;
}

void RecordChunker::Scan(bool at_end) {
  if (stopped()) return;
  const size_t n = pending_.size();
  size_t i = scan_;
  if (!bom_checked_) {
    if (n < kBom.size() && !at_end && kBom.substr(0, n) == pending_) return;  // may yet be a byte-order mark
    bom_checked_ = true;
    if (std::string_view(pending_).substr(0, kBom.size()) == kBom) i = row_start_ = kBom.size();
  }
  NextOf newline(pending_, '\n'), quote(pending_, '"'), cr(pending_, '\r');
  for (; i < n && !stopped(); ++i) {
    if (csv_ && !in_quotes_ && i == row_start_) {  // a row's start: most rows have no quote and no CR
      const size_t end = newline.From(i);          // (a row without its line break yet goes byte by byte)
      if (end < n && quote.From(i) > end && cr.From(i) > end) {
        row_has_content_ = end > i;
        i = end;
        EndRow(i + 1);
        continue;
      }
    }
    const char c = pending_[i];
    if (!csv_) {
      if (c == '\n') {
        EndRow(i + 1);
      } else if (c != ' ' && c != '\t' && c != '\r') {
        row_has_content_ = true;  // what follows up to the line's end cannot change that
        i = newline.From(i) - 1;  // at the line break (or the last byte)
      }
      continue;
    }
    if (in_quotes_) {
      if (c == '"') {
        if (i + 1 == n && !at_end) break;  // a closing quote or the first of "": wait for the next byte
        if (i + 1 < n && pending_[i + 1] == '"') {
          ++i;
        } else {
          in_quotes_ = false;
          cell_empty_ = false;
          if (i + 1 < n && pending_[i + 1] != ',' && pending_[i + 1] != '\n' && pending_[i + 1] != '\r') {
            Stop(/*too_long=*/false);  // text after a closing quote: the input is broken here
          }
        }
      } else if (c == '\n') {
        ++line_;
      }
    } else if (c == '"' && cell_empty_) {
      in_quotes_ = true;
      row_has_content_ = true;
    } else if (c == ',') {
      cell_empty_ = true;
      row_has_content_ = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 == n && !at_end) break;  // CR alone or CRLF: wait for the next byte
      if (c == '\r' && i + 1 < n && pending_[i + 1] == '\n') ++i;
      EndRow(i + 1);
    } else {
      cell_empty_ = false;
      while (i + 1 < n && !IsCsvSpecial(pending_[i + 1])) ++i;  // the rest of the cell
    }
  }
  scan_ = i;
  if (!stopped() && n - row_start_ > max_record_bytes_) Stop(/*too_long=*/true);  // a record not yet whole
}

bool RecordChunker::LaterCsvBlock() const { return csv_ && first_given_ && have_header_; }

size_t RecordChunker::FirstLine() const { return LaterCsvBlock() ? next_line_ - header_lines_ : next_line_; }

RecordBlock RecordChunker::TakeRecords() {
  RecordBlock block;
  block.first_line = FirstLine();
  block.first_row = next_row_;
  block.text = LaterCsvBlock() ? header_ : std::string();
  block.text.append(pending_, 0, boundary_);
  pending_.erase(0, boundary_);
  scan_ -= boundary_;
  row_start_ -= boundary_;
  boundary_ = 0;
  next_line_ = boundary_line_;
  next_row_ += records_;
  records_ = 0;
  first_given_ = true;
  return block;
}

void RecordChunker::DropBlankLines() {
  pending_.erase(0, boundary_);
  scan_ -= boundary_;
  row_start_ -= boundary_;
  boundary_ = 0;
  next_line_ = boundary_line_;
}

std::optional<RecordBlock> RecordChunker::Next(size_t min_bytes, bool at_end) {
  Scan(at_end);
  if (stopped()) {
    if (records_ > 0) return TakeRecords();
    if (!broken_ || rest_given_) return std::nullopt;
    rest_given_ = true;  // the broken record and what follows: ReadInput names the line
    RecordBlock rest{LaterCsvBlock() ? header_ + pending_ : pending_, FirstLine(), next_row_};
    pending_.clear();
    return rest;
  }
  if (at_end) {
    if (records_ > 0 && boundary_ < pending_.size()) return TakeRecords();  // a partial record alone
    if (first_given_ && pending_.empty()) return std::nullopt;
    RecordBlock block{LaterCsvBlock() ? header_ + pending_ : std::move(pending_), FirstLine(), next_row_};
    pending_.clear();
    scan_ = row_start_ = boundary_ = records_ = 0;
    first_given_ = true;
    return block;
  }
  if (records_ == 0 && boundary_ >= kBlankBytes) {
    // Only blank lines wait (and, in CSV, perhaps the header): they carry
    // nothing but their count. A header not yet given goes as the first block.
    if (csv_ && have_header_ && !first_given_) return TakeRecords();
    DropBlankLines();
  }
  if (records_ == 0 || boundary_ < min_bytes) return std::nullopt;
  return TakeRecords();
}

}  // namespace stroke::apps
