#include "record_chunker.h"

#include <cstring>

namespace stroke::apps {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The bytes that may end a CSV cell or start a quoted one.
bool IsCsvSpecial(char c) { return c == ',' || c == '\n' || c == '\r' || c == '"'; }

}  // namespace

void RecordChunker::EndRow(size_t after) {
  if (row_has_content_ || !cell_empty_) {
    if (csv_ && !have_header_) {
      have_header_ = true;
      header_ = pending_.substr(row_start_, after - row_start_);
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
  const size_t n = pending_.size();
  size_t i = scan_;
  if (!bom_checked_) {
    if (n < kBom.size() && !at_end && kBom.substr(0, n) == pending_) return;  // may yet be a byte-order mark
    bom_checked_ = true;
    if (std::string_view(pending_).substr(0, kBom.size()) == kBom) i = row_start_ = kBom.size();
  }
  for (; i < n; ++i) {
    if (csv_ && !in_quotes_ && i == row_start_) {  // a row's start: most rows have no quote and no CR
      // (A row without its line break yet goes byte by byte below.)
      const char* row = pending_.data() + i;
      const void* newline = std::memchr(row, '\n', n - i);
      const size_t length = newline ? static_cast<size_t>(static_cast<const char*>(newline) - row) : 0;
      if (newline && !std::memchr(row, '"', length) && !std::memchr(row, '\r', length)) {
        row_has_content_ = length > 0;
        i += length;
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
        const void* end = std::memchr(pending_.data() + i, '\n', n - i);
        i = end ? static_cast<size_t>(static_cast<const char*>(end) - pending_.data()) - 1 : n - 1;
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
}

std::optional<RecordBlock> RecordChunker::Next(size_t min_bytes, bool at_end) {
  Scan(at_end);
  const bool later_csv_block = csv_ && first_given_ && have_header_;
  RecordBlock block;
  block.first_line = later_csv_block ? next_line_ - header_lines_ : next_line_;
  block.first_row = next_row_;
  if (at_end) {
    if (first_given_ && pending_.empty()) return std::nullopt;
    block.text = later_csv_block ? header_ + pending_ : std::move(pending_);
    pending_.clear();
    scan_ = row_start_ = boundary_ = records_ = 0;
    first_given_ = true;
    return block;
  }
  if (records_ == 0 || boundary_ < min_bytes) return std::nullopt;
  block.text = later_csv_block ? header_ : std::string();
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

}  // namespace stroke::apps
