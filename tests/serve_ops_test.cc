// stroke-serve end to end, operations: the hardening cases of
// shared/guide/http-server-notes.md, CORS, request ids, options, concurrency,
// connection bursts, the audit log, draining shutdown.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using Json = nlohmann::ordered_json;

// NowIso8601's form: 2026-11-24T10:05:47.123Z.
const std::regex kIsoTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");

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

TEST(Options, BundleLimitsFromFlagsAndTheEnvironment) {
  auto env = [](const char* name) -> const char* {
    return std::string(name) == "STROKE_MAX_TREE_NODES" ? "1000" : nullptr;
  };
  auto options = ParseServeOptions({"--max-tree-depth", "5000", "--max-golden-rows=7"}, env);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->load.max_tree_depth, 5000u);
  EXPECT_EQ(options->load.max_tree_nodes, 1000u);
  EXPECT_EQ(options->load.max_golden_rows, 7u);
  EXPECT_EQ(options->load.max_trees, LoadOptions().max_trees);
  EXPECT_EQ(ParseServeOptions({"--max-trees", "0"}, env).status().message().rfind(
                "--max-trees: expected an integer in [1, 2147483647], got \"0\"", 0),
            0u);
  EXPECT_NE(ServeUsage().find("--max-feature-operations N"), std::string::npos);
}

// A web page in another origin cannot make a browser change the server
// (CSRF): admin routes that change state refuse foreign Origins with 403;
// this server's own pages, --cors-origin origins and clients without an
// Origin (curl) are served as before.
TEST(Hardening, AdminChangesRefuseForeignOrigins) {
  ServeOptions options;
  options.cors_origins = {"https://dash.example"};
  RunningServer s(options);
  auto client = s.Client();
  const std::string own = "http://127.0.0.1:" + std::to_string(s.port());
  auto foreign = client.Delete("/logs", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign->status, 403) << foreign->body;
  EXPECT_NE(foreign->body.find("evil.example"), std::string::npos);
  EXPECT_EQ(client.Post("/admin/reload", {{"Origin", "null"}}, "", "text/plain")->status, 403);
  EXPECT_EQ(client.Delete("/logs", {{"Origin", own}})->status, 200);
  EXPECT_EQ(client.Delete("/logs", {{"Origin", "https://dash.example"}})->status, 200);
  EXPECT_EQ(client.Delete("/logs")->status, 200);
  // Routes that only answer keep taking any Origin (CORS decides what a page may read).
  EXPECT_EQ(client.Post("/predict", {{"Origin", "https://evil.example"}}, kPatient, "application/json")->status, 200);
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
  EXPECT_TRUE(std::regex_match(lines[0]["time"].get<std::string>(), kIsoTime)) << lines[0]["time"];
  const double latency_ms = lines[0]["latency_ms"].get<double>();
  EXPECT_GE(latency_ms, 0.0);
  EXPECT_EQ(std::round(latency_ms * 1000) / 1000, latency_ms) << "milliseconds rounded to microseconds";
}

TEST(Serving, AccessLogLinesHaveUtcTimesAndMicrosecondDurations) {
  ServeOptions options;
  options.access_log = TempPath("access.log");
  std::filesystem::remove(options.access_log);
  {
    auto server = StrokeServer::Create(options, StrokeModel());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    (*server)->AnswerBytes("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  std::ifstream file(options.access_log);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(file, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  for (const std::string& text : lines) {
    const Json entry = Json::parse(text);
    EXPECT_TRUE(std::regex_match(entry["time"].get<std::string>(), kIsoTime)) << text;
    // The number as written: at most three decimals (0.529, not 0.5290819999999999).
    std::smatch duration;
    ASSERT_TRUE(std::regex_search(text, duration, std::regex(R"("duration_ms":([0-9.e+-]+))"))) << text;
    EXPECT_TRUE(std::regex_match(duration[1].str(), std::regex(R"([0-9]+(\.[0-9]{1,3})?)"))) << text;
  }
  EXPECT_EQ(Json::parse(lines[1])["status"], 404);
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
