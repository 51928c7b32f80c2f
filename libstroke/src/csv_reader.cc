#include "csv_reader.h"

#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <cstring>

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

}  // namespace

StatusOr<CsvTable> ParseCsv(std::string_view text, size_t first_line) {
  CsvTable table;
  table.rows.reserve(text.size() / 64 + 1);
  CsvTable::Row row{first_line, 0, 0};
  std::string_view cell;
  bool cell_given = false;  // the current cell has content (or quotes)
  size_t line = first_line;
  size_t row_start = 0;     // where the current row starts in text
  auto end_cell = [&] {
    table.cells.push_back(cell);
    cell = std::string_view();
    cell_given = false;
  };
  auto end_row = [&] {
    const size_t cells_before = row.first;
    if (table.cells.size() > cells_before || cell_given) {  // not a blank line
      end_cell();
      row.count = table.cells.size() - cells_before;
      table.rows.push_back(row);
    }
    row = CsvTable::Row{line + 1, table.cells.size(), 0};
  };
  const char* const data = text.data();
  const size_t n = text.size();
  NextOf next_newline(text, '\n'), next_quote(text, '"'), next_cr(text, '\r');
  for (size_t i = 0; i < n; ++i) {
    if (i == row_start) {  // most rows have no quote and no CR: split them at their commas at once
      const size_t length = next_newline.From(i) - i;  // to the line break or the end
      if (next_quote.From(i) >= i + length && next_cr.From(i) >= i + length) {
        const char* const row_end = data + i + length;
        const char* const cell_start = SplitAtCommas(data + i, row_end, &table.cells);
        cell = std::string_view(cell_start, static_cast<size_t>(row_end - cell_start));
        cell_given = length > 0;
        i += length;  // at the line break (or the end)
        end_row();
        ++line;
        row_start = i + 1;
        continue;
      }
    }
    const char c = data[i];
    if (c == '"' && !cell_given) {
      const size_t start_line = line, start = i + 1;
      std::string* undoubled = nullptr;  // set at the first "" inside
      for (++i;; ++i) {
        if (i >= n) return InvalidInputError(fmt::format("CSV line {}: unterminated quoted field", start_line));
        if (data[i] == '"' && i + 1 < n && data[i + 1] == '"') {
          if (undoubled == nullptr) undoubled = &table.unescaped.emplace_back(data + start, i - start);
          *undoubled += '"';
          ++i;
        } else if (data[i] == '"') {
          break;
        } else {
          if (data[i] == '\n') ++line;
          if (undoubled != nullptr) *undoubled += data[i];
        }
      }
      cell = undoubled != nullptr ? std::string_view(*undoubled) : std::string_view(data + start, i - start);
      cell_given = true;
      if (i + 1 < n && data[i + 1] != ',' && data[i + 1] != '\n' && data[i + 1] != '\r') {
        return InvalidInputError(fmt::format("CSV line {}: text after a closing quote", line));
      }
    } else if (c == ',') {
      end_cell();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < n && data[i + 1] == '\n') ++i;
      end_row();
      ++line;
      row_start = i + 1;
    } else {  // up to the cell's end at once (a quote inside an unquoted cell is a quote)
      const char* end = CellEnd(data + i + 1, data + n);
      cell = std::string_view(data + i, static_cast<size_t>(end - (data + i)));
      cell_given = true;
      i = static_cast<size_t>(end - data) - 1;
    }
  }
  end_row();
  return table;
}

}  // namespace stroke::internal
