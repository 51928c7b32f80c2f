// What the stroke-serve fuzz targets share: a call of one body route and the
// checks every reply must pass. routes_fuzz calls the routes directly, the
// way the server does once it has read a request; a target for raw HTTP
// requests (through StrokeServer, with the server rewrite) checks its
// replies with the same CheckReply.
#ifndef STROKE_FUZZ_SERVE_FUZZ_UTIL_H_
#define STROKE_FUZZ_SERVE_FUZZ_UTIL_H_

#include <nlohmann/json.hpp>

#include <exception>
#include <string>

#include "fuzz_util.h"
#include "routes.h"

namespace stroke::fuzz {

// The routes that take a request body.
enum class BodyRoute { kPredict, kPrediction, kPredictProba, kExplain, kExplainDashboard };
inline constexpr int kNumBodyRoutes = 5;

inline const char* BodyRouteName(BodyRoute route) {
  switch (route) {
    case BodyRoute::kPredict: return "POST /predict";
    case BodyRoute::kPrediction: return "POST /prediction";
    case BodyRoute::kPredictProba: return "POST /predict_proba";
    case BodyRoute::kExplain: return "POST /explain";
    case BodyRoute::kExplainDashboard: return "POST /explain?format=dashboard";
  }
  return "?";
}

// A reply a client may get: 200 or 4xx (5xx is a bug: the server only sends
// 500 when a handler throws), a JSON body that parses (so valid UTF-8).
inline void CheckReply(const apps::Reply& reply, const std::string& where) {
  if (reply.status != 200 && (reply.status < 400 || reply.status > 499)) {
    Fail(where + ": status " + std::to_string(reply.status) + ": " + reply.body);
  }
  if (reply.content_type != "application/json") Fail(where + ": content type " + reply.content_type);
  if (!nlohmann::json::accept(reply.body)) Fail(where + ": the body is not JSON (or not UTF-8): " + reply.body);
}


// Calls `route` as the server would; an exception (the server's 500) is a
// finding.
inline apps::Reply CallBodyRoute(const apps::Routes& routes, BodyRoute route, const std::string& body,
                                 const std::string& content_type) {
  apps::RequestInfo who;
  who.id = "fuzz";
  who.route = BodyRouteName(route);
  try {
    switch (route) {
      case BodyRoute::kPredict: return routes.Predict(who, body, content_type);
      case BodyRoute::kPrediction: return routes.Prediction(who, body, content_type);
      case BodyRoute::kPredictProba: return routes.PredictProba(who, body, content_type);
      case BodyRoute::kExplain: return routes.Explain(who, body, content_type, "");
      case BodyRoute::kExplainDashboard: return routes.Explain(who, body, content_type, "dashboard");
    }
  } catch (const std::exception& e) {
    Fail(std::string(BodyRouteName(route)) + " threw (the server answers 500): " + e.what());
  }
  Fail("unknown route");
  return {};
}

}  // namespace stroke::fuzz

#endif  // STROKE_FUZZ_SERVE_FUZZ_UTIL_H_
