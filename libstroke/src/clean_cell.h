// Internal: Schema::CheckCell's fast path, inline so that a reader's loop
// over a row's cells (record_input.cc's CSV rows) runs it without a call a
// cell; Schema::CheckCell runs it first too.
#ifndef STROKE_SRC_CLEAN_CELL_H_
#define STROKE_SRC_CLEAN_CELL_H_

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

#include "short_decimal.h"
#include "stroke/schema.h"

namespace stroke::internal {

inline bool IsAscii(std::string_view text) {
  unsigned char any = 0;
  for (char c : text) any |= static_cast<unsigned char>(c);
  return any < 0x80;
}

// a == b: lengths first, then a byte loop. string_view's == compares the
// bytes of the shorter before the lengths, and memcmp is a call: both cost
// more than the loop for the short names categories have.
inline bool SameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// CheckCell's common cases without building a Value: ASCII text that
// ValueFromText + CheckValue would accept with no issue - a null where the
// field is nullable, a category named exactly, 0/1 for a boolean, a number
// inside the limits and the training range (whole for an integer field, a
// known code where there are codes). Anything else: false, and the general
// route decides (tests/prepared_csv_test.cc checks both agree on every field).
// This one takes a cell already known to be ASCII (a reader that checked its
// whole text at once); CleanCellFast below checks that first.
inline bool CleanAsciiCellFast(const FieldSpec& field, std::string_view text, double* input) {
  bool null = text.empty();
  for (const std::string& token : field.null_tokens) null = null || SameText(text, token);
  if (null) {
    *input = field.impute;
    return field.nullable;
  }
  switch (field.type) {
    case FieldType::kCategory:
      for (size_t i = 0; i < field.categories.size(); ++i) {
        if (SameText(field.categories[i], text)) {
          *input = static_cast<double>(i);
          return true;
        }
      }
      return false;
    case FieldType::kBoolean:
      if (text != "0" && text != "1") return false;
      *input = text == "1" ? 1 : 0;
      return true;
    case FieldType::kNumber:
    case FieldType::kInteger: {
      double x = 0;
      if (!ParseShortDecimal(text, &x)) {  // the common short numbers without from_chars, to the same bits
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
        if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(x)) return false;
      }
      if (field.type == FieldType::kInteger && x != std::floor(x)) return false;
      if (!field.known_codes.empty() &&
          std::find(field.known_codes.begin(), field.known_codes.end(), x) == field.known_codes.end()) {
        return false;
      }
      if (!(x >= field.hard_min && x <= field.hard_max && x >= field.train_min && x <= field.train_max)) return false;
      *input = x;
      return true;
    }
  }
  return false;
}

inline bool CleanCellFast(const FieldSpec& field, std::string_view text, double* input) {
  return IsAscii(text) && CleanAsciiCellFast(field, text, input);
}

}  // namespace stroke::internal

#endif  // STROKE_SRC_CLEAN_CELL_H_
