// MLflow's model scoring server protocol (`mlflow models serve`, MLflow 2.x:
// mlflow/pyfunc/scoring_server), for one loaded model. Pure functions of
// (model, body, content type, options); the caller routes the paths and
// counts ProtocolReply::predicted.
//
//   GET  /ping                -> MlflowPing() (MLflow's /health is stroke-serve's own)
//   GET  /version             -> MlflowVersion()
//   POST /invocations         -> MlflowInvocations(model, body, content_type, options)
//
// Request bodies, by Content-Type (its parameters: charset=utf-8 only):
//  application/json: an object with exactly one of
//    {"dataframe_split": {"columns": [...], "data": [[...], ...], "index"?: [...]}}
//        (without "columns", each row holds every input in schema order),
//    {"dataframe_records": [{...}, ...]},
//    {"instances": [...]} - records, or rows in schema order,
//    {"inputs": [...] | {"column": [values...], ...}} - as "instances", or columnar;
//    and optionally "params": {"predict_method": "predict" | "predict_proba"}.
//  text/csv: a header naming the inputs, then one row per record (ReadInput's CSV).
// Response: {"predictions": [...]}, one per record, what the pyfunc flavour of
// the scikit-learn estimator returns from predict(): classification: the
// class label (the bundle's, e.g. "stroke"); regression: the value. With
// predict_method "predict_proba" (or MlflowOptions::probabilities, the
// server-side choice MLflow makes with pyfunc_predict_fn): each record's class
// probabilities in class order.
// Errors, in MLflow's shape {"error_code": ..., "message": ...}:
//  400 BAD_REQUEST - a body that is not JSON or CSV, no or several input
//      keys, a malformed frame; 400 INVALID_PARAMETER_VALUE - a record the
//      schema refuses (naming the row, counted from 0, and the column), an
//      unknown predict_method; 415 (BAD_REQUEST) - a Content-Type other than
//      application/json or text/csv, a charset other than UTF-8, another
//      parameter (MLflow answers these three as text/plain); 413 above
//      ProtocolOptions::max_rows.
#ifndef STROKE_APPS_SERVE_MLFLOW_SCORING_H_
#define STROKE_APPS_SERVE_MLFLOW_SCORING_H_

#include <string>
#include <string_view>

#include "protocol_reply.h"
#include "stroke/model.h"

namespace stroke::apps {

// The MLflow release whose scoring protocol this follows: GET /version's answer.
inline constexpr char kMlflowCompatibleVersion[] = "2.11.1";

struct MlflowOptions {
  ProtocolOptions protocol;    // checks and the row limit
  bool probabilities = false;  // classification: answer probabilities unless the request asks "predict"
};

// GET /ping: 200 with the body "\n" (as MLflow: application/json).
Reply MlflowPing();

// GET /version: 200 with kMlflowCompatibleVersion as the body (as MLflow:
// the bare text, typed application/json).
Reply MlflowVersion();

// POST /invocations: {"predictions": [...]} or an error reply (see above).
// Every record is answered by ScoreRecords: the numbers are those of /predict.
// An empty frame answers {"predictions": []}. Thread-safe (Model is).
ProtocolReply MlflowInvocations(const Model& model, std::string_view body, const std::string& content_type,
                                const MlflowOptions& options);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_MLFLOW_SCORING_H_
