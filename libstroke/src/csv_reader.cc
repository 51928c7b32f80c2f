#include "csv_reader.h"

#include <fmt/format.h>

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
        const char* cell_start = data + i;
        const char* const row_end = data + i + length;
        for (const char* p = cell_start; p < row_end; ++p) {
          if (*p == ',') {
            table.cells.emplace_back(cell_start, static_cast<size_t>(p - cell_start));
            cell_start = p + 1;
          }
        }
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
