// stroke-serve end to end: a StrokeServer on an ephemeral port, called with
// httplib::Client - every route and error code, the auth matrix, the
// original stroke API's own checks, the hardening cases of
// shared/guide/http-server-notes.md, concurrency, the audit log, shutdown.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <crypt.h>

#include "auth.h"
#include "server.h"
#include "test_util.h"

namespace stroke::apps {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kPatient = testing::kSamplePatient;

const Model& StrokeModel() {
  static const Model* model = new Model(testing::LoadOrDie(testing::ShippedBundlePath("stroke")));
  return *model;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("stroke_serve_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

// A running server; stopped and joined on destruction.
class RunningServer {
 public:
  explicit RunningServer(ServeOptions options, const Model& model = StrokeModel()) {
    options.port = 0;
    options.quiet = true;
    auto server = StrokeServer::Create(options, model);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    port_ = server_->Bind();
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_->Listen(); });
    while (!server_->IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RunningServer() {
    server_->Stop();
    thread_.join();
  }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_tcp_nodelay(true);
    return client;
  }
  StrokeServer& server() { return *server_; }

 private:
  std::unique_ptr<StrokeServer> server_;
  int port_ = 0;
  std::thread thread_;
};

httplib::Headers Basic(const std::string& user, const std::string& password) {
  return {httplib::make_basic_authentication_header(user, password)};
}

// alice (admin) / wonderland, bob / builder, as bcrypt hashes (cost 5 keeps tests quick).
ServeOptions WithUsers() {
  const std::string path = TempPath("users");
  std::ofstream file(path);
  file << "# test users\n"
       << "alice:" << HashPassword("wonderland", 5) << "\n"
       << "bob:" << HashPassword("builder", 5) << "\n";
  ServeOptions options;
  options.users_file = path;
  options.admins = {"alice"};
  return options;
}

double LibraryProbability(const std::string& record) {
  auto answer = StrokeModel().Predict(testing::RecordOrDie(record));
  EXPECT_TRUE(answer.ok());
  return answer.ok() ? answer->probability : -1;
}

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
  s.server().routes().SetReady(false);
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

// ---- hardening (shared/guide/http-server-notes.md)

TEST(Hardening, ChunkedCompressedOversizedAndRangeAreRefused) {
  ServeOptions options;
  options.max_body_bytes = 1000;
  RunningServer s(options);
  auto client = s.Client();
  EXPECT_EQ(client.Post("/predict", {{"Transfer-Encoding", "chunked"}}, kPatient, "application/json")->status, 411);
  EXPECT_EQ(client.Post("/predict", {{"Content-Encoding", "gzip"}}, kPatient, "application/json")->status, 415);
  EXPECT_EQ(client.Post("/predict", std::string(2000, ' '), "application/json")->status, 413);
  EXPECT_EQ(client.Get("/health", {{"Range", "bytes=0-,0-,0-"}})->status, 416);
  EXPECT_EQ(client.Post("/predict", kPatient, "application/json")->status, 200);  // still serving
}

TEST(Hardening, ExceptionTextNeverReachesTheClient) {
  RunningServer s({});
  s.server().SetRequestHook([](const httplib::Request& req) {
    if (req.path == "/features") throw std::runtime_error("secret detail");
  });
  auto res = s.Client().Get("/features");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body.find("secret"), std::string::npos);
  for (const auto& [name, value] : res->headers) EXPECT_EQ(value.find("secret"), std::string::npos) << name;
  EXPECT_EQ(Json::parse(res->body)["request_id"], res->get_header_value("X-Request-Id"));
}

TEST(Hardening, RequestIdsAreEchoedOrGenerated) {
  RunningServer s({});
  auto client = s.Client();
  EXPECT_EQ(client.Get("/livez", {{"X-Request-Id", "abc-123"}})->get_header_value("X-Request-Id"), "abc-123");
  const std::string generated = client.Get("/livez", {{"X-Request-Id", "bad id <script>"}})->get_header_value("X-Request-Id");
  EXPECT_EQ(generated.size(), 16u);
}

TEST(Hardening, ASpoofedAddressHeaderIsIgnored) {
  ServeOptions options = WithUsers();
  RunningServer s(options);
  auto client = s.Client();
  const auto bob = Basic("bob", "builder");
  httplib::Headers headers = bob;
  headers.emplace("REMOTE_ADDR", "6.6.6.6");
  client.Post("/predict", headers, kPatient, "application/json");
  Json page = Json::parse(client.Get("/logs?level=INFO", bob)->body);
  EXPECT_EQ(page["logs"][0]["data"]["remote"], "127.0.0.1");
}

TEST(Options, FlagsOverTheEnvironmentAndClearErrors) {
  auto env = [](const char* name) -> const char* {
    const std::string n = name;
    if (n == "STROKE_PORT") return "9000";
    if (n == "STROKE_MAX_BATCH_ROWS") return "50";
    if (n == "STROKE_QUIET") return "true";
    return nullptr;
  };
  auto options = ParseServeOptions({"--port", "9100", "--cors-origin=https://a.example,https://b.example"}, env);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->port, 9100);
  EXPECT_EQ(options->max_batch_rows, 50u);
  EXPECT_TRUE(options->quiet);
  EXPECT_EQ(options->cors_origins.size(), 2u);
  EXPECT_NE(ParseServeOptions({"--port", "70000"}, env).status().message().find("--port: expected an integer in [0, 65535]"),
            std::string::npos);
  EXPECT_NE(ParseServeOptions({"--frobnicate"}, env).status().message().find("unknown option"), std::string::npos);
  auto bad_env = [](const char* name) -> const char* { return std::string(name) == "STROKE_THREADS" ? "many" : nullptr; };
  EXPECT_NE(ParseServeOptions({}, bad_env).status().message().find("STROKE_THREADS"), std::string::npos);
}

TEST(Hardening, CorsOnlyForListedOrigins) {
  ServeOptions options;
  options.cors_origins = {"https://dash.example"};
  RunningServer s(options);
  auto client = s.Client();
  auto preflight = client.Options("/predict", {{"Origin", "https://dash.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), "https://dash.example");
  auto other = client.Get("/health", {{"Origin", "https://evil.example"}});
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  auto refused = client.Options("/predict", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(refused->status, 403);
  EXPECT_FALSE(refused->has_header("Access-Control-Allow-Origin"));
  auto allowed = client.Get("/health", {{"Origin", "https://dash.example"}});
  EXPECT_EQ(allowed->get_header_value("Access-Control-Allow-Origin"), "https://dash.example");
}

// ---- concurrency, audit, shutdown

TEST(Serving, ManyParallelClientsEachGetTheirOwnAnswer) {
  RunningServer s({});
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      auto client = s.Client();
      client.set_keep_alive(true);
      for (int i = 0; i < 40; ++i) {
        Json record = Json::parse(kPatient);
        record["age"] = 20 + t * 7 + i;
        auto res = client.Post("/predict", record.dump(), "application/json");
        if (!res || res->status != 200 ||
            Json::parse(res->body)["probability"].get<double>() != LibraryProbability(record.dump())) {
          ++wrong;
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(wrong, 0);
}

TEST(Serving, ABurstOfNewConnectionsIsAccepted) {
  // httplib's own listen backlog (5) dropped connections in a burst; Bind() raises it.
  RunningServer s({});
  constexpr int kClients = 96;
  std::atomic<int> ready{0}, failed{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      ++ready;
      while (ready < kClients) std::this_thread::yield();
      for (int r = 0; r < 3; ++r) {
        auto client = s.Client();  // a new connection each time
        auto res = client.Post("/predict", kPatient, "application/json");
        if (!res || res->status != 200) ++failed;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(failed, 0);
}

TEST(Serving, AuditLinesMatchTheAnswers) {
  ServeOptions options;
  options.audit_log = TempPath("audit.jsonl");
  std::filesystem::remove(options.audit_log);
  {
    RunningServer s(options);
    auto client = s.Client();
    client.Post("/predict", {{"X-Request-Id", "req-1"}}, kPatient, "application/json");
    client.Post("/predict", {{"X-Request-Id", "req-2"}}, std::string("[") + kPatient + "," + kPatient + "]",
                "application/json");
    client.Post("/predict", {{"X-Request-Id", "req-3"}}, "{}", "application/json");  // invalid: no audit line
  }
  std::ifstream file(options.audit_log);
  std::string line;
  std::vector<Json> lines;
  while (std::getline(file, line)) lines.push_back(Json::parse(line));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["request_id"], "req-1");
  EXPECT_EQ(lines[2]["request_id"], "req-2");
  EXPECT_EQ(lines[2]["row"], 1);
  EXPECT_EQ(lines[0]["outputs"]["probability"].get<double>(), LibraryProbability(kPatient));
  EXPECT_EQ(lines[0]["inputs"]["gender"], "Male");
  EXPECT_EQ(lines[0]["model_version"], "1");
  EXPECT_TRUE(lines[0].contains("time"));
  EXPECT_GE(lines[0]["latency_ms"].get<double>(), 0.0);
}

TEST(Serving, StopDrainsInFlightRequests) {
  auto server = StrokeServer::Create([] {
    ServeOptions o;
    o.port = 0;
    o.quiet = true;
    return o;
  }(), StrokeModel());
  ASSERT_TRUE(server.ok());
  std::atomic<bool> entered{false};
  (*server)->SetRequestHook([&](const httplib::Request& req) {
    if (req.path == "/predict") {
      entered = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  const int port = (*server)->Bind();
  std::thread listener([&] { (*server)->Listen(); });
  while (!(*server)->IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int status = 0;
  std::thread request([&] {
    httplib::Client client("127.0.0.1", port);
    auto res = client.Post("/predict", kPatient, "application/json");
    status = res ? res->status : -1;
  });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  (*server)->Stop();  // while the request is in its handler
  request.join();
  listener.join();
  EXPECT_EQ(status, 200);
  EXPECT_FALSE((*server)->IsRunning());
}

}  // namespace
}  // namespace stroke::apps
