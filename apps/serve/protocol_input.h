// Reading standard-protocol request bodies (oip_v2.h, kserve_v1.h,
// mlflow_scoring.h) into the rows ScoreRecords answers (stroke/scoring.h):
// the JSON they parse, its scalars as stroke Values, records from objects or
// from rows in schema order, the rows scored, and the issues of failed rows
// as one message. Shared so that the protocols read values exactly as one
// another do - and as /predict does (a JSON 3 is an integer, 3.0 is not).
//
//   StatusOr<Json> body = ParseProtocolJson(text);      // duplicate keys refused
//   std::vector<InputRow> rows = RowsFromInstances((*body)["instances"], model.schema());
//   BatchScore scored = ScoreRecords(model, rows, score_options);
//   if (scored.failed) return Error(FailedRowsMessage(scored, where));
#ifndef STROKE_APPS_SERVE_PROTOCOL_INPUT_H_
#define STROKE_APPS_SERVE_PROTOCOL_INPUT_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model_json.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"

namespace stroke::apps {

// Nesting deeper than this (arrays and objects) is refused while parsing.
inline constexpr int kMaxProtocolDepth = 32;
// Issues one error message names at most; the rest are counted.
inline constexpr size_t kReportedIssues = 10;

// Parses a request body (a leading UTF-8 byte-order mark is skipped).
// kInvalidInput, with a message for the client, for text that is not UTF-8,
// not JSON (the parser's reason, with line and column; a number beyond a
// double is one), with a key twice in one object (naming it), or nested
// deeper than kMaxProtocolDepth. Never throws; a body that fails is read a
// second time, for the message only.
StatusOr<Json> ParseProtocolJson(std::string_view body);

// A JSON value as a record's Value: null, a boolean, a number (an integer
// token is_integer), a string; an array or object is kOther ("array");
// a number beyond a double (the parser made it infinite) is kInvalid.
Value JsonToValue(const Json& json);

// A short description of a JSON value for messages: 3, "NaN", null, array.
std::string DescribeJson(const Json& json);

// An object's members as a record, or kInvalidInput naming what `json` is.
StatusOr<Record> RecordFromObject(const Json& json);

// An array of schema.fields().size() values, in schema order, as a record;
// kInvalidInput for another length or a non-array, naming the expected order.
StatusOr<Record> RecordFromRow(const Json& row, const Schema& schema);

// One InputRow per element of `instances` (row = index + 1): a record from an
// object (RecordFromObject) or a row array (RecordFromRow). Any other element
// is an InputRow holding its error, which ScoreRecords reports for that row.
// Precondition: instances.is_array().
std::vector<InputRow> RowsFromInstances(const Json& instances, const Schema& schema);

// Every issue of the rows of `scored` that failed, in row order, as one line:
// "<where(row, issue)>: <message>; ..." - at most kReportedIssues, then
// "; and N more". `row` counts from 0. An empty `where` result leaves the
// message alone. Valid UTF-8 (the issues are).
std::string FailedRowsMessage(const BatchScore& scored,
                              const std::function<std::string(size_t row, const Issue& issue)>& where);

// `names` quoted and comma-separated: "a", "b", "c" (at most 12, then ", ...").
std::string QuotedNames(const std::vector<std::string>& names);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_PROTOCOL_INPUT_H_
