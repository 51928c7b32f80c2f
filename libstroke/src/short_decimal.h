// Internal: the double nearest a short decimal text, without a general
// parser's cost (std::from_chars is most of the time a CSV number takes).
#ifndef STROKE_SRC_SHORT_DECIMAL_H_
#define STROKE_SRC_SHORT_DECIMAL_H_

#include <cstdint>
#include <string_view>

namespace stroke::internal {

// For a text of the form "d+" or "d+.d+" with at most 15 digits in all:
// true, and *x the double nearest it - the value std::from_chars gives, bit
// for bit. The digits as an integer m < 10^15 and 10^k for the k digits
// after the point (k <= 15) are both exact doubles, so m / 10^k is one IEEE
// division of exact operands: correctly rounded (Clinger, "How to Read
// Floating Point Numbers Accurately", PLDI 1990: the fast path strtod and
// fast_float take too). false, *x untouched, for any other text (a sign, an
// exponent, a leading or trailing point, more digits): the caller asks
// std::from_chars. tests/csv_reader_test.cc compares both on a million texts.
inline bool ParseShortDecimal(std::string_view text, double* x) {
  static constexpr double kPow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (text.empty() || text.size() > 16 || text.front() == '.' || text.back() == '.') return false;
  uint64_t m = 0;
  size_t fraction = 0;  // digits after the point
  bool point = false;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      m = m * 10 + static_cast<uint64_t>(c - '0');
      fraction += point ? 1 : 0;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  if (text.size() - (point ? 1 : 0) > 15) return false;  // 16 digits: m may not be exact
  *x = static_cast<double>(m) / kPow10[fraction];
  return true;
}

}  // namespace stroke::internal

#endif  // STROKE_SRC_SHORT_DECIMAL_H_
