#include "openapi.h"

#include <fmt/format.h>

#include <cmath>

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

Json JsonAnswer(const std::string& description, const Json& schema) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

// The record routes' query parameter (routes.h).
Json UnknownCategoriesParameter() {
  return {{"name", "unknown_categories"},
          {"in", "query"},
          {"required", false},
          {"description",
           "accept (default): a category the model did not see in training is answered as the bundle says "
           "(with an unknown_category warning where it accepts unknowns, else 422); refuse: it is a 422 naming "
           "the field. A server started with --refuse-unknown-categories refuses for every request."},
          {"schema", {{"type", "string"}, {"enum", {"accept", "refuse"}}, {"default", "accept"}}}};
}

// The id_column query parameter of /predict and /predict_proba (routes.h).
Json IdColumnParameter() {
  return {{"name", "id_column"},
          {"in", "query"},
          {"required", false},
          {"description",
           "a field (CSV: column) identifying each record, a string or a number: answered first in its "
           "answer as \"id\", not given to the model unless the model reads that field. A record without it "
           "is a 422."},
          {"schema", {{"type", "string"}}}};
}

Json Operation(const std::string& summary, const Json& responses, bool secured) {
  Json op = {{"summary", summary}, {"responses", responses}};
  if (secured) op["security"] = Json::array({{{"basicAuth", Json::array()}}, {{"bearerAuth", Json::array()}}});
  return op;
}

}  // namespace

Json OpenApiDocument(const Model& model, const std::string& server_version, bool with_auth) {
  const ModelInfo& info = model.info();
  Json properties = Json::object();
  Json required = Json::array();
  for (const FieldSpec& f : model.schema().fields()) {
    properties[f.name] = FieldSchema(f);
    required.push_back(f.name);
  }
  const Json record = {{"type", "object"}, {"properties", properties}, {"required", required},
                       {"additionalProperties", false}};
  Json detail_item = {{"type", "object"}};
  detail_item["properties"] = {{"loc", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                               {"msg", {{"type", "string"}}},
                               {"type", {{"type", "string"}}}};
  Json detail = {{"type", "object"}};
  detail["properties"]["detail"] = {{"type", "array"}, {"items", detail_item}};
  const Json error = {{"type", "object"}, {"properties", {{"error", {{"type", "string"}}}, {"request_id", {{"type", "string"}}}}}};
  const Json invalid = JsonAnswer("a field is missing, unknown, of the wrong type or outside its limits", Ref("ValidationError"));
  const Json unauthorized = JsonAnswer("missing or wrong credentials", Ref("Error"));
  const Json ok_object = JsonAnswer("OK", {{"type", "object"}});
  const Json store_down = JsonAnswer("the log store cannot be read (Redis unreachable or refusing)", Ref("Error"));
  const bool s = with_auth;
  Json record_or_batch = {{"oneOf", Json::array({Ref("Record"), {{"type", "array"}, {"items", Ref("Record")}}})}};
  Json predict_body = {{"required", true},
                       {"content",
                        {{"application/json", {{"schema", record_or_batch}}},
                         {"text/csv", {{"schema", {{"type", "string"}, {"description", "a header row, then one record per line"}}}}}}}};
  Json paths = {
      {"/prediction",
       {{"post", Operation("The original stroke API: {\"prediction\": 0|1, \"proba\": P rounded to 4 places}",
                           {{"200", JsonAnswer("the prediction", {{"type", "object"}, {"properties", {{"prediction", {{"type", "integer"}}}, {"proba", {{"type", "number"}}}}}})},
                            {"401", unauthorized}, {"422", invalid}},
                           s)}}},
      {"/predict",
       {{"post", Operation("Predict one record (object), a batch (array) or a CSV body", 
                           {{"200", ok_object}, {"401", unauthorized}, {"413", JsonAnswer("body or batch too large", Ref("Error"))},
                            {"415", JsonAnswer("unsupported content type", Ref("Error"))}, {"422", invalid}},
                           s)}}},
      {"/predict_proba",
       {{"post", Operation("The lung API's shape: prediction, probabilities per class, message",
                           {{"200", ok_object}, {"401", unauthorized}, {"422", invalid}}, s)}}},
      {"/health", {{"get", Operation("Status, model, uptime, build version", {{"200", ok_object}}, false)}}},
      {"/livez", {{"get", Operation("The process is alive (never depends on the model)", {{"200", ok_object}}, false)}}},
      {"/readyz", {{"get", Operation("A model is loaded and serving", {{"200", ok_object}, {"503", JsonAnswer("not ready", Ref("Error"))}}, false)}}},
      {"/model", {{"get", Operation("Model metadata, metrics and input schema", {{"200", ok_object}}, false)}}},
      {"/features", {{"get", Operation("Model features and inputs", {{"200", ok_object}}, false)}}},
      {"/logs",
       {{"get", Operation("Recent predictions and errors, newest first (?limit=1..1000&offset=&level=)",
                          {{"200", ok_object}, {"401", unauthorized}, {"503", store_down}}, s)},
        {"delete", Operation("Clear the recent events (admins only)",
                             {{"200", ok_object}, {"401", unauthorized}, {"403", JsonAnswer("not an admin", Ref("Error"))},
                              {"503", store_down}}, s)}}},
      {"/logs/stats",
       {{"get", Operation("Counts of the recent events", {{"200", ok_object}, {"401", unauthorized}, {"503", store_down}}, s)}}},
      {"/metrics", {{"get", Operation("Prometheus metrics (text format 0.0.4)", {{"200", {{"description", "metrics"}}}}, false)}}},
      {"/openapi.json", {{"get", Operation("This document", {{"200", ok_object}}, false)}}},
  };
  for (const char* route : {"/prediction", "/predict", "/predict_proba"}) {
    paths[route]["post"]["parameters"] = Json::array({UnknownCategoriesParameter()});
  }
  for (const char* route : {"/predict", "/predict_proba"}) {
    paths[route]["post"]["parameters"].push_back(IdColumnParameter());
  }
  Json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "stroke-serve: " + info.name},
        {"version", info.version},
        {"description", info.description + " Served by stroke-serve " + server_version + " (libstroke)."}}},
      {"paths", paths},
      {"components", {{"schemas", {{"Record", record}, {"ValidationError", detail}, {"Error", error}}}}},
  };
  if (with_auth) {
    doc["components"]["securitySchemes"] = {{"basicAuth", {{"type", "http"}, {"scheme", "basic"}}},
                                            {"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}}};
  }
  return doc;
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
<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>)";
}

}  // namespace stroke::apps
