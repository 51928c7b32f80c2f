// StrokeServer: stroke-serve's HTTP server - routes (routes.h) behind
// routing, auth and hardening. Connections are ConnectionLoop's (the worker
// epoll wakes for a connection reads its requests under deadlines and limits
// and answers them); httplib parses each request and writes its answer.
//
// Order for every request: framing limits (connection_loop.h) -> route
// (404, or 405 with Allow) -> Content-Encoding, Range -> CORS preflight ->
// credentials (429 when throttled, 401, 403) -> body -> handler. Every error
// has the API's shape {"error", "request_id"}; no exception escapes.
//
//   auto server = StrokeServer::Create(options);   // opens options' models
//   (or Create(options, model): one model given, for tests and embedding)
//   int port = (*server)->Bind();          // then, on some thread:
//   (*server)->Listen();                   // until Stop()
#ifndef STROKE_APPS_SERVE_SERVER_H_
#define STROKE_APPS_SERVE_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "auth.h"
#include "connection_loop.h"
#include "event_log.h"
#include "login_throttle.h"
#include "metrics.h"
#include "model_repository.h"
#include "repository_watcher.h"
#include "training_jobs.h"
#include "routes.h"
#include "ui_assets.h"
#include "serve_options.h"
#include "stroke/model.h"

namespace stroke::apps {

// stroke-serve's version (build info, /health).
inline constexpr const char* kServeVersion = "0.1.0";

// GET /models: every model, version (state READY or UNAVAILABLE, with its
// reason) and alias of `models`.
Json RepositoryIndexJson(const ModelRepository& models);

class StrokeServer {
 public:
  // Loads the users, keys and logs the options name, and the models: the
  // model repository (--model-repository), else the bundles (--model, else
  // the default bundle). kInvalidInput / kIoError / kNotFound naming the file
  // or option otherwise.
  static StatusOr<std::unique_ptr<StrokeServer>> Create(const ServeOptions& options);
  // Same, serving `model` alone (options' models are ignored).
  static StatusOr<std::unique_ptr<StrokeServer>> Create(const ServeOptions& options, const Model& model);

  // Binds options.host:options.port; returns the port, or -1 if it cannot.
  int Bind();
  // Serves until Stop(); requests already received are answered first.
  // Returns false if the server could not run.
  bool Listen();
  // Stops accepting, answers what was received, then Listen returns; flushes
  // the audit log. Safe from any thread.
  void Stop();
  bool IsRunning() const { return loop_->running(); }
  // Reopens the access log (when a file) and the audit log: SIGHUP.
  Status ReopenLogs();
  // Rescans the model repository (SIGHUP, a change under it, POST /admin/reload);
  // logs and returns each change.
  std::vector<std::string> ReloadModels();

  // Answers the raw bytes of HTTP requests without a socket, exactly as a
  // connection would: framing limits, then each complete request in turn
  // (pipelining). Returns every answer's bytes, concatenated; a framing
  // error's answer ends the list, as it ends a connection. For tests and
  // fuzzing; thread-safe.
  std::string AnswerBytes(std::string_view requests);

  ModelRepository& models() { return *models_; }
  // Readiness (/readyz, /health): Stop sets it false; tests set it too.
  void SetReady(bool ready) { ready_ = ready; }
  EventLog& events() { return events_; }
  // The routes as GET /openapi.json describes them.
  const ApiSurface& api() const { return api_; }
  // Called in every request before its handler (tests use it to hold a request in flight).
  void SetRequestHook(std::function<void(const httplib::Request&)> hook) { hook_ = std::move(hook); }

 private:
  enum class Access { kOpen, kOps, kUser, kAdmin };
  using Handler = std::function<Reply(const httplib::Request&, const RequestInfo&)>;
  struct Route {
    std::string method;
    std::string path;     // a literal path, or "" when `pattern` decides
    std::regex pattern;   // for paths with parameters
    std::string prefix;   // the pattern's literal start: a path without it is not tried
    std::string label;    // the route template, for metrics and logs
    Access access;
    std::shared_ptr<Handler> handler;
  };
  // httplib's request parser and answer writer, driven by our connections.
  class HttpParser : public httplib::Server {
   public:
    using httplib::Server::process_request;
  };

  // A route's handler given the routes of the model version it names.
  using ModelHandler = std::function<Reply(const Routes&, const httplib::Request&, const RequestInfo&)>;
  // The same, given the whole version (its Model, name and number): the standard protocols.
  using VersionHandler = std::function<Reply(const ServedVersion&, const httplib::Request&, const RequestInfo&)>;
  // A protocol's error reply for a status and message (404 unknown model, 503 unavailable).
  using ErrorShape = std::function<Reply(int status, const std::string& message)>;

  explicit StrokeServer(const ServeOptions& options);
  static StatusOr<std::unique_ptr<StrokeServer>> Finish(std::unique_ptr<StrokeServer> server);
  Status Setup();  // auth, logs and the routes' settings, from options_
  Status OpenLogStore();  // --log-store: the store of events_, and its metrics
  std::unique_ptr<Routes> MakeRoutes(const Model& model, const std::string& name, int version);
  void ConfigureHttp();
  void WarmUpParser();  // httplib's statics initialized before any worker runs (TSan)
  void AddRoutes();
  void AddModelRoutes();
  void AddRepositoryRoutes();
  // Adds `suffix` ("/predict") for the default model, and as
  // /models/{name}{suffix} and /models/{name}/versions/{version}{suffix}.
  void AddForEveryModel(const char* method, const std::string& suffix, const std::string& label, Access access,
                        ModelHandler handler);
  // Resolves the version, then calls `handler`; 404 / 503 naming what is unknown or unavailable.
  Reply WithModel(const std::string& name, const std::string& version, const httplib::Request& req,
                  const RequestInfo& who, const ModelHandler& handler);
  // Same for the protocols: errors in `error`'s shape.
  Reply WithVersion(const std::string& name, const std::string& version, const httplib::Request& req,
                    const RequestInfo& who, const VersionHandler& handler, const ErrorShape& error);
  void AddProtocolRoutes();  // protocol_routes.cc: OIP v2, KServe v1, MLflow
  void AddTrainingRoutes();  // training_routes.cc: POST /models/{model}/train, GET /jobs
  void Add(const char* method, const std::string& path, const std::string& label, Access access, Handler handler);
  bool HandleRequest(httplib::Stream& stream, bool must_close);
  void SetupRequest(httplib::Request& req);
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  bool Authorize(const httplib::Request& req, Access access, RequestInfo* who, httplib::Response& res);
  // True when a route of `access` needs credentials with this server's flags.
  bool NeedsCredentials(Access access) const;
  // False for a browser's cross-site request (an Origin that is neither this
  // server's own, by its Host, nor listed with --cors-origin): admin routes
  // that change state refuse it with 403 (CSRF: a web page making a visitor's
  // browser reload models or clear logs).
  bool SameSiteOrAllowed(const httplib::Request& req) const;
  // True when --cors-origin lists `origin` exactly.
  bool CorsListed(const std::string& origin) const;
  void Send(const Reply& reply, const httplib::Request& req, httplib::Response& res);
  void OnHttpError(const httplib::Request& req, httplib::Response& res);
  void OnException(const httplib::Request& req, httplib::Response& res, std::exception_ptr error);
  std::string Refusal(int status, const std::string& message, const std::string& remote);
  void LogAccess(const std::string& method, const std::string& path, const std::string& remote, int status,
                 size_t bytes);

  const ServeOptions options_;
  Authenticator auth_;
  LoginThrottle throttle_;
  Metrics metrics_;
  EventLog events_;
  LogFile access_log_;  // open when --access-log names a file; stderr otherwise
  RouteSettings route_settings_;            // every model's routes share them (but their name and version)
  std::shared_ptr<const UiAssets> ui_;      // GET /ui and its files
  std::unique_ptr<ModelRepository> models_;
  std::atomic<bool> ready_{true};            // false while stopping (/readyz, /health)
  std::unique_ptr<RepositoryWatcher> watcher_;  // reloads on changes under --model-repository
  std::unique_ptr<TrainingJobs> training_;      // POST /models/{model}/train
  std::vector<Route> routes_table_;
  ApiSurface api_;  // routes_table_ as /openapi.json describes it: set once, at the end of AddRoutes
  HttpParser http_;
  std::unique_ptr<ConnectionLoop> loop_;
  std::function<void(const httplib::Request&)> hook_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_SERVER_H_
