#include "csv_reader.h"

#include <fmt/format.h>

namespace stroke::internal {

StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text, size_t first_line) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string cell;
  size_t line = first_line;
  bool row_has_content = false;
  auto end_row = [&] {
    if (row_has_content || !cell.empty() || !row.cells.empty()) {
      row.cells.push_back(std::move(cell));
      rows.push_back(std::move(row));
    }
    const size_t width = rows.empty() ? 0 : rows.back().cells.size();
    row = CsvRow{line + 1, {}};
    row.cells.reserve(width);  // rows are as wide as the last, usually
    cell.clear();
    row_has_content = false;
  };
  row.line = first_line;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' && cell.empty()) {
      const size_t start_line = line;
      for (++i;; ++i) {
        if (i >= text.size()) {
          return InvalidInputError(fmt::format("CSV line {}: unterminated quoted field", start_line));
        }
        if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else if (text[i] == '"') {
          break;
        } else {
          if (text[i] == '\n') ++line;
          cell += text[i];
        }
      }
      row_has_content = true;
      if (i + 1 < text.size() && text[i + 1] != ',' && text[i + 1] != '\n' && text[i + 1] != '\r') {
        return InvalidInputError(fmt::format("CSV line {}: text after a closing quote", line));
      }
    } else if (c == ',') {
      row.cells.push_back(std::move(cell));
      cell.clear();
      row_has_content = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
    } else {  // up to the cell's end at once (a quote inside an unquoted cell is a quote)
      size_t end = i + 1;
      while (end < text.size() && text[end] != ',' && text[end] != '\n' && text[end] != '\r') ++end;
      cell.append(text.data() + i, end - i);
      i = end - 1;
    }
  }
  end_row();
  return rows;
}

}  // namespace stroke::internal
