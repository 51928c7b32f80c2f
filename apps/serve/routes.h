// stroke-serve's routes as plain functions of a request's parts: each returns
// a Reply (status, body, content type), so they are testable without a
// socket. Server (server.h) wires them to HTTP, with auth and hardening.
#ifndef STROKE_APPS_SERVE_ROUTES_H_
#define STROKE_APPS_SERVE_ROUTES_H_

#include <memory>
#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "compression.h"
#include "event_log.h"
#include "metrics.h"
#include "model_json.h"
#include "openapi.h"
#include "stroke/model.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"

namespace stroke::apps {

// Swagger UI's script and style, precompressed once.
struct SwaggerAssets {
  StaticAsset js, css;
};
// Reads swagger-ui-bundle.js and swagger-ui.css from `dir`; null when either is missing.
std::shared_ptr<const SwaggerAssets> LoadSwaggerAssets(const std::string& dir);

struct RouteSettings {
  size_t max_batch_rows = 1000;  // records in one /predict body
  size_t max_body_bytes = 1 << 20;  // --max-body-bytes: shown in GET /model's limits
  bool refuse_unknown_categories = false;  // --refuse-unknown-categories: for every request
  std::string server_version;
  // Swagger UI's files for /docs, loaded once and shared by every model's
  // routes (LoadSwaggerAssets), or null: /docs is a plain page.
  std::shared_ptr<const SwaggerAssets> swagger;
  // The name and version answers, logs and metrics carry; "" = the bundle's
  // (model.name, model.version). A model repository sets its own.
  std::string model_name, model_version;
};

// Who asked: set by the server before a handler runs.
struct RequestInfo {
  std::string id;    // X-Request-Id, accepted or generated
  std::string user;  // authenticated user or key name, "" when auth is off
  std::string route; // the route template
  std::string remote; // the peer's address (the socket's, never a header's)
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();  // request received
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  const StaticAsset* asset = nullptr;  // a static file: sent instead of body, precompressed, with its ETag
};

// A JSON reply.
Reply JsonReply(int status, const Json& body);
// {"error": message, "request_id": id} with `status`.
Reply ErrorReply(int status, const std::string& message, const std::string& request_id);

class Routes {
 public:
  Routes(const Model& model, RouteSettings settings, Metrics* metrics, EventLog* log);

  // The record routes take `unknown_categories`, the query parameter of that
  // name: "" (absent) or "accept" - an unknown category is answered as the
  // bundle says (accepted with an unknown_category warning where it declares
  // unknown_category, else refused) - or "refuse": it is a 422 naming the
  // field. --refuse-unknown-categories makes every request "refuse". Any other
  // value is a 422 naming the parameter and the allowed values.
  //
  // /predict, /predict_proba and /explain take `id_column`, the query
  // parameter of that name: "" (absent) or a field (CSV: column) that each
  // record carries, not given to the model but answered first in its answer
  // as "id" (and in its audit line after "row"). A record without it is a
  // 422 naming it. /explain?format=dashboard answers no ids.

  // POST /prediction: the original stroke API.
  Reply Prediction(const RequestInfo& who, const std::string& body, const std::string& content_type,
                   const std::string& unknown_categories = "") const;
  // POST /predict: a record, an array of records, or text/csv.
  Reply Predict(const RequestInfo& who, const std::string& body, const std::string& content_type,
                const std::string& unknown_categories = "", const std::string& id_column = "") const;
  // POST /predict_proba: the lung API's shape.
  Reply PredictProba(const RequestInfo& who, const std::string& body, const std::string& content_type,
                     const std::string& unknown_categories = "", const std::string& id_column = "") const;

  // POST /explain: /predict's answers with TreeSHAP explanations;
  // format "dashboard": the credit-scoring API's {values, feat, data, base}.
  Reply Explain(const RequestInfo& who, const std::string& body, const std::string& content_type,
                const std::string& format, const std::string& unknown_categories = "",
                const std::string& id_column = "") const;

  // `ready`: false while the server shuts down.
  // Writes one audit line per answered row (when the audit log is on) and
  // counts the predictions: for requests answered outside these routes (the
  // standard protocols), in the same format as /predict's lines.
  void Answered(const RequestInfo& who, const std::vector<InputRow>& rows, const BatchScore& scored) const;

  Reply Health(bool ready) const;
  Reply Livez() const;
  // 503 while shutting down; else 200 with "log_store" (LogStoreHealthJson),
  // "degraded" included.
  Reply Readyz(bool ready) const;
  Reply ModelMetadata() const;
  Reply Features() const;
  // GET /features/{name}/distribution: the training histogram of a feature per class.
  Reply Distribution(const std::string& feature, const std::string& request_id) const;
  // GET /logs, /logs/stats and DELETE /logs: 503 naming the log store when
  // it cannot be read or cleared (Redis down).
  Reply Logs(const RequestInfo& who, const std::string& limit, const std::string& offset, const std::string& level) const;
  Reply LogStats(const RequestInfo& who) const;
  Reply ClearLogs(const RequestInfo& who) const;
  Reply MetricsText() const;
  // GET /openapi.json: this model's schema and the server's routes (`api`).
  Reply OpenApi(const ApiSurface& api) const;
  // GET /docs ("" = the page) and its static files.
  Reply Docs(const std::string& file, const std::string& request_id, const ApiSurface& api) const;

  // The name and version this model answers under (RouteSettings, else the bundle's).
  const std::string& model_name() const { return model_name_; }
  const std::string& model_version() const { return model_version_; }

 private:
  struct Outcome;  // records read and predicted, or the reply explaining why not
  // What a record route asks of Run.
  struct RunOptions {
    bool object_only = false;     // the body must be one JSON object (/prediction)
    // Every answer's /predict object is wanted (Outcome::rendered), not only
    // the first (which the log keeps).
    bool render_all = false;
    bool keep_features = false;   // Outcome::scored keeps each record's features (/explain)
    std::string unknown_categories;  // the query parameter: "", "accept" or "refuse"
    std::string id_column;           // the query parameter, or ""
  };
  // Reads the body (ReadInput) and answers it (ScoreRecords): the record
  // routes' one path; all they add is their reply's shape.
  Outcome Run(const RequestInfo& who, const std::string& body, const std::string& content_type,
              const RunOptions& options) const;
  // The /predict object of `p` as JSON text, continuing `outputs`, the text of
  // its PredictionFields: each answer is rendered once, for the reply, the log
  // and the audit line.
  // `id`: the "id" member's JSON text, first, or "" for none.
  std::string AnswerText(const RecordPrediction& p, std::string outputs, const std::string& id) const;
  // The prediction fields of `p` (PredictionFields) as one JSON object's text.
  std::string OutputsText(const RecordPrediction& p) const;
  // One audit line: who asked, the row (and its id's JSON text, or ""), the
  // record as sent, `outputs` (OutputsText), this model and the latency.
  void Audit(const RequestInfo& who, size_t row, const std::string& id, const Record& inputs,
             const std::string& outputs, double latency_ms) const;
  // {"model", "model_version", "n_rows", "predictions": [answers]} as JSON text.
  std::string BatchText(std::vector<std::string> answers) const;
  std::string Message(const RecordPrediction& p) const;  // a one-line summary of the answer

  const Model& model_;
  const RouteSettings settings_;
  Metrics* metrics_;
  EventLog* log_;
  const std::chrono::steady_clock::time_point started_;
  const std::string started_at_;
  const std::string model_name_, model_version_;
  const std::string model_text_, model_version_text_;  // model_name_ and model_version_ as JSON text
  const std::shared_ptr<std::atomic<uint64_t>> predicted_;  // this version's stroke_predictions_total
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_ROUTES_H_
