// OipInfer's input side (oip_v2.h): the request's input tensors read and
// checked, then turned into the rows ScoreRecords answers. Internal to
// oip_v2.cc; apart so that each file stays small and testable.
#ifndef STROKE_APPS_SERVE_OIP_V2_TENSORS_H_
#define STROKE_APPS_SERVE_OIP_V2_TENSORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model_json.h"
#include "stroke/record_input.h"
#include "stroke/schema.h"

namespace stroke::apps {

// The tensor datatypes, grouped by how their elements are read.
enum class OipElementKind { kBool, kInteger, kFloat, kBytes };

// The values a datatype holds: whole numbers in [min, max] (INT8: [-128,
// 127], UINT64: [0, 2^64 - 1]); floats of magnitude <= max_magnitude
// (FP16: 65504, FP32: FLT_MAX).
struct OipRange {
  int64_t min = 0;
  uint64_t max = 0;
  double max_magnitude = 0;
};

// One request input tensor, checked for shape and size (not yet for values).
struct OipTensor {
  std::string name;       // valid UTF-8
  std::string datatype;   // as sent: "FP64", "BYTES", ...
  OipElementKind kind = OipElementKind::kFloat;
  OipRange range;  // the datatype's values
  std::vector<uint64_t> shape;        // 1 or 2 dimensions
  std::vector<const Json*> elements;  // row-major, shape's product of them; point into the request
};

// A field's OIP datatype as model metadata announces it:
// number FP64, integer INT64, boolean BOOL, category BYTES.
const char* OipDatatypeOf(FieldType type);

// Reads one element of "inputs": {"name", "shape", "datatype", "data"}
// checked (name a string, shape 1 or 2 whole numbers whose product fits and
// equals the count of data's scalars, flat or nested row-major, a known
// datatype). Errors name the tensor (kInvalidInput).
StatusOr<OipTensor> ReadOipTensor(const Json& input, size_t index);

// The request's rows: record i from row i of every tensor (one per field,
// or one [n, k] tensor in schema order: see oip_v2.h). Errors (kInvalidInput)
// name the tensor and, for a value, the row: a missing, unknown or repeated
// tensor, rows that differ, a datatype a field cannot take, an element not of
// the datatype. n = 0 is an error; more than `max_rows` rows is kOutOfRange-
// like: *too_many is set and the error says how many.
// `matrix` is set when the request used the [n, k] layout.
StatusOr<std::vector<InputRow>> OipRows(const std::vector<OipTensor>& tensors, const Schema& schema,
                                        size_t max_rows, bool* too_many, bool* matrix);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_OIP_V2_TENSORS_H_
