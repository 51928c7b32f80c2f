// The request being answered on this worker thread, shared by the parts of
// StrokeServer (server.cc, server_routing.cc). A request is handled from
// start to end on one thread (ConnectionLoop hands it to a worker whole), so
// pre-routing, the handler, the error handler and the logger all see the
// same context.
#ifndef STROKE_APPS_SERVE_REQUEST_CONTEXT_H_
#define STROKE_APPS_SERVE_REQUEST_CONTEXT_H_

#include <chrono>
#include <string>
#include <vector>

namespace stroke::apps {

// What a request has shown so far, reset for each request.
struct RequestContext {
  std::string id;
  std::string user;
  std::string route = "unmatched";
  std::string model;                // "name/version" of the model that answered, or ""
  std::vector<std::string> params;  // the route's path parameters, decoded
  const void* handler = nullptr;    // the matched route's handler
  std::string accept_encoding;      // what the client accepts (httplib never sees it)
  std::chrono::steady_clock::time_point start;
  bool close_connection = false;    // the request could not be parsed: do not trust the stream
  bool asked_for_range = false;     // a Range header (refused: 416)
  // Filled by httplib's logger once the answer is written.
  int status = 0;
  size_t bytes = 0;
  std::string method, path;
};
extern thread_local RequestContext t_request;

// A client's X-Request-Id is kept when it is 1-64 of [A-Za-z0-9._-].
bool ValidRequestId(const std::string& id);
// 16 random hex digits.
std::string NewRequestId();

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_REQUEST_CONTEXT_H_
