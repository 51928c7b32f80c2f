// Internal: reading numbers from client text as the JSON parser does.
// (The public UTF-8 helpers are in stroke/status.h and stroke/record.h.)
#ifndef STROKE_SRC_CLIENT_TEXT_H_
#define STROKE_SRC_CLIENT_TEXT_H_

#include <string>
#include <string_view>

namespace stroke {

// Whether a number token (JSON's grammar, or a CSV cell) that
// std::from_chars reports out of range is too big for a double (true) or
// too small, i.e. rounds to zero (false), as strtod would have it.
bool NumberOverflows(std::string_view token);

// "number out of range: <token>", the token shortened when long.
std::string NumberOutOfRange(std::string_view token);

// `text` cut to `max_bytes` (at a byte; ToValidUtf8 mends a cut sequence),
// with "..." when cut: how long client text is quoted in messages.
std::string Shortened(std::string_view text, size_t max_bytes = 40);

}  // namespace stroke

#endif  // STROKE_SRC_CLIENT_TEXT_H_
