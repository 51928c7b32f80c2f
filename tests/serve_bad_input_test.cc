// stroke-serve's bad-input table: well over a hundred hostile or mistaken
// requests across every route, each asserting the status, that a 4xx names
// the field (or query parameter) at fault where there is one, and that the
// server still answers afterwards. One server for the whole table.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "raw_http.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using stroke::testing::RawConnection;
using stroke::testing::RawResponse;
using namespace std::chrono_literals;

struct BadInput {
  std::string name;
  std::string request;  // raw bytes
  int status;
  std::string names;    // a field or parameter the error must name ("" = none to check)
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

const std::string kAuth = "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n";  // bob:builder

std::string Request(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& type = "application/json", const std::string& extra = "") {
  const bool own_auth = extra.find("Authorization") != std::string::npos;
  return method + " " + target + " HTTP/1.1\r\nHost: t\r\n" + (own_auth ? "" : kAuth) + extra +
         (type.empty() ? "" : "Content-Type: " + type + "\r\n") + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// The sample patient with one field replaced by raw JSON text (or removed when "").
std::string PatientWith(const std::string& field, const std::string& raw_value) {
  Json p = Json::parse(kPatient);
  p.erase(field);
  std::string text = p.dump();
  if (raw_value.empty()) return text;
  text.pop_back();
  return text + ",\"" + field + "\":" + raw_value + "}";
}

std::vector<BadInput> Table() {
  std::vector<BadInput> t;
  // The same record mistakes on each record route.
  const std::vector<std::pair<std::string, bool>> record_routes = {
      {"/prediction", true}, {"/predict", false}, {"/predict_proba", false}, {"/explain", false}};
  for (const auto& route_and_kind : record_routes) {
    const std::string& route = route_and_kind.first;  // a lambda may not capture a structured binding in clang 14
    const bool object_only = route_and_kind.second;
    auto add = [&](const std::string& name, const std::string& body, int status, const std::string& names,
                   const std::string& type = "application/json", const std::string& extra = "") {
      t.push_back({route + " " + name, Request("POST", route, body, type, extra), status, names});
    };
    add("malformed JSON", "{\"age\": ", 422, "body");
    add("empty body", "", 422, "body");
    add("a bare number", "42", 422, "body");
    add("a string", "\"patient\"", 422, "body");
    add("missing age", PatientWith("age", ""), 422, "age");
    add("age as text", PatientWith("age", "\"old\""), 422, "age");
    add("age above its limit", PatientWith("age", "150"), 422, "age");
    add("age negative", PatientWith("age", "-3"), 422, "age");
    add("age as an object", PatientWith("age", "{\"years\":67}"), 422, "age");
    add("age as an array", PatientWith("age", "[67]"), 422, "age");
    add("age 1e400", PatientWith("age", "1e400"), 422, "age");
    add("age null", PatientWith("age", "null"), 422, "age");
    add("glucose as text", PatientWith("avg_glucose_level", "\"high\""), 422, "avg_glucose_level");
    add("unknown gender", PatientWith("gender", "\"Robot\""), 422, "gender");
    add("gender as a number", PatientWith("gender", "1"), 422, "gender");
    add("invalid UTF-8 in a value", PatientWith("gender", "\"M\xffle\""), 422, "gender");
    add("hypertension as text", PatientWith("hypertension", "\"maybe\""), 422, "hypertension");
    add("hypertension 2", PatientWith("hypertension", "2"), 422, "hypertension");
    add("an extra field", PatientWith("invalid_data", "true"), 422, "invalid_data");
    add("NaN literal", PatientWith("bmi", "NaN"), 422, "body");
    add("duplicate key", PatientWith("age", "67,\"age\":68"), 422, "age");
    add("nested 200 deep", std::string(200, '[') + std::string(200, ']'), 422, "body");
    add("text/plain", kPatient, 415, "", "text/plain");
    add("gzip body", kPatient, 415, "", "application/json", "Content-Encoding: gzip\r\n");
    add("wrong credentials", kPatient, 401, "", "application/json", "Authorization: Basic Ym9iOndyb25n\r\n");
    if (object_only) {
      add("an array", "[" + std::string(kPatient) + "]", 422, "body");
      add("CSV", "gender,age\nMale,67\n", 415, "", "text/csv");
    } else {
      add("batch row 1 bad", "[" + std::string(kPatient) + "," + PatientWith("age", "\"x\"") + "]", 422, "age");
      add("empty batch element", "[" + std::string(kPatient) + ",{}]", 422, "gender");
      add("CSV missing columns", "gender,age\nMale,67\n", 422, "hypertension", "text/csv");
      add("CSV bad number", "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,"
                            "avg_glucose_level,bmi,smoking_status\nMale,old,0,1,Yes,Private,Urban,228.69,36.6,"
                            "formerly smoked\n", 422, "age", "text/csv");
      add("CSV ragged row", "gender,age\nMale,67,extra,cells\n", 422, "", "text/csv");
    }
  }
  // Framing and the HTTP layer, on every kind of route.
  const std::string raw_head = "POST /predict HTTP/1.1\r\nHost: t\r\n" + kAuth;
  t.push_back({"chunked body", raw_head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, ""});
  t.push_back({"body over the limit", raw_head + "Content-Length: 99999999\r\n\r\n", 413, ""});
  t.push_back({"negative Content-Length", raw_head + "Content-Length: -5\r\n\r\n", 400, "Content-Length"});
  t.push_back({"two Content-Lengths", raw_head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "Content-Length"});
  t.push_back({"Content-Length with text", raw_head + "Content-Length: 12abc\r\n\r\n", 400, "Content-Length"});
  t.push_back({"bare LF line endings", "GET /livez HTTP/1.1\nHost: t\n\n", 400, "CR LF"});
  t.push_back({"space before a header's colon (smuggling)",
               "POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length : 5\r\n\r\nhello", 400, "malformed header"});
  t.push_back({"Transfer-Encoding with a space before its colon",
               raw_head + "Transfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n{}", 400, "malformed header"});
  t.push_back({"a header line without a colon", "GET /livez HTTP/1.1\r\nHost t\r\n\r\n", 400, "malformed header"});
  t.push_back({"a folded header line", "GET /livez HTTP/1.1\r\nHost: t\r\n  folded\r\n\r\n", 400, "malformed header"});
  t.push_back({"a NUL byte in a header value", std::string("GET /livez HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 32), 400, "X-A"});
  t.push_back({"two Host headers", "GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Host"});
  t.push_back({"Transfer-Encoding identity", raw_head + "Transfer-Encoding: identity\r\n\r\n", 411, "Content-Length"});
  t.push_back({"a header line over 8 KB", "GET /livez HTTP/1.1\r\nX-Jwt: " + std::string(8200, 'j') + "\r\n\r\n", 431,
               "header line"});
  t.push_back({"Content-Length past 2^64", raw_head + "Content-Length: 99999999999999999999999\r\n\r\n", 413,
               "99999999999999999999999"});
  t.push_back({"a NUL byte inside a JSON body", Request("POST", "/predict", std::string(kPatient) + std::string(1, '\0') + "x"),
               422, "NUL"});
  t.push_back({"a UTF-16 charset", Request("POST", "/predict", kPatient, "application/json; charset=utf-16"), 415,
               "utf-16"});
  t.push_back({"GET /docs/index.html", "GET /docs/index.html HTTP/1.1\r\nHost: t\r\n\r\n", 404, "index.html"});
  t.push_back({"a NUL byte in a password", "GET /logs HTTP/1.1\r\nHost: t\r\nAuthorization: Basic Ym9iOmJ1aWxkZXIAeA==\r\n\r\n",
               401, ""});
  t.push_back({"not HTTP at all", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15), 400, ""});
  t.push_back({"unknown method", "BREW /predict HTTP/1.1\r\nHost: t\r\n\r\n", 400, ""});
  t.push_back({"request line too long", "GET /" + std::string(9000, 'x') + " HTTP/1.1\r\n\r\n", 414, ""});
  std::string many = "GET /livez HTTP/1.1\r\n";
  for (int i = 0; i < 150; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  t.push_back({"too many headers", many + "\r\n", 431, "--max-headers"});
  t.push_back({"one huge header", "GET /livez HTTP/1.1\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n", 431, ""});
  t.push_back({"Range", "GET /health HTTP/1.1\r\nRange: bytes=0-,0-\r\n\r\n", 416, ""});
  // Paths and methods.
  for (const char* path : {"/admin", "/%ff", "/predict/", "/PREDICT", "/docs/../../etc/passwd", "/docs/nope.js",
                                  "/features/%ff%fe/distribution", "/features/nope/distribution",
                                  "/features/age/distribution/x", "/v2/models", "/.env"}) {
    t.push_back({std::string("GET ") + path, std::string("GET ") + path + " HTTP/1.1\r\nHost: t\r\n\r\n", 404, ""});
  }
  const std::vector<std::tuple<std::string, std::string, std::string>> wrong_methods = {
      {"GET", "/prediction", "POST"}, {"GET", "/predict", "POST"},    {"PUT", "/predict", "POST"},
      {"DELETE", "/explain", "POST"}, {"POST", "/health", "GET"},     {"PATCH", "/logs", "DELETE"},
      {"PUT", "/metrics", "GET"},     {"DELETE", "/model", "GET"},    {"POST", "/openapi.json", "GET"},
      {"POST", "/", "GET"},           {"POST", "/logs/stats", "GET"}, {"PUT", "/features", "GET"}};
  for (const auto& [method, path, allowed] : wrong_methods) {
    t.push_back({method + " " + path, method + " " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 405, allowed});
  }
  // Query parameters.
  auto get = [&](const std::string& target, int status, const std::string& names) {
    t.push_back({"GET " + target, "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + kAuth + "\r\n", status, names});
  };
  get("/logs?limit=0", 422, "limit");
  get("/logs?limit=abc", 422, "limit");
  get("/logs?limit=1001", 422, "limit");
  get("/logs?limit=99999999999999999999", 422, "limit");
  get("/logs?offset=-1", 422, "offset");
  get("/logs?offset=1.5", 422, "offset");
  get("/logs?level=DEBUG", 422, "level");
  get("/logs?level=%ff", 422, "level");
  t.push_back({"explain format", Request("POST", "/explain?format=pretty", kPatient), 422, "format"});
  // Authorization.
  t.push_back({"DELETE /logs as a user", "DELETE /logs HTTP/1.1\r\nHost: t\r\n" + kAuth + "\r\n", 403, ""});
  t.push_back({"GET /logs without credentials", "GET /logs HTTP/1.1\r\nHost: t\r\n\r\n", 401, ""});
  t.push_back({"Bearer garbage", "GET /logs HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \xff\xfe\r\n\r\n", 401, ""});
  t.push_back({"Basic not base64", "GET /logs HTTP/1.1\r\nHost: t\r\nAuthorization: Basic ***\r\n\r\n", 401, ""});
  // Batch size.
  std::string batch = "[";
  for (int i = 0; i < 11; ++i) batch += std::string(i ? "," : "") + kPatient;
  t.push_back({"batch over --max-batch-rows", Request("POST", "/predict", batch + "]"), 413, "--max-batch-rows"});
  return t;
}

// Every place a 4xx answer can name what was wrong: the error message, or
// the loc and msg of each 422 detail entry.
std::string Named(const RawResponse& r) {
  Json body = Json::parse(r.body);
  std::string text = body.value("error", "");
  for (const Json& d : body.value("detail", Json::array())) text += " " + d["loc"].dump() + " " + d["msg"].get<std::string>();
  return text;
}

class BadInputTable : public ::testing::TestWithParam<BadInput> {
 protected:
  static void SetUpTestSuite() {
    ServeOptions options = WithUsers();
    options.max_body_bytes = 100000;
    options.max_batch_rows = 10;
    options.max_failed_logins = 0;  // the table sends wrong credentials on purpose
    server_ = new RunningServer(options);
    std::filesystem::remove(options.users_file);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static RunningServer* server_;
};
RunningServer* BadInputTable::server_ = nullptr;

TEST_P(BadInputTable, ClearStatusNamesTheFieldAndServesOn) {
  const BadInput& c = GetParam();
  RawConnection connection(server_->port());
  connection.Send(c.request);
  auto answers = connection.Responses(3s);
  ASSERT_EQ(answers.size(), 1u) << "no answer";
  const RawResponse& r = answers[0];
  EXPECT_EQ(r.status, c.status) << r.body;
  std::string named;
  ASSERT_NO_THROW(named = Named(r)) << "not the API's JSON error shape (or not UTF-8): " << r.body;
  EXPECT_NE(named.rfind("HTTP ", 0), 0u) << "a bare status as the message: " << r.body;
  if (!c.names.empty()) {
    EXPECT_NE(named.find(c.names), std::string::npos) << "does not name " << c.names << ": " << r.body;
  }
  auto alive = server_->Client().Get("/livez");
  ASSERT_TRUE(alive);
  EXPECT_EQ(alive->status, 200);
}

INSTANTIATE_TEST_SUITE_P(Routes, BadInputTable, ::testing::ValuesIn(Table()),
                         [](const ::testing::TestParamInfo<BadInput>& info) {
                           std::string name = std::to_string(info.index) + "_";
                           for (char c : info.param.name) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(BadInputTable, HasOverAHundredCases) { EXPECT_GE(Table().size(), 100u); }

}  // namespace
}  // namespace stroke::apps
