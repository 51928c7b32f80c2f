#include "csv.h"

namespace stroke::apps {

std::string CsvCell(std::string_view cell) {
  std::string out;
  AppendCsvCell(cell, &out);
  return out;
}

namespace {

// Whether `cell` holds a byte that needs quotes. A loop, not
// find_first_of(",\"\r\n"), which calls memchr over the set for every byte
// (a CSV answer's identifier and label cells: 3 % of stroke-predict's time).
bool NeedsQuotes(std::string_view cell) {
  for (const char c : cell) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

}  // namespace

void AppendCsvCell(std::string_view cell, std::string* out) {
  if (!NeedsQuotes(cell)) {
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
