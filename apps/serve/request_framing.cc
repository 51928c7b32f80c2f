#include "request_framing.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>

namespace stroke::apps {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §5.6.2: a header name is a token.
bool IsToken(std::string_view s) {
  for (unsigned char c : s) {
    if (!std::isalnum(c) && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// NUL and the other control bytes (tab excepted) have no place in a header value.
bool HasControlBytes(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

Framing Refuse(int status, std::string message) {
  Framing f;
  f.state = Framing::State::kError;
  f.status = status;
  f.message = std::move(message);
  return f;
}

// A Content-Length value: 1*DIGIT. nullopt if it is not one; values past
// 2^63 saturate (they exceed any limit).
std::optional<unsigned long long> ContentLength(std::string_view value) {
  if (value.empty()) return std::nullopt;
  unsigned long long n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n > (1ULL << 60) ? n : n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

}  // namespace

size_t LeadingBlankBytes(std::string_view buffer) {
  size_t n = 0;
  while (n < buffer.size() && (buffer[n] == '\r' || buffer[n] == '\n')) ++n;
  return n;
}

Framing FrameRequest(std::string_view buffer, const FramingLimits& limits) {
  Framing f;
  std::optional<unsigned long long> length;
  std::string_view length_text;  // as the client wrote it (it may not fit any integer)
  bool chunked = false;
  size_t headers = 0;
  size_t line_start = 0;
  bool first_line = true;
  size_t hosts = 0;
  for (;;) {
    const size_t newline = buffer.find('\n', line_start);
    const size_t line_end = newline == std::string_view::npos ? buffer.size() : newline + 1;
    if (first_line && line_end - line_start > limits.max_request_line) {
      return Refuse(414, fmt::format("the request line exceeds {} bytes", limits.max_request_line));
    }
    if (line_end - line_start > limits.max_request_line) {
      return Refuse(431, fmt::format("a header line exceeds {} bytes", limits.max_request_line));
    }
    if (line_end > limits.max_header_bytes) {
      return Refuse(431, fmt::format("the request's headers exceed {} bytes (--max-header-bytes)",
                                     limits.max_header_bytes));
    }
    if (newline == std::string_view::npos) return f;  // the line is still arriving
    if (newline == line_start || buffer[newline - 1] != '\r') {
      return Refuse(400, "malformed request: lines must end with CR LF");
    }
    const std::string_view line = buffer.substr(line_start, newline - 1 - line_start);  // without CR LF
    line_start = line_end;
    if (first_line) {
      first_line = false;
      continue;
    }
    if (line.empty()) break;  // the blank line ends the head
    if (++headers > limits.max_headers) {
      return Refuse(431, fmt::format("the request has more than {} header fields (--max-headers)", limits.max_headers));
    }
    // RFC 9112 §5: name ":" value; no space before the colon, no folded lines.
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || !IsToken(line.substr(0, colon))) {
      return Refuse(400, "malformed header line: expected a name (letters, digits, -) and a colon");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimSpaces(line.substr(colon + 1));
    if (HasControlBytes(value)) return Refuse(400, "header \"" + std::string(name) + "\": control bytes in the value");
    if (EqualsIgnoreCase(name, "Content-Length")) {
      const std::optional<unsigned long long> n = ContentLength(value);
      if (!n) {
        return Refuse(400, "invalid Content-Length \"" + std::string(value.substr(0, 32)) +
                               "\": expected a decimal byte count");
      }
      if (length && *length != *n) return Refuse(400, "two different Content-Length headers");
      length = n;
      length_text = value.substr(0, 32);
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      chunked = true;
    } else if (EqualsIgnoreCase(name, "Host")) {
      if (++hosts > 1) return Refuse(400, "more than one Host header");
    } else if (EqualsIgnoreCase(name, "Expect")) {
      f.expect_continue = EqualsIgnoreCase(value, "100-continue");
    }
  }
  if (chunked) return Refuse(411, "Transfer-Encoding is not accepted: send the body with a Content-Length");
  if (length && *length > limits.max_body_bytes) {
    return Refuse(413, fmt::format("body of {} bytes exceeds the limit of {} (--max-body-bytes)", length_text,
                                   limits.max_body_bytes));
  }
  f.head_complete = true;
  f.head_bytes = line_start;
  f.body_bytes = length.value_or(0);
  f.state = buffer.size() >= f.total() ? Framing::State::kComplete : Framing::State::kIncomplete;
  return f;
}

}  // namespace stroke::apps
