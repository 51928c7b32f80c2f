// Internal: the fast path for the commonest request body, one flat JSON
// object whose values are strings, numbers, booleans or null:
//   {"age": 67, "gender": "Male", "bmi": 36.6, "smoking_status": null}
// simdjson's DOM parser (Debian libsimdjson-dev) checks the whole text -
// grammar, UTF-8, escapes, control characters, trailing content - and the
// Record is built from its result. Anything else returns false and is left
// to the full reader (record_json.cc, json_reader.cc), which writes every
// error message: any text simdjson refuses, a value that is an array or an
// object, a key given twice, an integer beyond 64 bits, a number beyond the
// range of a double. So where it answers, it answers exactly as the full
// reader would: the same fields in the same order, the same Value kinds,
// bit-identical doubles (both parsers round correctly), is_integer for a
// number written without fraction or exponent (-0 is the integer 0).
// tests/flat_record_json_test.cc compares the two on a corpus and on
// mutations of it.
#ifndef STROKE_SRC_FLAT_RECORD_JSON_H_
#define STROKE_SRC_FLAT_RECORD_JSON_H_

#include <string_view>

#include "stroke/record.h"

namespace stroke {

// Parses `text` (no byte-order mark) into *out and returns true, or returns
// false and leaves *out untouched. Thread-safe: each thread has its own
// parser and padded copy of the text (simdjson reads SIMDJSON_PADDING bytes
// past the end, which a string_view does not promise), kept for the next
// call while texts stay small.
bool ParseFlatRecordJson(std::string_view text, Record* out);

}  // namespace stroke

#endif  // STROKE_SRC_FLAT_RECORD_JSON_H_
