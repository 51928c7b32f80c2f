// ParseProtocolJson's fast path (protocol_input.h): simdjson reads the body
// and the nlohmann DOM the protocols use is built from its tape, about four
// times fewer instructions than nlohmann's own parser on an OIP request
// (docs/benchmarks.md). It answers only what it can answer exactly as the
// full parser would; everything else - not JSON, a number beyond 64 bits or
// a double, a key twice in one object, nesting beyond the limit - it leaves
// to the full parser, which names the problem.
#ifndef STROKE_APPS_SERVE_PROTOCOL_JSON_FAST_H_
#define STROKE_APPS_SERVE_PROTOCOL_JSON_FAST_H_

#include <string_view>

#include "model_json.h"

namespace stroke::apps {

// Parses `text` (valid UTF-8 without NUL bytes, as ParseProtocolJson checks
// first) into *out, as nlohmann::ordered_json::parse would: keys in document
// order, a whole number without sign an unsigned integer, a negative one a
// signed integer, one with a fraction or exponent a double. Returns false,
// leaving *out unspecified, for anything the full parser must answer: a
// parse error, an integer beyond 64 bits, a number beyond a double, a key
// twice in one object, arrays and objects nested deeper than `max_depth`, a
// zero in a text that holds "-0" (nlohmann types "-0" apart from "0").
// Thread-safe (each thread reuses its own parser for texts up to 64 KiB).
bool ParseJsonFast(std::string_view text, int max_depth, Json* out);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_PROTOCOL_JSON_FAST_H_
