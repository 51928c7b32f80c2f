// routes_fuzz: a request body through stroke-serve's routes over the stroke
// model, as the server hands it over after reading the HTTP request. Every
// reply, and GET /logs afterwards (it shows what the request logged), must be
// a status 200 or 4xx with a JSON body (serve_fuzz_util.h).
//
// Input: byte 0 chooses the route (bits 0-2, modulo 5: /predict, /prediction,
// /predict_proba, /explain, /explain?format=dashboard) and the Content-Type
// (bits 3-5, kContentTypes); the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "serve_fuzz_util.h"

namespace stroke::fuzz {
namespace {

const char* const kContentTypes[] = {"application/json",
                                     "text/csv",
                                     "",
                                     "application/json; charset=utf-8",
                                     "application/problem+json",
                                     "application/x-www-form-urlencoded",
                                     "text/plain",
                                     "text/csv; header=present"};

struct Service {
  apps::Metrics metrics{"fuzz", "stroke", "1"};
  apps::EventLog log{4};  // emptied before each input: GET /logs shows that input's entries only
  apps::Routes routes{ShippedModel("stroke"), apps::RouteSettings{}, &metrics, &log};
};

Service& TheService() {
  static Service* service = new Service();
  return *service;
}

}  // namespace
}  // namespace stroke::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stroke::fuzz;
  if (size == 0) return 0;
  const BodyRoute route = static_cast<BodyRoute>((data[0] & 7) % kNumBodyRoutes);
  const std::string content_type = kContentTypes[(data[0] >> 3) & 7];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  Service& service = TheService();
  (void)service.log.store().Clear();  // each input on its own, so that its file reproduces what it did
  CheckReply(CallBodyRoute(service.routes, route, body, content_type),
             std::string(BodyRouteName(route)) + " (" + content_type + ")");
  try {
    CheckReply(service.routes.Logs(stroke::apps::RequestInfo{"fuzz", "", "/logs", ""}, "", "", ""), "GET /logs");
  } catch (const std::exception& e) {
    Fail(std::string("GET /logs threw (the server answers 500): ") + e.what());
  }
  return 0;
}
