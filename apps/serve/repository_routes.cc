// StrokeServer's model-repository routes: the index (GET /models), alias
// moves (PUT and DELETE /models/{model}/aliases/{alias}, admins only) and a
// reload (POST /admin/reload, admins only). docs/model-repository.md.
#include <fmt/format.h>

#include "protocol_input.h"
#include "request_context.h"
#include "server.h"
#include "validation_detail.h"

namespace stroke::apps {
namespace {

// A Status from the repository as an answer: 404 unknown, 422 refused, 500 unwritable.
Reply StatusReply(const Status& status, const std::string& request_id) {
  switch (status.code()) {
    case StatusCode::kNotFound: return ErrorReply(404, status.message(), request_id);
    case StatusCode::kInvalidInput: return ErrorReply(422, status.message(), request_id);
    default: return ErrorReply(500, status.message(), request_id);
  }
}

}  // namespace

Json RepositoryIndexJson(const ModelRepository& models) {
  Json list = Json::array();
  const std::shared_ptr<const RepositoryIndex> index = models.Index();  // held: a reload may replace it
  for (const auto& [name, entry] : *index) {
    Json versions = Json::array();
    for (const auto& [version, state] : entry.versions) {
      Json v = {{"version", version}, {"state", state.served ? "READY" : "UNAVAILABLE"}};
      if (state.served) v["path"] = state.served->path;
      if (!state.reason.empty()) v["reason"] = state.reason;  // READY with a reason: a newer file was refused
      versions.push_back(std::move(v));
    }
    Json aliases = Json::object();
    for (const auto& [alias, version] : entry.aliases) aliases[alias] = version;
    Json model = {{"name", name}, {"versions", std::move(versions)}, {"aliases", std::move(aliases)}};
    if (!entry.reason.empty()) model["reason"] = entry.reason;
    list.push_back(std::move(model));
  }
  return {{"repository", models.directory()}, {"default_model", models.default_model()}, {"models", std::move(list)}};
}

std::vector<std::string> StrokeServer::ReloadModels() {
  std::vector<std::string> changes = models_->Reload();
  for (const std::string& change : changes) {
    events_.Add(change.rfind("refused", 0) == 0 ? "WARNING" : "INFO", "model repository", {{"change", change}});
    fmt::print(stderr, "stroke-serve: {}\n", change);  // not the access log: --quiet keeps it
  }
  return changes;
}

void StrokeServer::AddRepositoryRoutes() {
  Add("GET", "/models", "/models", Access::kOps,
      [this](const httplib::Request&, const RequestInfo&) { return JsonReply(200, RepositoryIndexJson(*models_)); });
  const std::string alias_path = R"(/models/([^/]+)/aliases/([^/]+))", alias_label = "/models/{model}/aliases/{alias}";
  Add("PUT", alias_path, alias_label, Access::kAdmin, [this](const httplib::Request& req, const RequestInfo& who) {
    const StatusOr<Json> parsed = ParseProtocolJson(req.body);  // NUL bytes and duplicate keys refused
    if (!parsed.ok()) {
      return JsonReply(422, {{"detail", Json::array({DetailEntry({"body"}, parsed.status().message(), IssueKind::kParse)})}});
    }
    const Json& body = *parsed;
    if (!body.is_object() || body.size() != 1 || !body.contains("version") || !body["version"].is_number_unsigned() ||
        body["version"].get<uint64_t>() == 0 || body["version"].get<uint64_t>() > 2147483647) {
      return JsonReply(422, {{"detail", Json::array({DetailEntry({"body", "version"},
                                                                 "expected {\"version\": N}, N a version number, and nothing else",
                                                                 IssueKind::kType)})}});
    }
    const std::string& model = t_request.params[0];
    const std::string& alias = t_request.params[1];
    const int version = body["version"].get<int>();
    if (Status s = models_->SetAlias(model, alias, version); !s.ok()) return StatusReply(s, who.id);
    events_.Add("INFO", "alias moved", {{"model", model}, {"alias", alias}, {"version", version}, {"user", who.user}});
    return JsonReply(200, {{"model", model}, {"alias", alias}, {"version", version}});
  });
  Add("DELETE", alias_path, alias_label, Access::kAdmin, [this](const httplib::Request&, const RequestInfo& who) {
    const std::string& model = t_request.params[0];
    const std::string& alias = t_request.params[1];
    if (Status s = models_->DeleteAlias(model, alias); !s.ok()) return StatusReply(s, who.id);
    events_.Add("INFO", "alias deleted", {{"model", model}, {"alias", alias}, {"user", who.user}});
    return JsonReply(200, {{"model", model}, {"deleted", alias}});
  });
  Add("POST", "/admin/reload", "/admin/reload", Access::kAdmin, [this](const httplib::Request&, const RequestInfo&) {
    return JsonReply(200, {{"changes", ReloadModels()}, {"index", RepositoryIndexJson(*models_)}});
  });
}

}  // namespace stroke::apps
