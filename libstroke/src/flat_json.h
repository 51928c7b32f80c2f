// Internal: the fast path for the commonest request body, one flat JSON
// object whose values are plain strings (printable ASCII, no escapes),
// numbers, booleans or null:  {"age": 67, "gender": "Male", ...}
// It builds the Record directly, without a JSON DOM. Anything else - nested
// values, escapes, non-ASCII text, long integers, out-of-range numbers,
// duplicate keys, any syntax error - returns false and is left to the full
// parser (record_json.cc), which also writes every error message. So where
// it answers, it answers exactly as the full parser would.
#ifndef STROKE_SRC_FLAT_JSON_H_
#define STROKE_SRC_FLAT_JSON_H_

#include <string_view>

#include "stroke/record.h"

namespace stroke {

bool ParseFlatJsonObject(std::string_view text, Record* out);

}  // namespace stroke

#endif  // STROKE_SRC_FLAT_JSON_H_
