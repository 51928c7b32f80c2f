// StrokeServer's standard-protocol routes: the Open Inference Protocol v2
// (KServe v2, Triton, MLServer), KServe's V1 data plane and MLflow's scoring
// server, each over the model repository, with the protocol's own error
// shape. The payloads are the protocol layers' (oip_v2.h, kserve_v1.h,
// mlflow_scoring.h); this file routes, resolves versions and counts.
#include "kserve_v1.h"
#include "mlflow_scoring.h"
#include "oip_v2.h"
#include "request_context.h"
#include "server.h"

namespace stroke::apps {
namespace {

// The names of a model's servable versions, for OIP model metadata.
std::vector<std::string> ReadyVersions(const ModelRepository& models, const std::string& name) {
  std::vector<std::string> versions;
  const std::shared_ptr<const RepositoryIndex> index = models.Index();
  const auto entry = index->find(name);
  if (entry == index->end()) return versions;
  for (const auto& [version, state] : entry->second.versions) {
    if (state.served) versions.push_back(state.served->routes->model_version());
  }
  return versions;
}

// MLflow's error body: {"error_code": ..., "message": ...}.
Reply MlflowError(int status, const std::string& message) {
  return JsonReply(status, {{"error_code", status == 404 ? "RESOURCE_DOES_NOT_EXIST" : "TEMPORARILY_UNAVAILABLE"},
                            {"message", message}});
}

}  // namespace

void StrokeServer::AddProtocolRoutes() {
  const ErrorShape oip_error = [](int status, const std::string& message) { return OipError(status, message); };
  ProtocolOptions protocol;
  protocol.check.refuse_unknown_categories = options_.refuse_unknown_categories;
  protocol.max_rows = options_.max_batch_rows;
  // The options of one request: its answers counted and audited under the version that answered.
  auto answering = [protocol](const ServedVersion& served, const RequestInfo& who) {
    ProtocolOptions options = protocol;
    options.answered = [&served, &who](const std::vector<InputRow>& rows, const BatchScore& scored) {
      served.routes->Answered(who, rows, scored);
    };
    return options;
  };

  // Open Inference Protocol v2.
  Add("GET", "/v2", "/v2", Access::kOps, [](const httplib::Request&, const RequestInfo&) {
    return OipServerMetadata(kServeVersion, {"model_repository"});
  });
  Add("GET", "/v2/health/live", "/v2/health/live", Access::kOpen,
      [](const httplib::Request&, const RequestInfo&) { return JsonReply(200, {{"live", true}}); });
  Add("GET", "/v2/health/ready", "/v2/health/ready", Access::kOpen, [this](const httplib::Request&, const RequestInfo&) {
    const bool ready = ready_ && models_->Resolve("", "").ok();
    return JsonReply(ready ? 200 : 503, {{"ready", ready}});
  });
  for (const std::string version : {"", "/versions/([^/]+)"}) {
    const std::string path = "/v2/models/([^/]+)" + version;
    const std::string label = "/v2/models/{model}" + std::string(version.empty() ? "" : "/versions/{version}");
    auto names = [versioned = !version.empty()] {
      return std::make_pair(t_request.params[0], versioned ? t_request.params[1] : std::string());
    };
    Add("GET", path, label, Access::kOps, [this, names, oip_error](const httplib::Request& req, const RequestInfo& who) {
      auto [name, v] = names();
      return WithVersion(name, v, req, who, [this](const ServedVersion& served, const httplib::Request&, const RequestInfo&) {
        return OipModelMetadata(served.model, served.name, ReadyVersions(*models_, served.name));
      }, oip_error);
    });
    Add("GET", path + "/ready", label + "/ready", Access::kOps,
        [this, names](const httplib::Request&, const RequestInfo&) {
          auto [name, v] = names();
          const StatusOr<ServedVersionPtr> served = models_->Resolve(name, v);
          if (served.ok() || served.status().code() != StatusCode::kNotFound) return OipModelReady(name, served.ok());
          return OipError(404, served.status().message());
        });
    Add("POST", path + "/infer", label + "/infer", Access::kUser,
        [this, names, oip_error, answering](const httplib::Request& req, const RequestInfo& who) {
          auto [name, v] = names();
          return WithVersion(name, v, req, who, [&](const ServedVersion& served, const httplib::Request& r, const RequestInfo& w) {
            return OipInfer(served.model, served.name, served.routes->model_version(), r.body, answering(served, w)).reply;
          }, oip_error);
        });
  }
  Add("POST", "/v2/repository/index", "/v2/repository/index", Access::kOps,
      [this](const httplib::Request&, const RequestInfo&) {
        Json models = Json::array();  // Triton's model-repository extension: one entry per version
        const std::shared_ptr<const RepositoryIndex> index = models_->Index();  // held: a reload may replace it
        for (const auto& [name, entry] : *index) {
          for (const auto& [version, state] : entry.versions) {
            models.push_back({{"name", name}, {"version", std::to_string(version)},
                              {"state", state.served ? "READY" : "UNAVAILABLE"}, {"reason", state.reason}});
          }
        }
        return JsonReply(200, models);
      });

  // KServe V1.
  Add("GET", "/v1/models", "/v1/models", Access::kOps, [this](const httplib::Request&, const RequestInfo&) {
    Json names = Json::array();
    const std::shared_ptr<const RepositoryIndex> index = models_->Index();  // held: a reload may replace it
    for (const auto& [name, entry] : *index) names.push_back(name);
    return JsonReply(200, {{"models", names}});
  });
  Add("GET", R"(/v1/models/([^/:]+))", "/v1/models/{model}", Access::kOps,
      [this](const httplib::Request&, const RequestInfo&) {
        const std::string& name = t_request.params[0];
        const StatusOr<ServedVersionPtr> served = models_->Resolve(name, "");
        if (served.ok() || served.status().code() != StatusCode::kNotFound) return KServeV1ModelStatus(name, served.ok());
        return OipError(404, served.status().message());  // KServe's error body: {"error": ...}
      });
  Add("POST", R"(/v1/models/([^/:]+):predict)", "/v1/models/{model}:predict", Access::kUser,
      [this, oip_error, answering](const httplib::Request& req, const RequestInfo& who) {
        return WithVersion(t_request.params[0], "", req, who,
                           [&](const ServedVersion& served, const httplib::Request& r, const RequestInfo& w) {
                             KServeV1Options options;
                             options.protocol = answering(served, w);
                             options.probabilities = options_.predict_proba;
                             return KServeV1Predict(served.model, r.body, options).reply;
                           }, oip_error);
      });

  // MLflow's scoring server, for the default model.
  Add("POST", "/invocations", "/invocations", Access::kUser,
      [this, answering](const httplib::Request& req, const RequestInfo& who) {
        return WithVersion("", "", req, who, [&](const ServedVersion& served, const httplib::Request& r, const RequestInfo& w) {
          MlflowOptions options;
          options.protocol = answering(served, w);
          options.probabilities = options_.predict_proba;
          return MlflowInvocations(served.model, r.body, r.get_header_value("Content-Type"), options).reply;
        }, MlflowError);
      });
  Add("GET", "/ping", "/ping", Access::kOpen, [](const httplib::Request&, const RequestInfo&) { return MlflowPing(); });
  Add("GET", "/version", "/version", Access::kOpen,
      [](const httplib::Request&, const RequestInfo&) { return MlflowVersion(); });
}

}  // namespace stroke::apps
