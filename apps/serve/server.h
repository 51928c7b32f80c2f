// StrokeServer: stroke-serve's HTTP server - routes (routes.h) behind auth,
// request ids, CORS, metrics, an access log and the hardening of
// shared/guide/http-server-notes.md (no chunked or compressed bodies, body
// size cap, no Range, tcp_nodelay, a bounded worker pool, timeouts, a
// generic 500 that never leaks exception text).
//
//   auto server = StrokeServer::Create(options, model);
//   int port = (*server)->Bind();          // then, on some thread:
//   (*server)->Listen();                   // until Stop()
#ifndef STROKE_APPS_SERVE_SERVER_H_
#define STROKE_APPS_SERVE_SERVER_H_

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>

#include "auth.h"
#include "event_log.h"
#include "metrics.h"
#include "routes.h"
#include "serve_options.h"
#include "stroke/model.h"

namespace stroke::apps {

// stroke-serve's version (build info, /health).
inline constexpr const char* kServeVersion = "0.1.0";

class StrokeServer {
 public:
  // Loads the users, keys and audit log the options name; `model` must
  // outlive the server. kInvalidInput / kIoError naming the file otherwise.
  static StatusOr<std::unique_ptr<StrokeServer>> Create(const ServeOptions& options, const Model& model);

  // Binds options.host:options.port; returns the port, or -1 if it cannot.
  int Bind();
  // Serves until Stop(); in-flight requests finish first. Returns false if
  // the server could not run.
  bool Listen();
  // Stops accepting, lets in-flight requests finish (Listen then returns),
  // and flushes the audit log. Safe from any thread.
  void Stop();
  bool IsRunning() const { return http_.is_running(); }

  Routes& routes() { return *routes_; }
  EventLog& events() { return events_; }
  // Called in every request before its handler (tests use it to hold a request in flight).
  void SetRequestHook(std::function<void(const httplib::Request&)> hook) { hook_ = std::move(hook); }

 private:
  enum class Access { kOpen, kOps, kUser, kAdmin };
  using Handler = std::function<Reply(const httplib::Request&, const RequestInfo&)>;

  StrokeServer(const ServeOptions& options, const Model& model);
  void ConfigureHttp();
  void Add(const char* method, const std::string& pattern, const std::string& label, Access access, Handler handler);
  bool Authorize(const httplib::Request& req, Access access, RequestInfo* who, httplib::Response& res);
  void Send(const Reply& reply, const httplib::Request& req, httplib::Response& res) const;
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  void LogAccess(const httplib::Request& req, const httplib::Response& res);

  const ServeOptions options_;
  const Model& model_;
  Authenticator auth_;
  Metrics metrics_;
  EventLog events_;
  std::unique_ptr<Routes> routes_;
  httplib::Server http_;
  std::function<void(const httplib::Request&)> hook_;
  socket_t listen_socket_ = INVALID_SOCKET;  // captured at bind to raise the backlog
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_SERVER_H_
