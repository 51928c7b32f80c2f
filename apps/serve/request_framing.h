// Framing of HTTP/1.1 requests as their bytes arrive (RFC 9112 §2-§6): where
// one request ends in a connection's buffer, decided before any handler runs,
// so that the header and body limits hold while reading and pipelined
// requests stay in their order.
//
//   Framing f = FrameRequest(buffer, limits);
//   if (f.state == Framing::State::kComplete) Handle(buffer.substr(0, f.total()));
//
// Pure functions of the bytes: no socket, no allocation beyond the message.
#ifndef STROKE_APPS_SERVE_REQUEST_FRAMING_H_
#define STROKE_APPS_SERVE_REQUEST_FRAMING_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace stroke::apps {

struct FramingLimits {
  size_t max_request_line = 8192;   // bytes of one line with its CR LF (httplib's own limit):
                                    // the request line (414 above) or a header line (431 above)
  size_t max_header_bytes = 16384;  // request line + headers + blank line; 431 above
  size_t max_headers = 100;         // header fields; 431 above
  size_t max_body_bytes = 1 << 20;  // Content-Length; 413 above
};

struct Framing {
  enum class State {
    kIncomplete,  // more bytes are needed
    kComplete,    // total() bytes hold one request
    kError,       // refuse with `status` and close the connection
  };
  State state = State::kIncomplete;
  bool head_complete = false;  // the blank line after the headers has arrived
  size_t head_bytes = 0;       // request line, headers and blank line (when head_complete)
  size_t body_bytes = 0;       // the Content-Length (when head_complete)
  bool expect_continue = false;  // "Expect: 100-continue"
  int status = 0;              // kError: 400, 411, 413, 414 or 431
  std::string message;         // kError: what was wrong, for the client
  size_t total() const { return head_bytes + body_bytes; }
};

// Frames the request at the start of `buffer` (leading blank lines already
// removed). A request has a body only with Content-Length: Transfer-Encoding
// is refused (411). What a proxy in front could read differently is refused
// with 400 (RFC 9112 request smuggling): two different Content-Length values
// or one that is not a decimal number, a line not ending in CR LF, a header
// line without a token name and a colon (space before the colon, folded
// lines), control bytes in a value, two Host headers.
Framing FrameRequest(std::string_view buffer, const FramingLimits& limits);

// The number of CR and LF bytes that start `buffer` (RFC 9112 §2.2: blank
// lines before a request line are ignored).
size_t LeadingBlankBytes(std::string_view buffer);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_REQUEST_FRAMING_H_
