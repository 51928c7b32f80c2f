// The OpenAPI 3 description of stroke-serve, generated from the loaded
// model's schema: every input field with its type, categories, limits and
// nullability, and every route with its answers and errors.
#ifndef STROKE_APPS_SERVE_OPENAPI_H_
#define STROKE_APPS_SERVE_OPENAPI_H_

#include <string>

#include "model_json.h"

namespace stroke::apps {

// `with_auth`: protected routes declare HTTP Basic and bearer security.
Json OpenApiDocument(const Model& model, const std::string& server_version, bool with_auth);

// A self-contained HTML page listing the routes and the input fields - what
// GET /docs shows when the Swagger UI files are not available.
std::string PlainDocsPage(const Json& openapi);

// The Swagger UI page, loading its files from /docs/.
std::string SwaggerUiPage();

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_OPENAPI_H_
