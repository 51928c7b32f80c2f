#include "openapi.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>

#include "openapi_catalog.h"
#include "openapi_examples.h"

namespace stroke::apps {
namespace {

Json FieldSchema(const FieldSpec& f) {
  Json s;
  switch (f.type) {
    case FieldType::kNumber: s = {{"type", "number"}}; break;
    case FieldType::kInteger: s = {{"type", "integer"}}; break;
    case FieldType::kBoolean:
      s = {{"oneOf", Json::array({{{"type", "boolean"}}, {{"type", "integer"}, {"enum", {0, 1}}}})}};
      break;
    case FieldType::kCategory: s = {{"type", "string"}, {"enum", f.categories}}; break;
  }
  if (!f.known_codes.empty()) s["enum"] = f.known_codes;
  if (std::isfinite(f.hard_min)) s["minimum"] = f.hard_min;
  if (std::isfinite(f.hard_max)) s["maximum"] = f.hard_max;
  if (f.nullable) s["nullable"] = true;
  std::string description = f.description;
  if (std::isfinite(f.train_min) || std::isfinite(f.train_max)) {
    description += fmt::format("{}Trained on [{}, {}]; values outside are accepted with a warning",
                               description.empty() ? "" : ". ", f.train_min, f.train_max);
  }
  if (!description.empty()) s["description"] = description;
  return s;
}

Json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

Json AnswerWith(const std::string& description, const Json& schema) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

Json Answer(const std::string& description, const std::string& schema_name) {
  return AnswerWith(description, Ref(schema_name));
}

// A route's own error answer: 422 for a body or query is FastAPI's shape
// (training refusals and the repository's are {"error"}); others {"error"}.
Json ErrorAnswer(int status, const std::string& when, ApiBody body) {
  if (status != 422 || body == ApiBody::kTrainingCsv) return Answer(when, "Error");
  if (body == ApiBody::kAliasVersion) return AnswerWith(when, Json{{"oneOf", {Ref("ValidationError"), Ref("Error")}}});
  return Answer(when, "ValidationError");
}

Json StringContent(const std::string& media_type) { return {{media_type, {{"schema", {{"type", "string"}}}}}}; }

// A path parameter for each {name} in `label`; {model} and {version} have
// the default model's as examples (what "Try it out" fills in).
Json PathParameters(const std::string& label, const std::string& model_name, const std::string& model_version) {
  static const std::map<std::string, std::string> kWhat = {
      {"model", "a model's name (GET /models lists them)"},
      {"version", "a version number, or an alias such as production"},
      {"name", "a feature's name (GET /features lists them)"},
      {"alias", "an alias: a name for a version"},
      {"id", "a job's id"},
      {"file", "a file name"}};
  Json parameters = Json::array();
  for (size_t open = label.find('{'); open != std::string::npos; open = label.find('{', open + 1)) {
    const std::string name = label.substr(open + 1, label.find('}', open) - open - 1);
    const auto what = kWhat.find(name);
    Json parameter = {{"name", name}, {"in", "path"}, {"required", true},
                      {"description", what == kWhat.end() ? name : what->second},
                      {"schema", {{"type", "string"}}}};
    if (name == "model") parameter["example"] = model_name;
    if (name == "version") parameter["example"] = model_version;
    parameters.push_back(std::move(parameter));
  }
  return parameters;
}

Json QueryParameter(const std::string& name, const std::string& description, Json schema) {
  return {{"name", name}, {"in", "query"}, {"required", false}, {"description", description}, {"schema", schema}};
}

Json QueryParameters(unsigned query) {
  Json parameters = Json::array();
  if (query & kQueryUnknownCategories) {
    parameters.push_back(QueryParameter(
        "unknown_categories",
        "accept (default): a category the model did not see in training is answered as the bundle says (with an "
        "unknown_category warning where it accepts unknowns, else 422); refuse: it is a 422 naming the field. A "
        "server started with --refuse-unknown-categories refuses for every request.",
        {{"type", "string"}, {"enum", {"accept", "refuse"}}, {"default", "accept"}}));
  }
  if (query & kQueryIdColumn) {
    parameters.push_back(QueryParameter(
        "id_column",
        "a field (CSV: column) identifying each record, a string or a number: answered first in its answer as "
        "\"id\", not given to the model unless the model reads that field. A record without it is a 422.",
        {{"type", "string"}}));
  }
  if (query & kQueryExplainFormat) {
    parameters.push_back(QueryParameter("format", "dashboard: the credit-scoring API's {values, feat, data, base}",
                                        {{"type", "string"}, {"enum", {"dashboard"}}}));
  }
  if (query & kQueryLogPage) {
    parameters.push_back(QueryParameter("limit", "events to answer", {{"type", "integer"}, {"minimum", 1},
                                                                      {"maximum", 1000}, {"default", 100}}));
    parameters.push_back(QueryParameter("offset", "events to skip, newest first", {{"type", "integer"}, {"minimum", 0}}));
    parameters.push_back(QueryParameter("level", "only events of this level", {{"type", "string"},
                                                                               {"enum", {"INFO", "WARNING", "ERROR"}}}));
  }
  if (query & kQueryPromote) {
    parameters.push_back(QueryParameter("promote", "an alias to point at the new version when it passes",
                                        {{"type", "string"}}));
  }
  return parameters;
}

// A JSON media type with `schema` and, when present, `examples` ({name: value}).
Json JsonMedia(const Json& schema, const std::vector<std::pair<std::string, Json>>& examples) {
  Json media = {{"schema", schema}};
  for (const auto& [name, value] : examples) {
    if (!value.is_null()) media["examples"][name] = {{"summary", "from the bundle's golden rows"}, {"value", value}};
  }
  return media;
}

// `default_model`: the route answers with the default model (else the one
// its path names, whose records may differ: the examples are the default
// model's, as the {model} parameter's example is).
Json RequestBody(ApiBody body, bool default_model, const ApiExamples& ex) {
  const Json record = default_model ? Ref("Record")
                                    : Json{{"type", "object"},
                                           {"description", "a record of the named model: its fields are in its GET .../model"}};
  const Json records = {{"type", "array"}, {"items", record}};
  Json csv = {{"schema", {{"type", "string"}, {"description", "a header row, then one record per line"}}}};
  if (!ex.csv.empty()) csv["example"] = ex.csv;
  Json content;
  switch (body) {
    case ApiBody::kNone: return nullptr;
    case ApiBody::kRecord: content["application/json"] = JsonMedia(record, {{"record", ex.record}}); break;
    case ApiBody::kRecords:
      content["application/json"] = JsonMedia({{"oneOf", {record, records}}},
                                              {{"record", ex.record}, {"batch", ex.batch}});
      content["text/csv"] = csv;
      break;
    case ApiBody::kOipInfer:
      content["application/json"] = JsonMedia(Ref("InferenceRequest"), {{"inputs", ex.oip_infer}});
      break;
    case ApiBody::kKserveV1:
      content["application/json"] = JsonMedia(
          {{"type", "object"}, {"properties", {{"instances", records}, {"inputs", records}}}},
          {{"instances", ex.kserve_v1}});
      break;
    case ApiBody::kMlflow:
      content["application/json"] = JsonMedia(
          {{"type", "object"},
           {"properties", {{"dataframe_split", {{"type", "object"}, {"properties", {{"columns", {{"type", "array"}, {"items", {{"type", "string"}}}}}, {"data", {{"type", "array"}, {"items", {{"type", "array"}, {"items", Json::object()}}}}}}}}},
                           {"dataframe_records", records}, {"instances", records}, {"inputs", records}}}},
          {{"dataframe_split", ex.mlflow}});
      content["text/csv"] = csv;
      break;
    case ApiBody::kAliasVersion:
      content["application/json"] = JsonMedia(
          {{"type", "object"}, {"required", {"version"}}, {"properties", {{"version", {{"type", "integer"}, {"minimum", 1}}}}}},
          {{"version", {{"version", 1}}}});
      break;
    case ApiBody::kTrainingCsv:
      content["text/csv"] = {{"schema", {{"type", "string"}, {"description", "the training rows with the target column"}}}};
      break;
  }
  return {{"required", true}, {"content", content}};
}

Json Responses(const RouteDoc& doc, bool secured, int variant) {
  Json responses;
  switch (doc.answer) {
    case ApiAnswer::kObject: responses["200"] = {{"description", "OK"}, {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}; break;
    case ApiAnswer::kPrediction: responses["200"] = Answer("the prediction", "Prediction"); break;
    case ApiAnswer::kText: responses["200"] = {{"description", "OK"}, {"content", StringContent("text/plain")}}; break;
    case ApiAnswer::kHtml: responses["200"] = {{"description", "the page"}, {"content", StringContent("text/html")}}; break;
    case ApiAnswer::kFile:
      responses["200"] = {{"description", "the file (ETag; 304 on If-None-Match)"}, {"content", StringContent("application/octet-stream")}};
      break;
    case ApiAnswer::kRedirect:
      responses["307"] = {{"description", "to /docs"}, {"headers", {{"Location", {{"schema", {{"type", "string"}}}}}}}};
      break;
  }
  if (secured) {
    responses["401"] = Answer("missing or wrong credentials", "Error");
    responses["429"] = Answer("too many failed logins from this address (--max-failed-logins)", "Error");
  }
  if (variant > 0) responses["404"] = Answer("no model (or version) of that name", "Error");
  for (const auto& [status, when] : doc.errors) {
    responses[std::to_string(status)] = ErrorAnswer(status, when, doc.body);
  }
  responses["4XX"] = Answer("the request itself was refused before its route ran (docs/http-api.md): 400 unreadable, "
                            "408 too slow, 413 body too large, 415 compressed body, 416 Range, 431 headers too large",
                            "Error");
  return responses;
}

Json Security(const ApiSurface& surface, bool secured) {
  Json security = Json::array();
  if (!secured) return security;  // [] : open
  if (surface.basic_auth) security.push_back({{"basicAuth", Json::array()}});
  if (surface.bearer_auth) security.push_back({{"bearerAuth", Json::array()}});
  return security;
}

Json Components(const Model& model, const ApiSurface& surface) {
  Json properties = Json::object();
  Json required = Json::array();
  for (const FieldSpec& f : model.schema().fields()) {
    properties[f.name] = FieldSchema(f);
    required.push_back(f.name);
  }
  Json loc_item = {{"oneOf", {{{"type", "string"}}, {{"type", "integer"}}}},
                   {"description", "\"body\" or \"query\", then a batch's row index (an integer), then the field"}};
  Json detail_item = {{"type", "object"},
                      {"properties", {{"loc", {{"type", "array"}, {"items", loc_item}}},
                                      {"msg", {{"type", "string"}}},
                                      {"type", {{"type", "string"}}}}}};
  Json schemas = {
      {"Record", {{"type", "object"}, {"properties", properties}, {"required", required}, {"additionalProperties", false}}},
      {"Prediction", {{"type", "object"}, {"properties", {{"prediction", {{"type", "integer"}}}, {"proba", {{"type", "number"}}}}}}},
      {"ValidationError", {{"type", "object"}, {"properties", {{"detail", {{"type", "array"}, {"items", detail_item}}}}}}},
      {"Error", {{"type", "object"}, {"properties", {{"error", {{"type", "string"}}}, {"request_id", {{"type", "string"}}}}}}},
      {"InferenceRequest",
       {{"type", "object"},
        {"required", {"inputs"}},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"parameters", {{"type", "object"}}},
          {"inputs", {{"type", "array"},
                      {"items", {{"type", "object"},
                                 {"required", {"name", "shape", "datatype", "data"}},
                                 {"properties", {{"name", {{"type", "string"}}},
                                                 {"shape", {{"type", "array"}, {"items", {{"type", "integer"}}}}},
                                                 {"datatype", {{"type", "string"}}},
                                                 {"data", {{"type", "array"}, {"items", Json::object()}}},
                                                 {"parameters", {{"type", "object"}}}}}}}}},
          {"outputs", {{"type", "array"}, {"items", {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}}}}}}}}},
  };
  Json components = {{"schemas", schemas}};
  if (surface.basic_auth) components["securitySchemes"]["basicAuth"] = {{"type", "http"}, {"scheme", "basic"}};
  if (surface.bearer_auth) {
    components["securitySchemes"]["bearerAuth"] = {{"type", "http"}, {"scheme", "bearer"},
                                                   {"description", "an API key from --api-keys"}};
  }
  return components;
}

}  // namespace

Json OpenApiDocument(const Model& model, const ApiSurface& surface, const std::string& model_name,
                     const std::string& model_version) {
  const ModelInfo& info = model.info();
  const ApiExamples examples = MakeApiExamples(model);
  Json paths = Json::object();
  for (const ApiRoute& route : surface.routes) {
    int variant = 0;
    const RouteDoc* doc = FindRouteDoc(route.method, route.label, &variant);
    if (doc == nullptr) continue;
    static const char* kSuffix[] = {"", "ForModel", "ForModelVersion"};
    Json op = {{"operationId", doc->operation_id + kSuffix[variant]}, {"tags", {doc->tag}}, {"summary", doc->summary}};
    Json parameters = PathParameters(route.label, model_name, model_version);
    for (Json& p : QueryParameters(doc->query)) parameters.push_back(std::move(p));
    if (!parameters.empty()) op["parameters"] = parameters;
    if (Json body = RequestBody(doc->body, variant == 0, examples); !body.is_null()) op["requestBody"] = body;
    op["responses"] = Responses(*doc, route.secured, variant);
    op["security"] = Security(surface, route.secured);
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[route.label][method] = op;
  }
  Json tags = Json::array();
  for (const auto& [name, description] : ApiTags()) tags.push_back({{"name", name}, {"description", description}});
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "stroke-serve: " + info.name},
        {"version", info.version},
        {"description", info.description + " Served by stroke-serve " + surface.server_version +
                            " (libstroke). A form for people: /ui."}}},
      {"servers", {{{"url", "/"}, {"description", "this server"}}}},
      {"tags", tags},
      {"paths", paths},
      {"components", Components(model, surface)},
  };
}

std::string PlainDocsPage(const Json& openapi) {
  auto escape = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
      }
    }
    return out;
  };
  std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" +
                     escape(openapi["info"]["title"].get<std::string>()) +
                     "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
                     "code{background:#eee;padding:0 .2em}td{padding:.2em .6em;vertical-align:top}</style></head><body><h1>" +
                     escape(openapi["info"]["title"].get<std::string>()) + "</h1><p>" +
                     escape(openapi["info"]["description"].get<std::string>()) +
                     "</p><p>The machine-readable description is <a href=\"/openapi.json\">/openapi.json</a>.</p><h2>Routes</h2><table>";
  for (const auto& [path, methods] : openapi["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      std::string method_upper = method;
      for (char& c : method_upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      html += "<tr><td><code>" + method_upper + " " + escape(path) + "</code></td><td>" +
              escape(op["summary"].get<std::string>()) + "</td></tr>";
    }
  }
  html += "</table><h2>Record fields</h2><table>";
  const Json& record = openapi["components"]["schemas"]["Record"];
  for (const auto& [name, schema] : record["properties"].items()) {
    Json shown = schema;
    shown.erase("description");
    html += "<tr><td><code>" + escape(name) + "</code></td><td><code>" + escape(JsonText(shown)) + "</code></td><td>" +
            escape(schema.value("description", "")) + "</td></tr>";
  }
  return html + "</table></body></html>";
}

std::string SwaggerUiPage() {
  return R"(<!doctype html><html><head><meta charset="utf-8"><title>stroke-serve API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" href="data:,"></head><body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>)";
}

}  // namespace stroke::apps
