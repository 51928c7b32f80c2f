#include "routes.h"

#include <algorithm>
#include <cstdlib>

#include "openapi.h"
#include "validation_detail.h"

namespace stroke::apps {
Reply JsonReply(int status, const Json& body) { return Reply{status, JsonText(body), "application/json", {}}; }

Reply ErrorReply(int status, const std::string& message, const std::string& request_id) {
  return JsonReply(status, {{"error", message}, {"request_id", request_id}});
}

std::shared_ptr<const SwaggerAssets> LoadSwaggerAssets(const std::string& dir) {
  if (dir.empty()) return nullptr;
  std::optional<StaticAsset> js = LoadStaticAsset(dir + "/swagger-ui-bundle.js", "application/javascript");
  std::optional<StaticAsset> css = LoadStaticAsset(dir + "/swagger-ui.css", "text/css");
  if (!js || !css) return nullptr;
  return std::make_shared<const SwaggerAssets>(SwaggerAssets{std::move(*js), std::move(*css)});
}

Routes::Routes(const Model& model, RouteSettings settings, Metrics* metrics, EventLog* log)
    : model_(model), settings_(std::move(settings)), metrics_(metrics), log_(log),
      started_(std::chrono::steady_clock::now()), started_at_(NowIso8601()),
      model_name_(settings_.model_name.empty() ? model.info().name : settings_.model_name),
      model_version_(settings_.model_version.empty() ? model.info().version : settings_.model_version),
      model_text_(JsonText(model_name_)), model_version_text_(JsonText(model_version_)),
      predicted_(metrics->PredictionCounter(model_name_, model_version_)) {}

Reply Routes::Health(bool ready) const {
  const double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return JsonReply(200, {{"status", ready ? "healthy" : "shutting down"}, {"model_loaded", true},
                         {"model", model_name_}, {"version", model_version_},
                         {"started_at", started_at_}, {"uptime_seconds", uptime},
                         {"build_version", settings_.server_version}});
}

Reply Routes::Livez() const { return JsonReply(200, {{"status", "alive"}}); }

Reply Routes::Readyz(bool ready) const {
  if (!ready) return JsonReply(503, {{"status", "not ready"}, {"reason", "shutting down"}});
  // A degraded log store is reported, never a 503: the server still answers.
  return JsonReply(200, {{"status", "ready"}, {"model", model_name_}, {"version", model_version_},
                         {"log_store", LogStoreHealthJson(log_->store())}});
}

Reply Routes::ModelMetadata() const {
  Json info = ModelInfoJson(model_);
  info["served"] = {{"name", model_name_}, {"version", model_version_}};
  info["limits"] = {{"max_batch_rows", settings_.max_batch_rows}, {"max_body_bytes", settings_.max_body_bytes}};
  return JsonReply(200, info);
}

Reply Routes::Features() const {
  Json inputs = Json::array();
  for (const FieldSpec& f : model_.schema().fields()) inputs.push_back(FieldJson(f));
  return JsonReply(200, {{"features", model_.program().feature_names()}, {"inputs", inputs}});
}

Reply Routes::Distribution(const std::string& feature, const std::string& request_id) const {
  const FeatureDistribution* d = model_.distribution(feature);
  if (d == nullptr) {
    const auto& names = model_.program().feature_names();
    const bool known = std::find(names.begin(), names.end(), feature) != names.end();
    return ErrorReply(404, known ? "this bundle carries no distribution for \"" + feature + "\""
                                 : "no feature \"" + feature + "\" (GET /features lists them)",
                      request_id);
  }
  Json counts = Json::object();
  for (const auto& [label, c] : d->counts) counts[label] = c;
  return JsonReply(200, {{"feature", d->feature}, {"bins", d->edges.size() - 1}, {"edges", d->edges}, {"counts", counts}});
}

Reply Routes::Logs(const RequestInfo& who, const std::string& limit_text, const std::string& offset_text, const std::string& level) const {
  auto parse = [](const std::string& text, long fallback, long lo, long hi, long* out) {
    if (text.empty()) {
      *out = fallback;
      return true;
    }
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    *out = value;
    return *end == '\0' && value >= lo && value <= hi;
  };
  long limit = 0, offset = 0;
  Json detail = Json::array();
  if (!parse(limit_text, 100, 1, 1000, &limit)) {
    detail.push_back(DetailEntry({"query", "limit"}, "expected an integer in [1, 1000], got \"" + limit_text + "\"", IssueKind::kNumber));
  }
  if (!parse(offset_text, 0, 0, 1000000000, &offset)) {
    detail.push_back(DetailEntry({"query", "offset"}, "expected an integer >= 0, got \"" + offset_text + "\"", IssueKind::kNumber));
  }
  if (!level.empty() && level != "INFO" && level != "WARNING" && level != "ERROR") {
    detail.push_back(DetailEntry({"query", "level"}, "expected INFO, WARNING or ERROR, got \"" + level + "\"", IssueKind::kEnum));
  }
  if (!detail.empty()) return JsonReply(422, {{"detail", detail}});
  StatusOr<LogPage> page = log_->store().Read(static_cast<size_t>(limit), static_cast<size_t>(offset), level);
  if (!page.ok()) return ErrorReply(503, page.status().message(), who.id);
  std::string logs = "[";  // each entry's data is JSON text already
  for (const LogEntry& e : page->entries) {
    if (logs.size() > 1) logs += ',';
    logs += JsonObjectText()
                .Add("timestamp", e.timestamp).Add("level", e.level).Add("message", e.message).Raw("data", e.data)
                .Close();
  }
  logs += ']';
  return Reply{200,
               JsonObjectText().Add("total", page->total).Add("limit", limit).Add("offset", offset).Raw("logs", logs).Close(),
               "application/json", {}};
}

Reply Routes::LogStats(const RequestInfo& who) const {
  StatusOr<Json> stats = log_->Stats();
  return stats.ok() ? JsonReply(200, *stats) : ErrorReply(503, stats.status().message(), who.id);
}

Reply Routes::ClearLogs(const RequestInfo& who) const {
  StatusOr<size_t> n = log_->store().Clear();
  if (!n.ok()) return ErrorReply(503, n.status().message(), who.id);
  log_->Add("INFO", "logs cleared", {{"request_id", who.id}, {"user", who.user}, {"deleted", *n}});
  return JsonReply(200, {{"deleted", *n}});
}

Reply Routes::MetricsText() const {
  return Reply{200, metrics_->Render(), "text/plain; version=0.0.4; charset=utf-8", {}};
}

Reply Routes::OpenApi(const ApiSurface& api) const {
  return JsonReply(200, OpenApiDocument(model_, api, model_name_, model_version_));
}

Reply Routes::Docs(const std::string& file, const std::string& request_id, const ApiSurface& api) const {
  const SwaggerAssets* swagger = settings_.swagger.get();
  if (file.empty()) {
    if (swagger != nullptr) return Reply{200, SwaggerUiPage(), "text/html; charset=utf-8", {}};
    std::string page = PlainDocsPage(OpenApiDocument(model_, api, model_name_, model_version_));
    // The page for people, linked from the one for developers.
    if (const size_t at = page.find("</h1>"); at != std::string::npos) {
      page.insert(at + 5, "<p>To try the model with a form: <a href=\"/ui\">/ui</a>.</p>");
    }
    return Reply{200, std::move(page), "text/html; charset=utf-8", {}};
  }
  if (swagger != nullptr && file == "swagger-ui-bundle.js") return Reply{200, "", swagger->js.content_type, {}, &swagger->js};
  if (swagger != nullptr && file == "swagger-ui.css") return Reply{200, "", swagger->css.content_type, {}, &swagger->css};
  return ErrorReply(404, "no file \"" + file + "\" under /docs", request_id);
}

}  // namespace stroke::apps
