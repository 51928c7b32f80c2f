// KServe's V1 data plane (the TensorFlow Serving-style REST protocol that
// KServe's sklearn, xgboost and lightgbm servers speak), for one loaded model.
// Pure functions of (model, name, body, options); the caller routes the
// paths, answers 404 for an unknown model and counts ProtocolReply::predicted.
//
//   GET  /v1/models/{name}            -> KServeV1ModelStatus(name, true)
//   POST /v1/models/{name}:predict    -> KServeV1Predict(model, body, options)
//
// Request: {"instances": [...]} or {"inputs": [...]} (KServe reads either;
// both at once is a 400), each instance a record {"age": 67, ...} or a row
// [67, ...] of every input in schema order; JSON types as /predict takes them.
// Response: {"predictions": [...]}, one per instance, as KServe's sklearn
// server answers: scikit-learn's predict() - the class (classification: the
// bundle's class label, e.g. "stroke") or the value (regression) - or, with
// KServeV1Options::probabilities (the sklearn server's PREDICT_PROBA=true;
// stroke-serve --predict-proba),
// predict_proba(): each instance's class probabilities in class order.
// Errors: {"error": "..."} - 400 for a body or record that does not fit
// (naming instances[i] and the field), 413 above ProtocolOptions::max_rows.
#ifndef STROKE_APPS_SERVE_KSERVE_V1_H_
#define STROKE_APPS_SERVE_KSERVE_V1_H_

#include <string>
#include <string_view>

#include "protocol_reply.h"
#include "stroke/model.h"

namespace stroke::apps {

struct KServeV1Options {
  ProtocolOptions protocol;    // checks and the row limit
  bool probabilities = false;  // classification: answer class probabilities, not the class (PREDICT_PROBA)
};

// GET /v1/models/{name}: {"name": name, "ready": ready}; 200, or 503 when not ready.
Reply KServeV1ModelStatus(const std::string& name, bool ready);

// POST /v1/models/{name}:predict: {"predictions": [...]} or an error reply.
// Every instance is answered by ScoreRecords: the numbers are those of
// /predict. An empty list answers {"predictions": []}. Thread-safe.
ProtocolReply KServeV1Predict(const Model& model, std::string_view body, const KServeV1Options& options);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_KSERVE_V1_H_
