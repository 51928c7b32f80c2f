// Writing CSV as RFC 4180 reads it (reading is the library's: stroke/record_input.h).
#ifndef STROKE_APPS_COMMON_CSV_H_
#define STROKE_APPS_COMMON_CSV_H_

#include <string>
#include <string_view>

namespace stroke::apps {

// `cell` as one CSV field: in double quotes ("" for a quote inside) if it
// holds a comma, quote or line break, else as is.
std::string CsvCell(std::string_view cell);
// The same appended to *out (no string built: the hot path of CSV answers).
void AppendCsvCell(std::string_view cell, std::string* out);

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_CSV_H_
