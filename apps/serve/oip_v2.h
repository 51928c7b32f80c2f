// The Open Inference Protocol v2 (KServe v2, Triton, MLServer), REST, for one
// loaded model: server and model metadata, and inference. Pure functions of
// (model, names, body, options); the caller routes the paths, answers 404 for
// an unknown model or version, and counts ProtocolReply::predicted.
//
//   GET  /v2                                         -> OipServerMetadata(version)
//   GET  /v2/models/{name}[/versions/{v}]            -> OipModelMetadata(model, name, {v})
//   GET  /v2/models/{name}[/versions/{v}]/ready      -> OipModelReady(name, true)
//   POST /v2/models/{name}[/versions/{v}]/infer      -> OipInfer(model, name, v, body, options)
//
// Inputs, either layout (data flat or nested row-major, `null` = missing):
//  - one tensor per input field, named as the field, shape [n] or [n, 1]:
//    category fields BYTES; number fields FP64/FP32/FP16 or INT*/UINT*;
//    integer fields the same (FP values must be whole); boolean fields BOOL
//    (or 0/1 numbers); BYTES fits every field: each string is read as a CSV
//    cell is (Schema::ValueFromText: "67" for a number field, "true" for a boolean).
//  - one [n, k] tensor, any name not a field's ("input-0"), its k columns the
//    model's inputs in schema order: a numeric datatype when no field is a
//    category, else BYTES (strings read as CSV cells; JSON numbers, booleans
//    and null also taken as they are).
// Outputs (all by default; the request's "outputs" picks some, in its order):
//  classification: probabilities FP64 [n, classes], predict INT64 [n] (class
//  index), label BYTES [n], raw_margin FP64 [n, 1] (binary: the score behind
//  the probability) or [n, classes] (multiclass: every class's raw score);
//  regression: value FP64 [n], predict FP64 [n] (the same value), raw_margin FP64 [n, 1].
// Errors: {"error": "..."} - 400 for a body, tensor or record that does not
// fit (naming the tensor, the row counted from 0 and what was expected),
// 413 for more than ProtocolOptions::max_rows rows.
#ifndef STROKE_APPS_SERVE_OIP_V2_H_
#define STROKE_APPS_SERVE_OIP_V2_H_

#include <string>
#include <string_view>
#include <vector>

#include "protocol_reply.h"
#include "stroke/model.h"

namespace stroke::apps {

// The "platform" model metadata names: <project>_<format>, as the protocol asks.
inline constexpr char kOipPlatform[] = "libstroke_bundle";

// GET /v2: {"name": "stroke-serve", "version": server_version, "extensions": [...]}.
Reply OipServerMetadata(const std::string& server_version, const std::vector<std::string>& extensions = {});

// GET /v2/models/{name}: {"name", "versions", "platform", "inputs", "outputs"};
// one input tensor per schema field ({"name", "datatype", "shape": [-1]}:
// number FP64, integer INT64, boolean BOOL, category BYTES) and the outputs
// OipInfer answers by default, their batch dimension -1.
Reply OipModelMetadata(const Model& model, const std::string& name, const std::vector<std::string>& versions);

// GET /v2/models/{name}/ready: {"name": name, "ready": ready}; 200, or 503 when not ready.
Reply OipModelReady(const std::string& name, bool ready);

// POST /v2/models/{name}[/versions/{version}]/infer: the inference response
// {"model_name": name, "model_version": version (or the bundle's when ""),
// "id" (when the request has one), "outputs": [...]}, or an error reply.
// Every row is answered by ScoreRecords: the numbers are those of /predict.
// Thread-safe (Model is); time linear in the body and the rows x trees.
ProtocolReply OipInfer(const Model& model, const std::string& name, const std::string& version,
                       std::string_view body, const ProtocolOptions& options);

// The protocol's error body {"error": message} with `status`.
Reply OipError(int status, const std::string& message);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_OIP_V2_H_
