// The OpenAPI 3 description of stroke-serve, generated from the loaded
// model's schema and the routes the server registered: every input field
// with its type, categories, limits and nullability; every route with its
// operationId, request body and examples (the bundle's golden rows), query
// parameters, answers and errors, and the security the server's flags
// (--users, --api-keys, --protect-ops) put on it.
#ifndef STROKE_APPS_SERVE_OPENAPI_H_
#define STROKE_APPS_SERVE_OPENAPI_H_

#include <string>
#include <vector>

#include "model_json.h"

namespace stroke::apps {

// One route as the server registered it.
struct ApiRoute {
  std::string method;  // "GET", "POST", ...
  std::string label;   // the route template: "/models/{model}/predict"
  bool secured = false;  // needs credentials with the server's flags
};

// What the server offers: its routes and the credentials it takes.
struct ApiSurface {
  std::vector<ApiRoute> routes;  // in registration order; OPTIONS (CORS) is not listed
  bool basic_auth = false;       // --users: HTTP Basic
  bool bearer_auth = false;      // --api-keys: Authorization: Bearer <key>
  std::string server_version;
};

// The document for `surface`, with `model`'s schema as the record of the
// default-model routes (/predict, ...); routes under /models/{model} take
// any served model's records. `model_name` and `model_version`: the default
// model as served, the path parameters' examples. Routes the catalogue
// (openapi_catalog.h) does not know are left out; tests/openapi_test.cc
// checks there are none.
Json OpenApiDocument(const Model& model, const ApiSurface& surface, const std::string& model_name,
                     const std::string& model_version);

// A self-contained HTML page listing the routes and the input fields - what
// GET /docs shows when the Swagger UI files are not available.
std::string PlainDocsPage(const Json& openapi);

// The Swagger UI page, loading its files from /docs/.
std::string SwaggerUiPage();

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_OPENAPI_H_
