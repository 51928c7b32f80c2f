// What the OpenAPI document says of each stroke-serve route, keyed by its
// method and route template (the label the server registers it under, as in
// /metrics). The document (openapi.h) lists the routes the server actually
// registered and looks each up here: a route without an entry is a bug that
// tests/openapi_test.cc catches.
#ifndef STROKE_APPS_SERVE_OPENAPI_CATALOG_H_
#define STROKE_APPS_SERVE_OPENAPI_CATALOG_H_

#include <string>
#include <utility>
#include <vector>

namespace stroke::apps {

// The request body a route reads.
enum class ApiBody {
  kNone,
  kRecord,           // one record (an object): /prediction
  kRecords,          // a record, an array of records or text/csv: /predict
  kOipInfer,         // an Open Inference Protocol v2 inference request
  kKserveV1,         // {"instances": [...]} or {"inputs": [...]}
  kMlflow,           // dataframe_split / dataframe_records / instances / inputs, or text/csv
  kAliasVersion,     // {"version": N}
  kTrainingCsv,      // text/csv with the target column
};

// The query parameters a route reads (a bit set).
enum ApiQuery : unsigned {
  kQueryNone = 0,
  kQueryUnknownCategories = 1u << 0,  // ?unknown_categories=accept|refuse
  kQueryIdColumn = 1u << 1,           // ?id_column=
  kQueryExplainFormat = 1u << 2,      // ?format=dashboard
  kQueryLogPage = 1u << 3,            // ?limit=&offset=&level=
  kQueryPromote = 1u << 4,            // ?promote=<alias>
};

// The shape of a route's 200 (or 202) answer.
enum class ApiAnswer { kObject, kPrediction, kText, kHtml, kFile, kRedirect };

struct RouteDoc {
  RouteDoc() = default;
  RouteDoc(std::string id, std::string tag_name, std::string summary_text, ApiBody body_kind = ApiBody::kNone,
           unsigned query_bits = kQueryNone, ApiAnswer answer_kind = ApiAnswer::kObject,
           std::vector<std::pair<int, std::string>> route_errors = {})
      : operation_id(std::move(id)), tag(std::move(tag_name)), summary(std::move(summary_text)), body(body_kind),
        query(query_bits), answer(answer_kind), errors(std::move(route_errors)) {}

  std::string operation_id;  // unique; the per-model variants add "ForModel", "ForModelVersion"
  std::string tag;           // the group in /docs
  std::string summary;
  ApiBody body = ApiBody::kNone;
  unsigned query = kQueryNone;
  ApiAnswer answer = ApiAnswer::kObject;
  // The route's own 4xx/5xx answers (status, when); the transport's 4xx
  // (408, 413, 415, 416, 431) and 401/429 for protected routes are added
  // by the document itself.
  std::vector<std::pair<int, std::string>> errors;
};

// The entry for `method` and `label` ("/models/{model}/versions/{version}/predict"
// falls back to "/predict", adding nothing); null when there is none.
// `variant`: set to 0 for the route itself, 1 under /models/{model}, 2 under
// /models/{model}/versions/{version}.
const RouteDoc* FindRouteDoc(const std::string& method, const std::string& label, int* variant);

// The tags FindRouteDoc's entries use, in the order /docs shows them, with
// their descriptions.
const std::vector<std::pair<std::string, std::string>>& ApiTags();

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_OPENAPI_CATALOG_H_
