#include "server.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "model_path.h"

namespace stroke::apps {
namespace {

// The request being handled on this worker thread: set in pre-routing, read
// by the handler wrapper and the access logger (httplib runs all three on
// the connection's thread, one request at a time).
struct RequestContext {
  bool active = false;
  std::string id;
  std::string user;
  std::string route = "unmatched";
  std::chrono::steady_clock::time_point start;
};
thread_local RequestContext t_request;

bool ValidRequestId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return id;
}

bool Loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Where the Swagger UI files are: the option, the build tree, or the install tree.
std::string FindDocsDir(const std::string& option) {
  namespace fs = std::filesystem;
  if (!option.empty()) return option;
  std::vector<std::string> candidates = {InstalledDataDir("swagger-ui")};
  std::error_code error;
#ifdef STROKE_SWAGGER_UI_DIR
  candidates.emplace_back(STROKE_SWAGGER_UI_DIR);
#endif
  for (const std::string& dir : candidates) {
    if (fs::exists(fs::path(dir) / "swagger-ui-bundle.js", error)) return dir;
  }
  return "";
}

}  // namespace

StrokeServer::StrokeServer(const ServeOptions& options, const Model& model)
    : options_(options), model_(model), metrics_(kServeVersion, model.info().name, model.info().version),
      events_(options.log_capacity) {}

StatusOr<std::unique_ptr<StrokeServer>> StrokeServer::Create(const ServeOptions& options, const Model& model) {
  std::unique_ptr<StrokeServer> server(new StrokeServer(options, model));
  if (!options.users_file.empty()) {
    if (Status s = server->auth_.LoadUsers(options.users_file); !s.ok()) return s;
  }
  if (!options.api_keys_file.empty()) {
    if (Status s = server->auth_.LoadApiKeys(options.api_keys_file); !s.ok()) return s;
  }
  for (const std::string& admin : options.admins) server->auth_.AddAdmin(admin);
  if (!options.audit_log.empty()) {
    if (Status s = server->events_.OpenAudit(options.audit_log, options.audit_fsync); !s.ok()) return s;
  }
  RouteSettings settings;
  settings.max_batch_rows = options.max_batch_rows;
  settings.server_version = kServeVersion;
  settings.auth_enabled = server->auth_.Enabled();
  settings.docs_dir = FindDocsDir(options.docs_dir);
  server->routes_ = std::make_unique<Routes>(model, settings, &server->metrics_, &server->events_);
  server->ConfigureHttp();
  if (!server->auth_.Enabled() && !Loopback(options.host)) {
    std::fprintf(stderr,
                 "stroke-serve: WARNING: serving WITHOUT AUTHENTICATION on %s, a non-loopback address: anyone "
                 "who can reach it can call every route. Use --users or --api-keys.\n",
                 options.host.c_str());
  }
  return server;
}

void StrokeServer::ConfigureHttp() {
  const size_t threads = static_cast<size_t>(options_.threads);
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_.set_tcp_nodelay(true);
  // Debian's compiled httplib listens with a backlog of 5: a burst of new
  // connections overflows it and clients see resets about a second later.
  // Capture the listening socket (keeping httplib's SO_REUSEADDR) so that
  // Bind() can listen again with a real backlog.
  http_.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const char*>(&yes), sizeof yes);
    listen_socket_ = sock;
  });
  http_.set_read_timeout(options_.read_timeout_s, 0);
  http_.set_write_timeout(options_.write_timeout_s, 0);
  http_.set_keep_alive_max_count(static_cast<size_t>(options_.keep_alive_max));
  http_.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  http_.set_payload_max_length(options_.max_body_bytes);
  http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return PreRoute(req, res); });
  http_.set_logger([this](const httplib::Request& req, const httplib::Response& res) { LogAccess(req, res); });
  http_.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    // Details only in the server's log; the client gets a request id to quote.
    events_.Add("ERROR", "internal error", {{"request_id", t_request.id}, {"route", t_request.route}, {"what", what}});
    std::fprintf(stderr, "stroke-serve: internal error in %s (request %s): %s\n", req.path.c_str(),
                 t_request.id.c_str(), what.c_str());
    Send(ErrorReply(500, "internal error", t_request.id), req, res);
  });
  http_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (!t_request.active) t_request.id = NewRequestId();  // refused before pre-routing (bad request line)
    const std::string message = res.status == 404 ? "no route " + req.method + " " + req.path
                                                  : "HTTP " + std::to_string(res.status);
    const int status = res.status;
    Send(ErrorReply(status, message, t_request.id), req, res);
  });

  Routes& r = *routes_;
  auto content_type = [](const httplib::Request& req) { return req.get_header_value("Content-Type"); };
  Add("POST", "/prediction", "/prediction", Access::kUser,
      [&r, content_type](const httplib::Request& req, const RequestInfo& who) {
        return r.Prediction(who, req.body, content_type(req));
      });
  Add("POST", "/predict", "/predict", Access::kUser, [&r, content_type](const httplib::Request& req, const RequestInfo& who) {
    return r.Predict(who, req.body, content_type(req));
  });
  Add("POST", "/predict_proba", "/predict_proba", Access::kUser,
      [&r, content_type](const httplib::Request& req, const RequestInfo& who) {
        return r.PredictProba(who, req.body, content_type(req));
      });
  Add("POST", "/explain", "/explain", Access::kUser,
      [&r, content_type](const httplib::Request& req, const RequestInfo& who) {
        return r.Explain(who, req.body, content_type(req), req.get_param_value("format"));
      });
  Add("GET", "/health", "/health", Access::kOps, [&r](const httplib::Request&, const RequestInfo&) { return r.Health(); });
  Add("GET", "/livez", "/livez", Access::kOpen, [&r](const httplib::Request&, const RequestInfo&) { return r.Livez(); });
  Add("GET", "/readyz", "/readyz", Access::kOpen, [&r](const httplib::Request&, const RequestInfo&) { return r.Readyz(); });
  Add("GET", "/model", "/model", Access::kOps,
      [&r](const httplib::Request&, const RequestInfo&) { return r.ModelMetadata(); });
  Add("GET", "/features", "/features", Access::kOps,
      [&r](const httplib::Request&, const RequestInfo&) { return r.Features(); });
  Add("GET", R"(/features/([^/]+)/distribution)", "/features/{name}/distribution", Access::kOps,
      [&r](const httplib::Request& req, const RequestInfo& who) {
        return r.Distribution(httplib::detail::decode_url(req.matches[1], false), who.id);
      });
  Add("GET", "/logs", "/logs", Access::kUser, [&r](const httplib::Request& req, const RequestInfo&) {
    return r.Logs(req.get_param_value("limit"), req.get_param_value("offset"), req.get_param_value("level"));
  });
  Add("GET", "/logs/stats", "/logs/stats", Access::kUser,
      [&r](const httplib::Request&, const RequestInfo&) { return r.LogStats(); });
  Add("DELETE", "/logs", "/logs", Access::kAdmin,
      [&r](const httplib::Request&, const RequestInfo& who) { return r.ClearLogs(who); });
  Add("GET", "/metrics", "/metrics", Access::kOps,
      [&r](const httplib::Request&, const RequestInfo&) { return r.MetricsText(); });
  Add("GET", "/openapi.json", "/openapi.json", Access::kOps,
      [&r](const httplib::Request&, const RequestInfo&) { return r.OpenApi(); });
  Add("GET", "/docs", "/docs", Access::kOps, [&r](const httplib::Request&, const RequestInfo&) { return r.Docs(""); });
  Add("GET", R"(/docs/([A-Za-z0-9._-]+))", "/docs/{file}", Access::kOps,
      [&r](const httplib::Request& req, const RequestInfo&) { return r.Docs(req.matches[1]); });
  Add("GET", "/", "/", Access::kOpen, [](const httplib::Request&, const RequestInfo&) {
    return Reply{307, "", "text/plain", {{"Location", "/docs"}}};
  });
}

void StrokeServer::Add(const char* method, const std::string& pattern, const std::string& label, Access access,
                       Handler handler) {
  auto wrapped = [this, label, access, handler](const httplib::Request& req, httplib::Response& res) {
    t_request.route = label;
    RequestInfo who{t_request.id, "", label, req.remote_addr, t_request.start};
    if (!Authorize(req, access, &who, res)) return;
    t_request.user = who.user;
    if (hook_) hook_(req);
    Send(handler(req, who), req, res);
  };
  const std::string m = method;
  if (m == "GET") http_.Get(pattern, wrapped);
  if (m == "POST") http_.Post(pattern, wrapped);
  if (m == "DELETE") http_.Delete(pattern, wrapped);
}

bool StrokeServer::Authorize(const httplib::Request& req, Access access, RequestInfo* who, httplib::Response& res) {
  const bool needs_user = access == Access::kUser || access == Access::kAdmin ||
                          (access == Access::kOps && options_.protect_ops);
  if (!auth_.Enabled() || !needs_user) return true;
  who->user = auth_.Verify(req.get_header_value("Authorization"));
  if (who->user.empty()) {
    Reply reply = ErrorReply(401, "missing or wrong credentials (HTTP Basic or Bearer API key)", who->id);
    reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"stroke-serve\", charset=\"UTF-8\"");
    Send(reply, req, res);
    return false;
  }
  if (access == Access::kAdmin && !auth_.IsAdmin(who->user)) {
    Send(ErrorReply(403, "\"" + who->user + "\" is not an admin (--admin)", who->id), req, res);
    return false;
  }
  return true;
}

void StrokeServer::Send(const Reply& reply, const httplib::Request& req, httplib::Response& res) const {
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
  for (const auto& [name, value] : reply.headers) res.set_header(name.c_str(), value);
  res.set_header("X-Request-Id", t_request.id);
  const std::string origin = req.get_header_value("Origin");
  for (const std::string& allowed : options_.cors_origins) {
    if (origin == allowed) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
  }
}

httplib::Server::HandlerResponse StrokeServer::PreRoute(const httplib::Request& req, httplib::Response& res) {
  t_request = RequestContext{true, "", "", "unmatched", std::chrono::steady_clock::now()};
  const std::string given = req.get_header_value("X-Request-Id");
  t_request.id = ValidRequestId(given) ? given : NewRequestId();
  metrics_.RequestStarted();
  auto reject = [&](int status, const std::string& message) {
    t_request.route = "rejected";
    Send(ErrorReply(status, message, t_request.id), req, res);
    return httplib::Server::HandlerResponse::Handled;
  };
  // Hardening (shared/guide/http-server-notes.md): httplib's own body limit
  // trusts Content-Length only, so chunked and compressed bodies are refused.
  if (req.has_header("Transfer-Encoding")) return reject(411, "chunked bodies are not accepted: send Content-Length");
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && encoding != "identity") {
    return reject(415, "Content-Encoding \"" + encoding + "\" is not accepted: send the body uncompressed");
  }
  if (req.has_header("Content-Length")) {
    const std::string length = req.get_header_value("Content-Length");
    char* end = nullptr;
    const unsigned long long n = std::strtoull(length.c_str(), &end, 10);
    if (length.empty() || *end != '\0') return reject(400, "invalid Content-Length");
    if (n > options_.max_body_bytes) {
      return reject(413, "body of " + length + " bytes exceeds the limit of " + std::to_string(options_.max_body_bytes) +
                             " (--max-body-bytes)");
    }
  }
  if (req.has_header("Range")) return reject(416, "Range requests are not supported");
  if (req.method == "OPTIONS") {  // CORS preflight
    t_request.route = "preflight";
    const std::string origin = req.get_header_value("Origin");
    bool allowed = false;
    for (const std::string& o : options_.cors_origins) allowed = allowed || o == origin;
    res.status = allowed ? 204 : 403;
    if (allowed) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id");
      res.set_header("Access-Control-Max-Age", "600");
      res.set_header("Vary", "Origin");
    }
    res.set_header("X-Request-Id", t_request.id);
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

void StrokeServer::LogAccess(const httplib::Request& req, const httplib::Response& res) {
  if (!t_request.active) return;  // a request httplib refused before pre-routing
  t_request.active = false;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request.start).count();
  metrics_.RequestFinished(t_request.route, req.method, res.status, seconds);
  if (res.status >= 500) events_.Add("ERROR", "server error", {{"request_id", t_request.id}, {"route", t_request.route}});
  if (options_.quiet) return;
  const Json line = {{"time", NowIso8601()}, {"request_id", t_request.id}, {"remote", req.remote_addr},
                     {"method", req.method}, {"path", req.path}, {"route", t_request.route},
                     {"status", res.status}, {"bytes", res.body.size()}, {"duration_ms", seconds * 1000},
                     {"user", t_request.user}};
  const std::string text = line.dump() + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

int StrokeServer::Bind() {
  constexpr int kListenBacklog = 1024;
  const int port = options_.port == 0 ? http_.bind_to_any_port(options_.host)
                                      : (http_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port > 0 && listen_socket_ != INVALID_SOCKET) ::listen(listen_socket_, kListenBacklog);
  return port;
}

bool StrokeServer::Listen() { return http_.listen_after_bind(); }

void StrokeServer::Stop() {
  routes_->SetReady(false);
  http_.stop();
  events_.FlushAudit();
}

}  // namespace stroke::apps
