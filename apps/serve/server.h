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
//   auto server = StrokeServer::Create(options, model);
//   int port = (*server)->Bind();          // then, on some thread:
//   (*server)->Listen();                   // until Stop()
#ifndef STROKE_APPS_SERVE_SERVER_H_
#define STROKE_APPS_SERVE_SERVER_H_

#include <httplib.h>

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
#include "routes.h"
#include "serve_options.h"
#include "stroke/model.h"

namespace stroke::apps {

// stroke-serve's version (build info, /health).
inline constexpr const char* kServeVersion = "0.1.0";

class StrokeServer {
 public:
  // Loads the users, keys and logs the options name; `model` must outlive
  // the server. kInvalidInput / kIoError naming the file otherwise.
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

  // Answers the raw bytes of HTTP requests without a socket, exactly as a
  // connection would: framing limits, then each complete request in turn
  // (pipelining). Returns every answer's bytes, concatenated; a framing
  // error's answer ends the list, as it ends a connection. For tests and
  // fuzzing; thread-safe.
  std::string AnswerBytes(std::string_view requests);

  Routes& routes() { return *routes_; }
  EventLog& events() { return events_; }
  // Called in every request before its handler (tests use it to hold a request in flight).
  void SetRequestHook(std::function<void(const httplib::Request&)> hook) { hook_ = std::move(hook); }

 private:
  enum class Access { kOpen, kOps, kUser, kAdmin };
  using Handler = std::function<Reply(const httplib::Request&, const RequestInfo&)>;
  struct Route {
    std::string method;
    std::string path;     // a literal path, or "" when `pattern` decides
    std::regex pattern;   // for paths with parameters
    std::string label;    // the route template, for metrics and logs
    Access access;
    std::shared_ptr<Handler> handler;
  };
  // httplib's request parser and answer writer, driven by our connections.
  class HttpParser : public httplib::Server {
   public:
    using httplib::Server::process_request;
  };

  StrokeServer(const ServeOptions& options, const Model& model);
  void ConfigureHttp();
  void AddRoutes();
  void Add(const char* method, const std::string& path, const std::string& label, Access access, Handler handler);
  bool HandleRequest(httplib::Stream& stream, bool must_close);
  void SetupRequest(httplib::Request& req);
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  bool Authorize(const httplib::Request& req, Access access, RequestInfo* who, httplib::Response& res);
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
  std::unique_ptr<Routes> routes_;
  std::vector<Route> routes_table_;
  HttpParser http_;
  std::unique_ptr<ConnectionLoop> loop_;
  std::function<void(const httplib::Request&)> hook_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_SERVER_H_
