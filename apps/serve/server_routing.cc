// StrokeServer's routes and the checks before a handler runs: routing
// (404, 405), hardening, CORS preflight and credentials.
#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "request_context.h"
#include "server.h"

namespace stroke::apps {
namespace {

void AppendMethod(std::string* allow, const std::string& method) {
  if (allow->find(method) != std::string::npos) return;
  if (!allow->empty()) *allow += ", ";
  *allow += method;
}

}  // namespace

void StrokeServer::AddRoutes() {
  AddModelRoutes();
  AddRepositoryRoutes();
  AddProtocolRoutes();
  AddTrainingRoutes();
  auto with_default = [this](ModelHandler handler) {
    return [this, handler](const httplib::Request& req, const RequestInfo& who) {
      return WithModel("", "", req, who, handler);
    };
  };
  Add("GET", "/health", "/health", Access::kOps,
      with_default([this](const Routes& r, const httplib::Request&, const RequestInfo&) { return r.Health(ready_); }));
  Add("GET", "/livez", "/livez", Access::kOpen, [](const httplib::Request&, const RequestInfo&) {
    return JsonReply(200, {{"status", "alive"}});
  });
  Add("GET", "/readyz", "/readyz", Access::kOpen, [this](const httplib::Request& req, const RequestInfo& who) {
    // Without a servable default model the server is up but not ready: 503, never 404.
    return WithVersion("", "", req, who,
                       [this](const ServedVersion& served, const httplib::Request&, const RequestInfo&) {
                         return served.routes->Readyz(ready_);
                       },
                       [](int, const std::string& message) {
                         return JsonReply(503, {{"status", "not ready"}, {"reason", message}});
                       });
  });
  Add("GET", "/logs", "/logs", Access::kUser,
      with_default([](const Routes& r, const httplib::Request& req, const RequestInfo& who) {
        return r.Logs(who, req.get_param_value("limit"), req.get_param_value("offset"), req.get_param_value("level"));
      }));
  Add("GET", "/logs/stats", "/logs/stats", Access::kUser,
      with_default([](const Routes& r, const httplib::Request&, const RequestInfo& who) { return r.LogStats(who); }));
  Add("DELETE", "/logs", "/logs", Access::kAdmin,
      with_default([](const Routes& r, const httplib::Request&, const RequestInfo& who) { return r.ClearLogs(who); }));
  Add("GET", "/metrics", "/metrics", Access::kOps, [this](const httplib::Request&, const RequestInfo&) {
    return Reply{200, metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8", {}};
  });
  Add("GET", "/openapi.json", "/openapi.json", Access::kOps,
      with_default([this](const Routes& r, const httplib::Request&, const RequestInfo&) { return r.OpenApi(api_); }));
  Add("GET", "/docs", "/docs", Access::kOps,
      with_default([this](const Routes& r, const httplib::Request&, const RequestInfo& who) {
        return r.Docs("", who.id, api_);
      }));
  Add("GET", R"(/docs/([A-Za-z0-9._-]+))", "/docs/{file}", Access::kOps,
      with_default([this](const Routes& r, const httplib::Request&, const RequestInfo& who) {
        return r.Docs(t_request.params[0], who.id, api_);
      }));
  // The page and its files are open even with auth on: they hold no model
  // data and no secret (the page gets both from the API calls it makes with
  // the visitor's credentials), and a browser must load the page to show its
  // sign-in box. docs/web-ui.md.
  Add("GET", "/ui", "/ui", Access::kOpen,
      [this](const httplib::Request&, const RequestInfo& who) { return ui_->Answer("", who.id); });
  Add("GET", R"(/ui/([A-Za-z0-9._-]*))", "/ui/{file}", Access::kOpen,
      [this](const httplib::Request&, const RequestInfo& who) {
        if (t_request.params[0].empty()) {  // "/ui/": the page's relative links need "/ui"
          return Reply{308, "", "text/plain", {{"Location", "../ui"}}};  // relative: works under a proxy's prefix
        }
        return ui_->Answer(t_request.params[0], who.id);
      });
  Add("GET", "/", "/", Access::kOpen, [](const httplib::Request&, const RequestInfo&) {
    return Reply{307, "", "text/plain", {{"Location", "/docs"}}};
  });
  api_.server_version = kServeVersion;
  api_.basic_auth = !options_.users_file.empty();
  api_.bearer_auth = !options_.api_keys_file.empty();
  for (const Route& route : routes_table_) {
    api_.routes.push_back({route.method, route.label, auth_.Enabled() && NeedsCredentials(route.access)});
  }
}

bool StrokeServer::CorsListed(const std::string& origin) const {
  return std::find(options_.cors_origins.begin(), options_.cors_origins.end(), origin) != options_.cors_origins.end();
}

bool StrokeServer::SameSiteOrAllowed(const httplib::Request& req) const {
  if (!req.has_header("Origin")) return true;  // not a browser's cross-origin request (curl, clients)
  const std::string origin = req.get_header_value("Origin");
  if (CorsListed(origin)) return true;
  // This server's own pages: the Origin's host and port are the Host the
  // request was sent to (whatever the scheme a TLS proxy in front adds).
  const size_t authority = origin.find("://");
  return authority != std::string::npos && !req.get_header_value("Host").empty() &&
         origin.compare(authority + 3, std::string::npos, req.get_header_value("Host")) == 0;
}

bool StrokeServer::NeedsCredentials(Access access) const {
  return access == Access::kUser || access == Access::kAdmin || (access == Access::kOps && options_.protect_ops);
}

void StrokeServer::AddModelRoutes() {
  auto content_type = [](const httplib::Request& req) { return req.get_header_value("Content-Type"); };
  auto unknown = [](const httplib::Request& req) { return req.get_param_value("unknown_categories"); };
  AddForEveryModel("POST", "/prediction", "/prediction", Access::kUser,
                   [content_type, unknown](const Routes& r, const httplib::Request& req, const RequestInfo& who) {
                     return r.Prediction(who, req.body, content_type(req), unknown(req));
                   });
  AddForEveryModel("POST", "/predict", "/predict", Access::kUser,
                   [content_type, unknown](const Routes& r, const httplib::Request& req, const RequestInfo& who) {
                     return r.Predict(who, req.body, content_type(req), unknown(req), req.get_param_value("id_column"));
                   });
  AddForEveryModel("POST", "/predict_proba", "/predict_proba", Access::kUser,
                   [content_type, unknown](const Routes& r, const httplib::Request& req, const RequestInfo& who) {
                     return r.PredictProba(who, req.body, content_type(req), unknown(req),
                                           req.get_param_value("id_column"));
                   });
  AddForEveryModel("POST", "/explain", "/explain", Access::kUser,
                   [content_type, unknown](const Routes& r, const httplib::Request& req, const RequestInfo& who) {
                     return r.Explain(who, req.body, content_type(req), req.get_param_value("format"), unknown(req),
                                      req.get_param_value("id_column"));
                   });
  AddForEveryModel("GET", "/model", "/model", Access::kOps,
                   [](const Routes& r, const httplib::Request&, const RequestInfo&) { return r.ModelMetadata(); });
  AddForEveryModel("GET", "/features", "/features", Access::kOps,
                   [](const Routes& r, const httplib::Request&, const RequestInfo&) { return r.Features(); });
  AddForEveryModel("GET", R"(/features/([^/]+)/distribution)", "/features/{name}/distribution", Access::kOps,
                   [](const Routes& r, const httplib::Request&, const RequestInfo& who) {
                     return r.Distribution(t_request.params.back(), who.id);
                   });
}

void StrokeServer::AddForEveryModel(const char* method, const std::string& suffix, const std::string& label,
                                    Access access, ModelHandler handler) {
  Add(method, suffix, label, access, [this, handler](const httplib::Request& req, const RequestInfo& who) {
    return WithModel("", "", req, who, handler);
  });
  Add(method, R"(/models/([^/]+))" + suffix, "/models/{model}" + label, access,
      [this, handler](const httplib::Request& req, const RequestInfo& who) {
        return WithModel(t_request.params[0], "", req, who, handler);
      });
  Add(method, R"(/models/([^/]+)/versions/([^/]+))" + suffix, "/models/{model}/versions/{version}" + label, access,
      [this, handler](const httplib::Request& req, const RequestInfo& who) {
        return WithModel(t_request.params[0], t_request.params[1], req, who, handler);
      });
}

Reply StrokeServer::WithModel(const std::string& name, const std::string& version, const httplib::Request& req,
                              const RequestInfo& who, const ModelHandler& handler) {
  return WithVersion(
      name, version, req, who,
      [&handler](const ServedVersion& served, const httplib::Request& r, const RequestInfo& w) {
        return handler(*served.routes, r, w);
      },
      [&who](int status, const std::string& message) { return ErrorReply(status, message, who.id); });
}

Reply StrokeServer::WithVersion(const std::string& name, const std::string& version, const httplib::Request& req,
                                const RequestInfo& who, const VersionHandler& handler, const ErrorShape& error) {
  StatusOr<ServedVersionPtr> served = models_->Resolve(name, version);
  if (!served.ok()) return error(served.status().code() == StatusCode::kNotFound ? 404 : 503, served.status().message());
  const ServedVersionPtr hold = *served;  // the version answers this request, whatever reloads meanwhile
  t_request.model = hold->routes->model_name() + "/" + hold->routes->model_version();
  return handler(*hold, req, who);
}

void StrokeServer::Add(const char* method, const std::string& path, const std::string& label, Access access,
                       Handler handler) {
  Route route;
  route.method = method;
  const bool literal = path.find('(') == std::string::npos;
  route.path = literal ? path : "";
  if (!literal) {
    route.pattern = std::regex(path);
    route.prefix = path.substr(0, path.find('('));
  }
  route.label = label;
  route.access = access;
  route.handler = std::make_shared<Handler>(std::move(handler));
  routes_table_.push_back(std::move(route));
}

httplib::Server::HandlerResponse StrokeServer::PreRoute(const httplib::Request& req, httplib::Response& res) {
  auto reject = [&](int status, const std::string& message, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Reply reply = ErrorReply(status, message, t_request.id);
    reply.headers = std::move(headers);
    Send(reply, req, res);
    return httplib::Server::HandlerResponse::Handled;
  };
  // Routing first, as FastAPI does: 404 and 405 before credentials.
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  const Route* route = nullptr;
  std::string allow;
  std::smatch match;
  for (const Route& r : routes_table_) {
    const bool matches = r.path.empty() ? req.path.compare(0, r.prefix.size(), r.prefix) == 0 &&
                                              std::regex_match(req.path, match, r.pattern)
                                        : r.path == req.path;
    if (!matches) continue;
    AppendMethod(&allow, r.method);
    if (r.method == "GET") AppendMethod(&allow, "HEAD");
    if (r.method == method && route == nullptr) {
      route = &r;
      t_request.params.clear();
      for (size_t i = 1; i < match.size() && r.path.empty(); ++i) {
        t_request.params.push_back(httplib::detail::decode_url(match[i].str(), false));
      }
    }
  }
  if (allow.empty()) {
    t_request.route = "unmatched";
    return reject(404, "no route " + req.method + " " + req.path + " (docs/http-api.md lists every route; GET /openapi.json, the model routes)");
  }
  AppendMethod(&allow, "OPTIONS");
  if (req.method == "OPTIONS") {
    t_request.route = "preflight";
    const std::string origin = req.get_header_value("Origin");
    const bool allowed = CorsListed(origin);
    if (!origin.empty() && !options_.cors_origins.empty() && !allowed) {
      return reject(403, "origin \"" + origin + "\" is not allowed (--cors-origin)");
    }
    res.status = 204;
    res.set_header("Allow", allow);
    if (allowed) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Access-Control-Allow-Methods", allow);
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id, X-Requested-With");
      res.set_header("Access-Control-Max-Age", "600");
      res.set_header("Vary", "Origin");
    }
    res.set_header("X-Request-Id", t_request.id);
    return httplib::Server::HandlerResponse::Handled;
  }
  if (route == nullptr) {
    t_request.route = "unmatched";
    return reject(405, "method " + req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")",
                  {{"Allow", allow}});
  }
  t_request.route = route->label;
  t_request.handler = route->handler.get();
  // Hardening (shared/guide/http-server-notes.md); framing limits were applied while reading.
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && encoding != "identity") {
    return reject(415, "Content-Encoding \"" + encoding + "\" is not accepted: send the body uncompressed");
  }
  if (t_request.asked_for_range) return reject(416, "Range requests are not supported");
  if (route->access == Access::kAdmin && req.method != "GET" && !SameSiteOrAllowed(req)) {
    return reject(403, "origin \"" + req.get_header_value("Origin") + "\" may not change this server (admin routes take "
                       "requests from this server's own pages, --cors-origin origins, or clients that send no Origin)");
  }
  RequestInfo who{t_request.id, "", route->label, req.remote_addr, t_request.start};
  if (!Authorize(req, route->access, &who, res)) return httplib::Server::HandlerResponse::Handled;
  t_request.user = who.user;
  return httplib::Server::HandlerResponse::Unhandled;  // httplib reads the body, then dispatches
}

bool StrokeServer::Authorize(const httplib::Request& req, Access access, RequestInfo* who, httplib::Response& res) {
  if (!auth_.Enabled() || !NeedsCredentials(access)) return true;
  const std::string header = req.get_header_value("Authorization");
  const int wait = throttle_.RetryAfter(req.remote_addr);
  // A throttled client still gets in with credentials verified before (no hashing).
  who->user = auth_.Verify(header, /*cached_only=*/wait > 0);
  if (who->user.empty() && wait > 0) {
    metrics_.LoginThrottled();
    Reply reply = ErrorReply(
        429, fmt::format("too many failed logins from {}: try again in {} s (--max-failed-logins)", req.remote_addr, wait),
        who->id);
    reply.headers.emplace_back("Retry-After", fmt::to_string(wait));
    Send(reply, req, res);
    return false;
  }
  if (who->user.empty()) {
    if (!header.empty()) throttle_.Failed(req.remote_addr);
    Reply reply = ErrorReply(401, "missing or wrong credentials (HTTP Basic or Bearer API key)", who->id);
    // A script's request (X-Requested-With: XMLHttpRequest, as /ui sends) gets
    // no challenge: browsers would answer it with their own login dialog
    // instead of letting the page show its sign-in box.
    if (req.get_header_value("X-Requested-With") != "XMLHttpRequest") {
      reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"stroke-serve\", charset=\"UTF-8\"");
    }
    Send(reply, req, res);
    return false;
  }
  if (access == Access::kAdmin && !auth_.IsAdmin(who->user)) {
    Send(ErrorReply(403, "\"" + who->user + "\" is not an admin (--admin)", who->id), req, res);
    return false;
  }
  return true;
}

}  // namespace stroke::apps
