#include "csv_reader.h"

#include <fmt/format.h>

#include <bit>
#include <cstdint>

namespace stroke::internal {
namespace {

// The first of ',', '\n', '\r' in [from, end), or end.
const char* CellEnd(const char* from, const char* end) {
  for (; from < end; ++from) {
    const char c = *from;
    if (c == ',' || c == '\n' || c == '\r') return from;
  }
  return end;
}

// Appends the cells of [begin, end), a row without quotes or line breaks,
// but its last, to `cells`; returns where the last cell starts. Eight bytes
// a step: a comma is a zero byte of the word XOR ",,,,,,,,", found with the
// exact zero-byte test (no borrow between bytes: 0x7F + a byte's low 7 bits
// sets its top bit exactly when they are not all zero).
const char* SplitAtCommas(const char* begin, const char* end, std::vector<std::string_view>* cells) {
  static_assert(std::endian::native == std::endian::little, "the word's first byte is its lowest");
  constexpr uint64_t kCommas = 0x2C2C2C2C2C2C2C2CULL, kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  const char* cell_start = begin;
  const char* p = begin;
  for (; end - p >= 8; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    const uint64_t x = word ^ kCommas;
    uint64_t commas = ~(((x & kLow7) + kLow7) | x | kLow7);  // 0x80 in each comma's byte
    while (commas != 0) {
      const char* comma = p + std::countr_zero(commas) / 8;
      cells->emplace_back(cell_start, static_cast<size_t>(comma - cell_start));
      cell_start = comma + 1;
      commas &= commas - 1;
    }
  }
  for (; p < end; ++p) {
    if (*p == ',') {
      cells->emplace_back(cell_start, static_cast<size_t>(p - cell_start));
      cell_start = p + 1;
    }
  }
  return cell_start;
}

}  // namespace

CsvRowReader::CsvRowReader(std::string_view text, size_t first_line)
    : text_(text), line_(first_line), next_newline_(text, '\n'), next_quote_(text, '"'), next_cr_(text, '\r') {}

bool CsvRowReader::Next(std::vector<std::string_view>* cells) {
  cells->clear();
  unescaped_.clear();
  while (pos_ < text_.size()) {
    // Most rows have no quote and no CR: split them at their commas at once.
    const size_t end = next_newline_.From(pos_);  // the line break, or the text's end
    if (next_quote_.From(pos_) < end || next_cr_.From(pos_) < end) {
      const Read read = ReadGeneral(cells);
      if (read == Read::kBlank) continue;
      return read == Read::kRow;
    }
    row_line_ = line_++;
    const char* const row = text_.data() + pos_;
    const char* const row_end = text_.data() + end;
    pos_ = end + 1;
    if (row == row_end) continue;  // a blank line
    const char* last = SplitAtCommas(row, row_end, cells);
    cells->emplace_back(last, static_cast<size_t>(row_end - last));
    return true;
  }
  return false;
}

// The row at pos_, byte by byte: quoted cells (line breaks inside them
// counted), CR or CRLF line ends.
CsvRowReader::Read CsvRowReader::ReadGeneral(std::vector<std::string_view>* cells) {
  const char* const data = text_.data();
  const size_t n = text_.size();
  row_line_ = line_;
  std::string_view cell;
  bool cell_given = false;  // the current cell has content (or quotes)
  size_t i = pos_;
  for (; i < n; ++i) {
    const char c = data[i];
    if (c == '"' && !cell_given) {
      const size_t start_line = line_, start = i + 1;
      std::string* undoubled = nullptr;  // set at the first "" inside
      for (++i;; ++i) {
        if (i >= n) {
          status_ = InvalidInputError(fmt::format("CSV line {}: unterminated quoted field", start_line));
          pos_ = n;
          return Read::kError;
        }
        if (data[i] == '"' && i + 1 < n && data[i + 1] == '"') {
          if (undoubled == nullptr) undoubled = &unescaped_.emplace_back(data + start, i - start);
          *undoubled += '"';
          ++i;
        } else if (data[i] == '"') {
          break;
        } else {
          if (data[i] == '\n') ++line_;
          if (undoubled != nullptr) *undoubled += data[i];
        }
      }
      cell = undoubled != nullptr ? std::string_view(*undoubled) : std::string_view(data + start, i - start);
      cell_given = true;
      if (i + 1 < n && data[i + 1] != ',' && data[i + 1] != '\n' && data[i + 1] != '\r') {
        status_ = InvalidInputError(fmt::format("CSV line {}: text after a closing quote", line_));
        pos_ = n;
        return Read::kError;
      }
    } else if (c == ',') {
      cells->push_back(cell);
      cell = std::string_view();
      cell_given = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < n && data[i + 1] == '\n') ++i;
      break;
    } else {  // up to the cell's end at once (a quote inside an unquoted cell is a quote)
      const char* end = CellEnd(data + i + 1, data + n);
      cell = std::string_view(data + i, static_cast<size_t>(end - (data + i)));
      cell_given = true;
      i = static_cast<size_t>(end - data) - 1;
    }
  }
  pos_ = i + 1;  // past the line break (or the end)
  ++line_;
  if (cells->empty() && !cell_given) return Read::kBlank;
  cells->push_back(cell);
  return Read::kRow;
}

}  // namespace stroke::internal
