// Checks on text that came from a client: UTF-8 well-formedness (messages
// quoting client text must stay valid UTF-8: JSON writers refuse anything
// else), byte-order marks, numbers beyond a double.
#include "client_text.h"

#include <cctype>

#include "stroke/record.h"
#include "stroke/status.h"

namespace stroke {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0.
size_t SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong form
    if (b0 == 0xED) hi = 0x9F;  // no surrogate
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong form
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (n > s.size() - i) return 0;
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return n;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, one per bad byte
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string_view SkipUtf8Bom(std::string_view text) {
  return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
}

bool NumberOverflows(std::string_view token) {
  // The decimal exponent of the first significant digit decides: doubles
  // reach 1.8e308 up and 4.9e-324 down, far apart.
  size_t i = token.empty() || token[0] != '-' ? 0 : 1;
  bool significant = false;
  long integer_digits = 0, leading_fraction_zeros = 0;
  for (; i < token.size() && std::isdigit(static_cast<unsigned char>(token[i])); ++i) {
    if (token[i] != '0') significant = true;
    if (significant) ++integer_digits;
  }
  if (i < token.size() && token[i] == '.') {
    for (++i; i < token.size() && std::isdigit(static_cast<unsigned char>(token[i])); ++i) {
      if (!significant && token[i] == '0') ++leading_fraction_zeros;
      if (token[i] != '0') significant = true;
    }
  }
  if (!significant) return false;  // zero never overflows
  // The first significant digit's power of ten, before the exponent.
  const long position = integer_digits > 0 ? integer_digits - 1 : -(leading_fraction_zeros + 1);
  long exponent = 0;
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    const bool negative = i < token.size() && token[i] == '-';
    if (i < token.size() && (token[i] == '-' || token[i] == '+')) ++i;
    for (; i < token.size() && std::isdigit(static_cast<unsigned char>(token[i])); ++i) {
      if (exponent < 100000) exponent = exponent * 10 + (token[i] - '0');  // far beyond either end
    }
    if (negative) exponent = -exponent;
  }
  return position + exponent > 0;
}

std::string NumberOutOfRange(std::string_view token) { return "number out of range: " + Shortened(token); }

std::string Shortened(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return std::string(text.substr(0, max_bytes)) + "...";
}

}  // namespace stroke
