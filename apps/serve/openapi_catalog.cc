#include "openapi_catalog.h"

#include <map>

namespace stroke::apps {
namespace {

const std::string kInvalid = "a field is missing, unknown, of the wrong type or outside its limits";
const std::string kTooMany = "more records than --max-batch-rows";
const std::string kNotJson = "a body type other than the route reads";
const std::string kUnknownModel = "no model (or version) of that name";
const std::string kNotReady = "the model is not ready (loading, failed, or shutting down)";

using Catalog = std::map<std::pair<std::string, std::string>, RouteDoc>;

void AddRecordRoutes(Catalog& c) {
  const unsigned records_query = kQueryUnknownCategories | kQueryIdColumn;
  c[{"POST", "/prediction"}] = {"prediction", "predictions",
                                "The original stroke API: {\"prediction\": 0|1, \"proba\": P rounded to 4 places}",
                                ApiBody::kRecord, kQueryUnknownCategories, ApiAnswer::kPrediction,
                                {{415, kNotJson}, {422, kInvalid}}};
  c[{"POST", "/predict"}] = {"predict", "predictions",
                             "Predict one record (an object), a batch (an array) or a CSV body",
                             ApiBody::kRecords, records_query, ApiAnswer::kObject,
                             {{413, kTooMany}, {415, kNotJson}, {422, kInvalid}}};
  c[{"POST", "/predict_proba"}] = {"predictProba", "predictions",
                                   "The lung API's shape: prediction, probabilities per class, message",
                                   ApiBody::kRecords, records_query, ApiAnswer::kObject,
                                   {{404, "the model is a regression: it has no class probabilities"},
                                    {413, kTooMany}, {415, kNotJson}, {422, kInvalid}}};
  c[{"POST", "/explain"}] = {"explain", "predictions",
                             "/predict's answers with each input's TreeSHAP contribution (format=dashboard: "
                             "the credit-scoring API's {values, feat, data, base})",
                             ApiBody::kRecords, records_query | kQueryExplainFormat, ApiAnswer::kObject,
                             {{413, kTooMany}, {415, kNotJson}, {422, kInvalid}}};
  c[{"GET", "/model"}] = {"getModel", "model", "Model metadata, metrics, threshold, labels and input schema"};
  c[{"GET", "/features"}] = {"getFeatures", "model", "The model's features and inputs"};
  c[{"GET", "/features/{name}/distribution"}] = {
      "getFeatureDistribution", "model",
      "A feature's training histogram per class: {feature, bins, edges, counts: {label: [...]}}",
      ApiBody::kNone, kQueryNone, ApiAnswer::kObject,
      {{404, "no such feature, or the bundle carries no distribution for it"}}};
}

void AddOperationRoutes(Catalog& c) {
  c[{"GET", "/health"}] = {"health", "operations", "Status, model, uptime, build version"};
  c[{"GET", "/livez"}] = {"livez", "operations", "The process is alive (never depends on the model)"};
  c[{"GET", "/readyz"}] = {"readyz", "operations", "A model is loaded and serving", ApiBody::kNone, kQueryNone,
                           ApiAnswer::kObject, {{503, "not ready"}}};
  c[{"GET", "/logs"}] = {"getLogs", "operations", "Recent predictions and errors, newest first",
                         ApiBody::kNone, kQueryLogPage, ApiAnswer::kObject,
                         {{422, "limit, offset or level out of range"},
                          {503, "the log store cannot be read (Redis unreachable or refusing)"}}};
  c[{"DELETE", "/logs"}] = {"clearLogs", "operations", "Clear the recent events (admins only)",
                            ApiBody::kNone, kQueryNone, ApiAnswer::kObject,
                            {{403, "not an admin"}, {503, "the log store cannot be cleared"}}};
  c[{"GET", "/logs/stats"}] = {"getLogStats", "operations", "Counts of the recent events", ApiBody::kNone,
                               kQueryNone, ApiAnswer::kObject, {{503, "the log store cannot be read"}}};
  c[{"GET", "/metrics"}] = {"metrics", "operations", "Prometheus metrics (text format 0.0.4)", ApiBody::kNone,
                            kQueryNone, ApiAnswer::kText};
  c[{"GET", "/openapi.json"}] = {"openapi", "pages", "This document"};
  c[{"GET", "/docs"}] = {"docs", "pages", "This documentation as a page (Swagger UI, or a plain page)",
                         ApiBody::kNone, kQueryNone, ApiAnswer::kHtml};
  c[{"GET", "/docs/{file}"}] = {"docsFile", "pages", "Swagger UI's script and style", ApiBody::kNone, kQueryNone,
                                ApiAnswer::kFile, {{404, "no such file"}}};
  c[{"GET", "/ui"}] = {"ui", "pages", "A page people can use: the model's form, answers and explanations",
                       ApiBody::kNone, kQueryNone, ApiAnswer::kHtml};
  c[{"GET", "/ui/{file}"}] = {"uiFile", "pages", "The page's script, style and chart library", ApiBody::kNone,
                              kQueryNone, ApiAnswer::kFile, {{404, "no such file"}}};
  c[{"GET", "/"}] = {"root", "pages", "Redirects (307) to /docs", ApiBody::kNone, kQueryNone, ApiAnswer::kRedirect};
}

void AddRepositoryRoutes(Catalog& c) {
  c[{"GET", "/models"}] = {"listModels", "repository", "The model repository: names, versions, states and aliases"};
  c[{"PUT", "/models/{model}/aliases/{alias}"}] = {
      "setAlias", "repository", "Point an alias at a servable version (admins only)", ApiBody::kAliasVersion,
      kQueryNone, ApiAnswer::kObject,
      {{403, "not an admin"}, {404, kUnknownModel}, {422, "no such version, or it cannot serve"}}};
  c[{"DELETE", "/models/{model}/aliases/{alias}"}] = {"deleteAlias", "repository", "Remove an alias (admins only)",
                                                      ApiBody::kNone, kQueryNone, ApiAnswer::kObject,
                                                      {{403, "not an admin"}, {404, "no such model or alias"}}};
  c[{"POST", "/admin/reload"}] = {"reload", "repository", "Read the model repository again (admins only)",
                                  ApiBody::kNone, kQueryNone, ApiAnswer::kObject, {{403, "not an admin"}}};
  c[{"POST", "/models/{model}/train"}] = {
      "train", "training", "Retrain from a CSV with the target column; a new version when it passes (admins only)",
      ApiBody::kTrainingCsv, kQueryPromote, ApiAnswer::kObject,
      {{403, "not an admin"}, {404, kUnknownModel}, {422, "the CSV or the training spec is refused"},
       {501, "no --model-repository to write a version to"}, {503, "a training job already runs"}}};
  c[{"GET", "/jobs"}] = {"listJobs", "training", "Training jobs, newest first (admins only)", ApiBody::kNone,
                         kQueryNone, ApiAnswer::kObject, {{403, "not an admin"}}};
  c[{"GET", "/jobs/{id}"}] = {"getJob", "training", "One training job (admins only)", ApiBody::kNone, kQueryNone,
                              ApiAnswer::kObject, {{403, "not an admin"}, {404, "no such job"}}};
}

void AddProtocolRoutes(Catalog& c) {
  const std::string oip = "Open Inference Protocol v2";
  c[{"GET", "/v2"}] = {"oipServerMetadata", oip, "Server metadata"};
  c[{"GET", "/v2/health/live"}] = {"oipLive", oip, "The server is live"};
  c[{"GET", "/v2/health/ready"}] = {"oipReady", oip, "The server is ready", ApiBody::kNone, kQueryNone,
                                    ApiAnswer::kObject, {{503, "not ready"}}};
  c[{"POST", "/v2/repository/index"}] = {"oipRepositoryIndex", oip, "The models and their states"};
  for (const std::string version : {"", "/versions/{version}"}) {
    const std::string id = version.empty() ? "" : "Version";
    const std::string path = "/v2/models/{model}" + version;
    c[{"GET", path}] = {"oipModelMetadata" + id, oip, "Model metadata: inputs and outputs as tensors",
                        ApiBody::kNone, kQueryNone, ApiAnswer::kObject, {{404, kUnknownModel}}};
    c[{"GET", path + "/ready"}] = {"oipModelReady" + id, oip, "The model is ready", ApiBody::kNone, kQueryNone,
                                   ApiAnswer::kObject, {{404, kUnknownModel}, {503, kNotReady}}};
    c[{"POST", path + "/infer"}] = {"oipInfer" + id, oip, "Inference: one input tensor per field",
                                    ApiBody::kOipInfer, kQueryNone, ApiAnswer::kObject,
                                    {{400, "the request does not fit the model"}, {404, kUnknownModel},
                                     {413, kTooMany}, {503, kNotReady}}};
  }
  const std::string kserve = "KServe v1";
  c[{"GET", "/v1/models"}] = {"kserveListModels", kserve, "The models served"};
  c[{"GET", "/v1/models/{model}"}] = {"kserveModel", kserve, "A model's readiness", ApiBody::kNone, kQueryNone,
                                      ApiAnswer::kObject, {{404, kUnknownModel}, {503, kNotReady}}};
  c[{"POST", "/v1/models/{model}:predict"}] = {"kservePredict", kserve, "Predict {\"instances\": [records]}",
                                               ApiBody::kKserveV1, kQueryNone, ApiAnswer::kObject,
                                               {{400, "the request does not fit the model"}, {404, kUnknownModel},
                                                {413, kTooMany}, {503, kNotReady}}};
  const std::string mlflow = "MLflow";
  c[{"POST", "/invocations"}] = {"mlflowInvocations", mlflow,
                                 "MLflow scoring: dataframe_split, dataframe_records, instances, inputs or CSV",
                                 ApiBody::kMlflow, kQueryNone, ApiAnswer::kObject,
                                 {{400, "the request does not fit the model"}, {413, kTooMany},
                                  {415, kNotJson}, {503, kNotReady}}};
  c[{"GET", "/ping"}] = {"mlflowPing", mlflow, "MLflow's liveness check", ApiBody::kNone, kQueryNone,
                         ApiAnswer::kText};
  c[{"GET", "/version"}] = {"mlflowVersion", mlflow, "The MLflow scoring protocol version followed",
                            ApiBody::kNone, kQueryNone, ApiAnswer::kText};
}

const Catalog& TheCatalog() {
  static const Catalog catalog = [] {
    Catalog c;
    AddRecordRoutes(c);
    AddOperationRoutes(c);
    AddRepositoryRoutes(c);
    AddProtocolRoutes(c);
    return c;
  }();
  return catalog;
}

}  // namespace

const RouteDoc* FindRouteDoc(const std::string& method, const std::string& label, int* variant) {
  const Catalog& catalog = TheCatalog();
  *variant = 0;
  if (auto it = catalog.find({method, label}); it != catalog.end()) return &it->second;
  const std::string prefixes[] = {"/models/{model}", "/models/{model}/versions/{version}"};
  for (int v = 2; v >= 1; --v) {
    const std::string& prefix = prefixes[v - 1];
    if (label.rfind(prefix + "/", 0) != 0) continue;
    if (auto it = catalog.find({method, label.substr(prefix.size())}); it != catalog.end()) {
      *variant = v;
      return &it->second;
    }
  }
  return nullptr;
}

const std::vector<std::pair<std::string, std::string>>& ApiTags() {
  static const std::vector<std::pair<std::string, std::string>> tags = {
      {"predictions", "Answers from the model: the original APIs' shapes and explanations"},
      {"model", "What the model reads and what it was trained on"},
      {"Open Inference Protocol v2", "KServe v2 / Triton / MLServer's REST protocol"},
      {"KServe v1", "KServe's V1 data plane"},
      {"MLflow", "The MLflow scoring server's protocol"},
      {"repository", "The model repository: versions and aliases (--model-repository)"},
      {"training", "Retraining jobs (--model-repository with a training spec)"},
      {"operations", "Health, logs and metrics"},
      {"pages", "Pages for people: this documentation and the web form"},
  };
  return tags;
}

}  // namespace stroke::apps
