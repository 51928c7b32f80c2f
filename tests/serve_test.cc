// stroke-serve end to end, the API: the original stroke API's own checks,
// the auth matrix, /predict, /predict_proba, /explain, information routes, logs.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <crypt.h>

#include "auth.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using Json = nlohmann::ordered_json;

// ---- the original stroke API

TEST(StrokeApi, ValidBodyGetsPredictionAndRoundedProba) {
  RunningServer s({});
  auto res = s.Client().Post("/prediction", kPatient, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  Json body = Json::parse(res->body);
  EXPECT_EQ(body["proba"].get<double>(), std::round(LibraryProbability(kPatient) * 1e4) / 1e4);
  EXPECT_EQ(body["prediction"], LibraryProbability(kPatient) > 0.5 ? 1 : 0);
}

TEST(StrokeApi, ZerosAndBooleansAreAccepted) {
  RunningServer s({});
  Json record = Json::parse(kPatient);
  record["age"] = 0;
  record["avg_glucose_level"] = 0;
  record["bmi"] = 0;
  record["hypertension"] = true;
  auto res = s.Client().Post("/prediction", record.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST(StrokeApi, InvalidDataIs422WithFastApiDetail) {
  RunningServer s({});
  auto res = s.Client().Post("/prediction", R"({"invalid_data": true})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  Json detail = Json::parse(res->body)["detail"];
  ASSERT_EQ(detail.size(), 11u);  // 10 missing fields + 1 extra
  EXPECT_EQ(detail[0]["loc"], Json::array({"body", "gender"}));
  EXPECT_EQ(detail[0]["type"], "value_error.missing");
  EXPECT_EQ(detail[10]["loc"], Json::array({"body", "invalid_data"}));
  EXPECT_EQ(detail[10]["type"], "value_error.extra");
}

TEST(StrokeApi, MalformedJsonAndArraysAre422) {
  RunningServer s({});
  auto client = s.Client();
  auto bad = client.Post("/prediction", "{\"age\": ", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_EQ(Json::parse(bad->body)["detail"][0]["type"], "value_error.jsondecode");
  auto array = client.Post("/prediction", std::string("[") + kPatient + "]", "application/json");
  EXPECT_EQ(array->status, 422);
}

TEST(StrokeApi, WrongPasswordIs401WithChallenge) {
  RunningServer s(WithUsers());
  auto client = s.Client();
  auto wrong = client.Post("/prediction", Basic("alice", "nope"), kPatient, "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_NE(wrong->get_header_value("WWW-Authenticate").find("Basic realm="), std::string::npos);
  auto right = client.Post("/prediction", Basic("alice", "wonderland"), kPatient, "application/json");
  EXPECT_EQ(right->status, 200);
}

// ---- auth matrix

struct AuthCase {
  const char* name;
  const char* method;
  const char* path;
  const char* user;  // "" = no credentials
  const char* password;
  int status;
};

void PrintTo(const AuthCase& c, std::ostream* os) { *os << c.name; }

class AuthMatrix : public ::testing::TestWithParam<AuthCase> {};

TEST_P(AuthMatrix, Status) {
  static RunningServer* s = new RunningServer(WithUsers());  // shared: bcrypt is slow on purpose
  const AuthCase& c = GetParam();
  auto client = s->Client();
  httplib::Headers headers = std::string(c.user).empty() ? httplib::Headers{} : Basic(c.user, c.password);
  httplib::Result res = std::string(c.method) == "GET"    ? client.Get(c.path, headers)
                        : std::string(c.method) == "DELETE" ? client.Delete(c.path, headers)
                                                            : client.Post(c.path, headers, kPatient, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, c.status) << res->body;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AuthMatrix,
    ::testing::Values(AuthCase{"PredictNone", "POST", "/predict", "", "", 401},
                      AuthCase{"PredictWrong", "POST", "/predict", "bob", "x", 401},
                      AuthCase{"PredictUnknownUser", "POST", "/predict", "mallory", "builder", 401},
                      AuthCase{"PredictRight", "POST", "/predict", "bob", "builder", 200},
                      AuthCase{"LogsNone", "GET", "/logs", "", "", 401},
                      AuthCase{"LogsUser", "GET", "/logs", "bob", "builder", 200},
                      AuthCase{"DeleteLogsUser", "DELETE", "/logs", "bob", "builder", 403},
                      AuthCase{"DeleteLogsAdmin", "DELETE", "/logs", "alice", "wonderland", 200},
                      AuthCase{"DeleteLogsNone", "DELETE", "/logs", "", "", 401},
                      AuthCase{"HealthOpen", "GET", "/health", "", "", 200},
                      AuthCase{"MetricsOpen", "GET", "/metrics", "", "", 200},
                      AuthCase{"LivezOpen", "GET", "/livez", "", "", 200}),
    [](const ::testing::TestParamInfo<AuthCase>& info) { return std::string(info.param.name); });

TEST(Auth, ProtectOpsClosesHealthButNotLiveness) {
  ServeOptions options = WithUsers();
  options.protect_ops = true;
  RunningServer s(options);
  auto client = s.Client();
  EXPECT_EQ(client.Get("/health")->status, 401);
  EXPECT_EQ(client.Get("/metrics")->status, 401);
  EXPECT_EQ(client.Get("/health", Basic("bob", "builder"))->status, 200);
  EXPECT_EQ(client.Get("/livez")->status, 200);
  EXPECT_EQ(client.Get("/readyz")->status, 200);
}

TEST(Auth, YescryptHashesWorkToo) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  ASSERT_NE(crypt_gensalt_rn("$y$", 0, nullptr, 0, setting, sizeof setting), nullptr);
  struct crypt_data data {};
  const std::string hash = crypt_r("rosebud", setting, &data);
  ASSERT_EQ(hash.rfind("$y$", 0), 0u);
  ServeOptions options;
  options.users_file = TempPath("yescrypt");
  std::ofstream(options.users_file) << "carol:" << hash << "\n";
  RunningServer s(options);
  EXPECT_EQ(s.Client().Get("/logs", Basic("carol", "rosebud"))->status, 200);
  EXPECT_EQ(s.Client().Get("/logs", Basic("carol", "rosebuds"))->status, 401);
}

TEST(Auth, BearerApiKeys) {
  auto [key, line] = NewApiKey("dashboard");
  ServeOptions options;
  options.api_keys_file = TempPath("keys");
  std::ofstream(options.api_keys_file) << line << "\n";
  RunningServer s(options);
  auto client = s.Client();
  EXPECT_EQ(client.Post("/predict", {{"Authorization", "Bearer " + key}}, kPatient, "application/json")->status, 200);
  EXPECT_EQ(client.Post("/predict", {{"Authorization", "Bearer " + key + "x"}}, kPatient, "application/json")->status, 401);
}

TEST(Auth, PlaintextPasswordsAreRefusedAtStart) {
  ServeOptions options;
  options.users_file = TempPath("plain");
  std::ofstream(options.users_file) << "carol:secret\n";
  auto server = StrokeServer::Create(options, StrokeModel());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find(":1: user \"carol\" has no bcrypt or yescrypt hash"), std::string::npos)
      << server.status().message();
  EXPECT_NE(server.status().message().find("htpasswd -B"), std::string::npos);
}

// ---- /predict, /predict_proba

TEST(Predict, ObjectArrayAndCsv) {
  RunningServer s({});
  auto client = s.Client();
  Json one = Json::parse(client.Post("/predict", kPatient, "application/json")->body);
  EXPECT_EQ(one["probability"].get<double>(), LibraryProbability(kPatient));
  EXPECT_EQ(one["model"], "stroke");
  EXPECT_TRUE(one.contains("label") && one.contains("warnings") && one.contains("message"));
  auto batch = client.Post("/predict", std::string("[") + kPatient + "," + kPatient + "]", "application/json");
  Json many = Json::parse(batch->body);
  EXPECT_EQ(many["n_rows"], 2);
  EXPECT_EQ(many["predictions"].size(), 2u);
  const std::string csv =
      "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,smoking_status\n"
      "Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked\nFemale,61,0,0,Yes,Self-employed,Rural,202.21,N/A,never smoked\n";
  auto from_csv = client.Post("/predict", csv, "text/csv");
  ASSERT_EQ(from_csv->status, 200) << from_csv->body;
  EXPECT_EQ(Json::parse(from_csv->body)["predictions"][0]["probability"].get<double>(), LibraryProbability(kPatient));
}

TEST(Predict, BatchErrorsNameRowAndField) {
  RunningServer s({});
  const std::string body = std::string("[") + kPatient + R"(, {"gender": "Robot"}])";
  auto res = s.Client().Post("/predict", body, "application/json");
  EXPECT_EQ(res->status, 422);
  Json detail = Json::parse(res->body)["detail"];
  EXPECT_EQ(detail[0]["loc"], Json::array({"body", 1, "gender"}));
}

TEST(Predict, LimitsAndMediaTypes) {
  ServeOptions options;
  options.max_batch_rows = 2;
  RunningServer s(options);
  auto client = s.Client();
  const std::string three = std::string("[") + kPatient + "," + kPatient + "," + kPatient + "]";
  EXPECT_EQ(client.Post("/predict", three, "application/json")->status, 413);
  EXPECT_EQ(client.Post("/predict", kPatient, "application/xml")->status, 415);
  EXPECT_EQ(client.Post("/prediction", kPatient, "text/csv")->status, 415);
}

TEST(Predict, ProbaShapeOfTheLungApi) {
  RunningServer s({});
  Json body = Json::parse(s.Client().Post("/predict_proba", kPatient, "application/json")->body);
  ASSERT_EQ(body["probabilities"].size(), 2u);
  EXPECT_NEAR(body["probabilities"][0].get<double>() + body["probabilities"][1].get<double>(), 1.0, 1e-15);
  EXPECT_TRUE(body.contains("prediction") && body.contains("message"));
}

TEST(Explain, AnswersCarryContributionsThatAddUp) {
  RunningServer s({});
  auto client = s.Client();
  Json one = Json::parse(client.Post("/explain", kPatient, "application/json")->body);
  const Json& e = one["explanation"];
  double total = e["expected_value"].get<double>();
  for (const auto& [name, value] : e["by_input"].items()) total += value.get<double>();
  EXPECT_NEAR(total, one["raw_margin"].get<double>(), 1e-9);
  EXPECT_EQ(e["by_input"].size(), 10u);
  EXPECT_EQ(e["contributions"].size(), 21u);
  Json dash = Json::parse(client.Post("/explain?format=dashboard", std::string("[") + kPatient + "," + kPatient + "]",
                                      "application/json")->body);
  EXPECT_EQ(dash["values"].size(), 2u);
  EXPECT_EQ(dash["values"][0].size(), 21u);
  EXPECT_EQ(dash["feat"].size(), 21u);
  EXPECT_EQ(dash["data"][0][0], 67);  // the age feature
  EXPECT_EQ(dash["base"].size(), 2u);
  EXPECT_EQ(client.Post("/explain?format=pie", kPatient, "application/json")->status, 422);
  EXPECT_EQ(client.Post("/explain", "{}", "application/json")->status, 422);
}

TEST(Explain, NeedsCredentialsLikePredict) {
  RunningServer s(WithUsers());
  EXPECT_EQ(s.Client().Post("/explain", kPatient, "application/json")->status, 401);
  EXPECT_EQ(s.Client().Post("/explain", Basic("bob", "builder"), kPatient, "application/json")->status, 200);
}

TEST(Info, FeatureDistributionsPerClass) {
  RunningServer s({});
  auto client = s.Client();
  Json d = Json::parse(client.Get("/features/age/distribution")->body);
  EXPECT_EQ(d["feature"], "age");
  EXPECT_EQ(d["edges"].size(), d["bins"].get<size_t>() + 1);
  ASSERT_TRUE(d["counts"].contains("stroke") && d["counts"].contains("no stroke"));
  double rows = 0;
  for (const auto& [label, counts] : d["counts"].items()) {
    for (const auto& c : counts) rows += c.get<double>();
  }
  EXPECT_EQ(rows, 4088);  // the training split
  EXPECT_EQ(client.Get("/features/nope/distribution")->status, 404);
}

// ---- information routes

TEST(Info, HealthReadinessModelFeatures) {
  RunningServer s({});
  auto client = s.Client();
  Json health = Json::parse(client.Get("/health")->body);
  EXPECT_EQ(health["status"], "healthy");
  EXPECT_EQ(health["model_loaded"], true);
  EXPECT_EQ(health["model"], "stroke");
  EXPECT_TRUE(health.contains("uptime_seconds") && health.contains("started_at") && health.contains("build_version"));
  EXPECT_EQ(Json::parse(client.Get("/readyz")->body)["status"], "ready");
  EXPECT_EQ(Json::parse(client.Get("/model")->body)["inputs"].size(), 10u);
  EXPECT_EQ(Json::parse(client.Get("/features")->body)["features"].size(), 21u);
  EXPECT_EQ(client.Get("/nowhere")->status, 404);
}

TEST(Info, NotReadyWhileShuttingDown) {
  RunningServer s({});
  s.server().SetReady(false);
  auto res = s.Client().Get("/readyz");
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(s.Client().Get("/livez")->status, 200);  // liveness never depends on it
}

TEST(Info, OpenApiDocsAndRedirect) {
  RunningServer s({});
  auto client = s.Client();
  Json api = Json::parse(client.Get("/openapi.json")->body);
  EXPECT_EQ(api["openapi"], "3.0.3");
  Json gender = api["components"]["schemas"]["Record"]["properties"]["gender"];
  EXPECT_EQ(gender["enum"], Json::array({"Male", "Female", "Other"}));
  EXPECT_EQ(api["components"]["schemas"]["Record"]["properties"]["age"]["maximum"], 130);
  EXPECT_TRUE(api["paths"].contains("/prediction"));
  auto docs = client.Get("/docs");
  EXPECT_EQ(docs->status, 200);
  EXPECT_NE(docs->get_header_value("Content-Type").find("text/html"), std::string::npos);
  auto root = client.Get("/");
  EXPECT_EQ(root->status, 307);
  EXPECT_EQ(root->get_header_value("Location"), "/docs");
}

TEST(Info, MetricsCountRequestsAndPredictions) {
  RunningServer s({});
  auto client = s.Client();
  client.Post("/predict", kPatient, "application/json");
  client.Post("/predict", "{}", "application/json");
  // A request is counted after its answer is sent: wait until both are.
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = client.Get("/metrics")->body;
    if (text.find("stroke_http_request_duration_seconds_count{route=\"/predict\"} 2") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(text.find("stroke_http_requests_total{route=\"/predict\",method=\"POST\",code=\"200\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("stroke_http_requests_total{route=\"/predict\",method=\"POST\",code=\"422\"} 1"), std::string::npos);
  EXPECT_NE(text.find("stroke_predictions_total{model=\"stroke\",model_version=\"1\"} 1"), std::string::npos);
  EXPECT_NE(text.find("stroke_http_request_duration_seconds_bucket{route=\"/predict\",le=\"+Inf\"} 2"), std::string::npos);
  EXPECT_NE(text.find("stroke_http_request_duration_seconds_count{route=\"/predict\"} 2"), std::string::npos);
  EXPECT_NE(text.find("stroke_build_info{"), std::string::npos);
}

TEST(Logs, NewestFirstFilteredAndCleared) {
  ServeOptions options = WithUsers();
  RunningServer s(options);
  auto client = s.Client();
  const auto bob = Basic("bob", "builder");
  client.Post("/predict", bob, kPatient, "application/json");
  client.Post("/predict", bob, "{}", "application/json");
  Json page = Json::parse(client.Get("/logs?limit=1", bob)->body);
  EXPECT_EQ(page["total"], 2);
  ASSERT_EQ(page["logs"].size(), 1u);
  EXPECT_EQ(page["logs"][0]["level"], "WARNING");  // the newest: the invalid input
  Json info = Json::parse(client.Get("/logs?level=INFO", bob)->body);
  EXPECT_EQ(info["total"], 1);
  EXPECT_EQ(client.Get("/logs?limit=0", bob)->status, 422);
  EXPECT_EQ(client.Get("/logs?level=DEBUG", bob)->status, 422);
  EXPECT_EQ(Json::parse(client.Get("/logs/stats", bob)->body)["total"], 2);
  Json cleared = Json::parse(client.Delete("/logs", Basic("alice", "wonderland"))->body);
  EXPECT_EQ(cleared["deleted"], 2);
}

}  // namespace
}  // namespace stroke::apps
