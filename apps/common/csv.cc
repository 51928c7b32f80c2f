#include "csv.h"

namespace stroke::apps {

std::string CsvCell(std::string_view cell) {
  std::string out;
  AppendCsvCell(cell, &out);
  return out;
}

void AppendCsvCell(std::string_view cell, std::string* out) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(cell);
    return;
  }
  *out += '"';
  for (char c : cell) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

}  // namespace stroke::apps
