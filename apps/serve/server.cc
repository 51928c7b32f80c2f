#include "server.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "compression.h"
#include "model_path.h"
#include "request_context.h"

namespace stroke::apps {
namespace {

// RFC 9110 reason phrases of the statuses the server produces itself.
const char* ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// What an error httplib itself detects means, for the client.
std::string HttpErrorMessage(int status, const httplib::Request& req) {
  switch (status) {
    case 400: return "malformed request: the request line or a header could not be parsed";
    case 404: return "no route " + req.method + " " + req.path;
    case 413: return "the body exceeds the limit (--max-body-bytes)";
    case 414: return "the request target is too long";
    case 416: return "invalid Range header (Range requests are not supported)";
    default: return fmt::format("HTTP {} {}", status, ReasonPhrase(status));
  }
}

// The method as a metrics label: the standard ones, else "other" (a label
// per invented method would let clients grow /metrics without bound).
std::string MethodLabel(const std::string& method) {
  for (const char* known : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    if (method == known) return method;
  }
  return method.empty() ? "-" : "other";
}

// A request's bytes in memory and its answer, for AnswerBytes.
class MemoryStream final : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view request) : request_(request) {}
  bool is_readable() const override { return !request_.empty(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, request_.size());
    std::memcpy(ptr, request_.data(), n);
    request_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    answer_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  const std::string& answer() const { return answer_; }

 private:
  std::string_view request_;
  std::string answer_;
};

}  // namespace

void StrokeServer::WarmUpParser() {
  // Debian's httplib is not built with -fsanitize=thread, so ThreadSanitizer
  // does not see the guard of its function-local statics (the method set of
  // its request-line parser) and reports their first use on one worker as
  // racing with the next use on another. Parsing one request line here,
  // before any worker exists, initializes them; the answer (400) is dropped.
  MemoryStream warm_up("WARM-UP / HTTP/1.1\r\n\r\n");
  bool closed = false;
  http_.process_request(warm_up, /*close_connection=*/true, closed, [](httplib::Request&) {});
  t_request = RequestContext{};
}

void StrokeServer::ConfigureHttp() {
  ConnectionLimits limits;
  limits.header_timeout_ms = options_.header_timeout_s * 1000;
  limits.request_timeout_ms = options_.read_timeout_s * 1000;
  limits.write_timeout_ms = options_.write_timeout_s * 1000;
  limits.keep_alive_timeout_ms = options_.keep_alive_timeout_s * 1000;
  limits.keep_alive_max = static_cast<size_t>(options_.keep_alive_max);
  limits.max_connections = options_.max_connections;
  limits.framing.max_body_bytes = options_.max_body_bytes;
  limits.framing.max_headers = options_.max_headers;
  limits.framing.max_header_bytes = options_.max_header_bytes;
  loop_ = std::make_unique<ConnectionLoop>(
      limits, options_.threads,
      [this](httplib::Stream& stream, bool must_close) { return HandleRequest(stream, must_close); },
      [this](int status, const std::string& message, const std::string& remote) {
        return Refusal(status, message, remote);
      });
  metrics_.SetOpenConnectionsGauge([this] { return loop_->open_connections(); });

  http_.set_payload_max_length(options_.max_body_bytes);
  // Only for the Keep-Alive header httplib writes; ConnectionLoop enforces them.
  http_.set_keep_alive_max_count(static_cast<size_t>(options_.keep_alive_max));
  http_.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return PreRoute(req, res); });
  http_.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    t_request.status = res.status;
    t_request.bytes = res.body.size();
    t_request.method = req.method;
    t_request.path = req.path;
  });
  http_.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
    OnException(req, res, error);
  });
  http_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) { OnHttpError(req, res); });
  // One handler per method: pre-routing has matched the route already.
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    const auto& handler = *static_cast<const Handler*>(t_request.handler);
    RequestInfo who{t_request.id, t_request.user, t_request.route, req.remote_addr, t_request.start};
    if (hook_) hook_(req);
    Send(handler(req, who), req, res);
  };
  http_.Get(".*", dispatch);
  http_.Post(".*", dispatch);
  http_.Put(".*", dispatch);
  http_.Delete(".*", dispatch);
}

bool StrokeServer::HandleRequest(httplib::Stream& stream, bool must_close) {
  t_request = RequestContext{};
  t_request.id = NewRequestId();
  t_request.start = std::chrono::steady_clock::now();
  std::string remote;
  int remote_port = 0;
  stream.get_remote_ip_and_port(remote, remote_port);
  metrics_.RequestStarted();
  bool closed = false;
  bool written = false;
  try {
    written = http_.process_request(stream, must_close, closed, [this](httplib::Request& req) { SetupRequest(req); });
  } catch (...) {  // last resort: everything below catches its own; this connection ends, the server serves on
    fmt::print(stderr, "stroke-serve: request {} failed unexpectedly; connection closed\n", t_request.id);
    t_request.close_connection = true;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request.start).count();
  metrics_.RequestFinished(t_request.route, MethodLabel(t_request.method), t_request.status, seconds);
  if (t_request.status >= 500) events_.Add("ERROR", "server error", {{"request_id", t_request.id}, {"route", t_request.route}});
  LogAccess(t_request.method, t_request.path, remote, t_request.status, t_request.bytes);
  return written && !closed && !t_request.close_connection;
}

void StrokeServer::SetupRequest(httplib::Request& req) {
  const std::string given = req.get_header_value("X-Request-Id");
  if (ValidRequestId(given)) t_request.id = given;
  // httplib would compress answers itself (brotli at its highest quality):
  // it never sees what the client accepts; Send compresses instead.
  t_request.accept_encoding = req.get_header_value("Accept-Encoding");
  req.headers.erase("Accept-Encoding");
  req.headers.erase("Expect");  // ConnectionLoop has answered 100-continue
  // curl -d's default type: our routes read it as JSON (docs/http-api.md), but
  // httplib would cap such a body at 8 KB for form decoding.
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    req.headers.erase("Content-Type");
    req.set_header("Content-Type", "application/json");
  }
  // httplib would cut any answer, the 416 too, into the ranges asked for.
  t_request.asked_for_range = req.has_header("Range");
  req.ranges.clear();
}

void StrokeServer::Send(const Reply& reply, const httplib::Request& req, httplib::Response& res) {
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers) res.set_header(name.c_str(), value);
  res.set_header("X-Request-Id", t_request.id);
  const std::string origin = req.get_header_value("Origin");
  if (CorsListed(origin)) {
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Vary", "Origin");
  }
  const bool gzip = AcceptsGzip(t_request.accept_encoding);
  if (reply.asset != nullptr) {  // precompressed once; revalidated by ETag
    const StaticAsset& asset = *reply.asset;
    res.set_header("ETag", asset.etag);
    res.set_header("Cache-Control", asset.cache_control);
    res.set_header("Vary", "Accept-Encoding");
    if (EtagMatches(req.get_header_value("If-None-Match"), asset.etag)) {
      res.status = 304;
      return;
    }
    const bool compressed = gzip && !asset.gzip_body.empty();
    if (compressed) res.set_header("Content-Encoding", "gzip");
    res.set_content(compressed ? asset.gzip_body : asset.body, asset.content_type.c_str());
    return;
  }
  if (gzip && reply.body.size() >= kCompressMinBytes && reply.body.size() <= kCompressMaxBytes) {
    const auto start = std::chrono::steady_clock::now();
    std::string compressed = Gzip(reply.body, 1);
    metrics_.Compressed(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!compressed.empty() && compressed.size() < reply.body.size()) {
      res.set_header("Content-Encoding", "gzip");
      res.set_header("Vary", "Accept-Encoding");
      res.set_content(std::move(compressed), reply.content_type.c_str());
      return;
    }
  }
  res.set_content(reply.body, reply.content_type.c_str());
}

void StrokeServer::OnHttpError(const httplib::Request& req, httplib::Response& res) {
  try {
    if (!res.body.empty()) return;  // one of ours
    if (res.status == 400 || res.status == 414) t_request.close_connection = true;
    Send(ErrorReply(res.status, HttpErrorMessage(res.status, req), t_request.id), req, res);
  } catch (...) {  // never let an error answer fail the connection
    res.body.clear();
  }
}

void StrokeServer::OnException(const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
  std::string what = "unknown exception";
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  try {
    // Details only in the server's log; the client gets a request id to quote.
    events_.Add("ERROR", "internal error", {{"request_id", t_request.id}, {"route", t_request.route}, {"what", what}});
    const std::string line = JsonText({{"error", "internal error"}, {"request_id", t_request.id},
                                       {"route", t_request.route}, {"path", req.path}, {"what", what}});
    fmt::print(stderr, "stroke-serve: {}\n", line);
    Send(ErrorReply(500, "internal error", t_request.id), req, res);
  } catch (...) {
    res.status = 500;
  }
}

std::string StrokeServer::Refusal(int status, const std::string& message, const std::string& remote) {
  t_request = RequestContext{};  // between requests on this thread: its own context
  t_request.id = NewRequestId();
  t_request.route = "refused";
  t_request.start = std::chrono::steady_clock::now();
  const std::string& id = t_request.id;
  const std::string body = JsonText({{"error", message}, {"request_id", id}});
  std::string answer = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n"
      "X-Request-Id: {}\r\n\r\n{}",
      status, ReasonPhrase(status), body.size(), id, body);
  metrics_.RequestFinished("refused", "-", status, 0);
  LogAccess("-", "-", remote, status, body.size());
  return answer;
}

void StrokeServer::LogAccess(const std::string& method, const std::string& path, const std::string& remote, int status,
                             size_t bytes) {
  if (options_.quiet || status == 0) return;
  const double ms = MillisecondsSince(t_request.start);
  Json fields = {{"time", NowIso8601()}, {"request_id", t_request.id}, {"remote", remote}, {"method", method},
                 {"path", path}, {"route", t_request.route}, {"status", status}, {"bytes", bytes},
                 {"duration_ms", ms}, {"user", t_request.user}};
  if (!t_request.model.empty()) fields["model"] = t_request.model;  // "name/version" that answered
  const std::string line = JsonText(fields);
  if (access_log_.is_open()) {
    access_log_.WriteLine(line);
  } else {
    fmt::print(stderr, "{}\n", line);
  }
}

std::string StrokeServer::AnswerBytes(std::string_view requests) {
  FramingLimits limits;
  limits.max_body_bytes = options_.max_body_bytes;
  limits.max_headers = options_.max_headers;
  limits.max_header_bytes = options_.max_header_bytes;
  std::string answers;
  for (;;) {
    requests.remove_prefix(LeadingBlankBytes(requests));
    if (requests.empty()) return answers;
    const Framing f = FrameRequest(requests, limits);
    if (f.state == Framing::State::kError) return answers + Refusal(f.status, f.message, "127.0.0.1");
    if (f.state == Framing::State::kIncomplete) {
      return answers + Refusal(408, "the request ended before its headers and body were complete", "127.0.0.1");
    }
    MemoryStream stream(requests.substr(0, f.total()));
    const bool keep = HandleRequest(stream, /*must_close=*/false);
    answers += stream.answer();
    requests.remove_prefix(f.total());
    if (!keep) return answers;
  }
}

int StrokeServer::Bind() { return loop_->Bind(options_.host, options_.port); }

bool StrokeServer::Listen() { return loop_->Run(); }

void StrokeServer::Stop() {
  ready_ = false;
  watcher_.reset();  // no reload while stopping
  training_.reset();  // a running trainer is stopped; its job changed nothing
  loop_->Stop();
  events_.FlushAudit();
}

Status StrokeServer::ReopenLogs() {
  Status access = access_log_.Reopen();
  Status audit = events_.ReopenAudit();
  return access.ok() ? audit : access;
}

}  // namespace stroke::apps
