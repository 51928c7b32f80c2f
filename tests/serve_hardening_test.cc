// stroke-serve against what the internet sends: invalid UTF-8, slow and idle
// clients, header floods, compression, credential herds and guessing,
// framing and method errors, pipelining (the draining stop: serve_stop_test.cc). Each test is a
// reproduction from the hardening issue; all traffic stays on loopback and
// every loop is bounded.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "raw_http.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using stroke::testing::Get;
using stroke::testing::Post;
using stroke::testing::RawConnection;
using stroke::testing::RawResponse;
using namespace std::chrono_literals;

// One request on a fresh connection; the first answer read within 3 s.
RawResponse Exchange(int port, const std::string& bytes) {
  RawConnection c(port);
  c.Send(bytes);
  auto answers = c.Responses(3s);
  return answers.empty() ? RawResponse{} : answers[0];
}



// The API's error shape, in valid UTF-8 (nlohmann refuses anything else).
void ExpectErrorShape(const RawResponse& r, int status) {
  EXPECT_EQ(r.status, status);
  Json body;
  ASSERT_NO_THROW(body = Json::parse(r.body)) << r.body;
  ASSERT_TRUE(body.contains("error") || body.contains("detail")) << r.body;
  if (body.contains("error")) {
    EXPECT_EQ(body["error"].get<std::string>().rfind("HTTP ", 0), std::string::npos) << "bare status: " << r.body;
    EXPECT_EQ(body["request_id"], r.header("x-request-id"));
  }
}

// A normal client's prediction is answered, within a second, whatever
// the other clients are doing.
void ExpectAPromptAnswer(const RunningServer& s) {
  const auto start = std::chrono::steady_clock::now();
  auto res = s.Client().Post("/predict", kPatient, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

bool StillServing(const RunningServer& s) {
  auto res = s.Client().Get("/livez");
  return res && res->status == 200;
}

// ---- 1. invalid UTF-8: any client bytes that reach a JSON writer or a log line

TEST(InvalidUtf8, InPathsQueriesAndBodiesAnswersAndServesOn) {
  ServeOptions options;
  options.quiet = false;  // the access log writes the path too
  RunningServer s(options);
  ExpectErrorShape(Exchange(s.port(), Get("/%ff")), 404);
  ExpectErrorShape(Exchange(s.port(), Get("/\xc3\x28")), 404);
  ExpectErrorShape(Exchange(s.port(), Get("/features/%ff%fe/distribution")), 404);
  ExpectErrorShape(Exchange(s.port(), Get("/logs?level=%ff")), 422);
  Json record = Json::parse(kPatient);
  std::string body = record.dump();
  body.replace(body.find("\"Male\""), 6, "\"M\xffle\"");
  ExpectErrorShape(Exchange(s.port(), Post("/predict", body)), 422);
  std::string bad_key = record.dump();
  bad_key.replace(bad_key.find("\"gender\""), 8, "\"gen\xc3\x28r\"");
  ExpectErrorShape(Exchange(s.port(), Post("/prediction", bad_key)), 422);
  EXPECT_TRUE(StillServing(s));
}

// ---- compression: never on the fly at a high level

class StaticDocs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("stroke_docs_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::string js;
    for (int i = 0; js.size() < 1700000; ++i) js += "function f" + std::to_string(i) + "(a){return a*" + std::to_string(i) + ";}\n";
    std::ofstream(dir_ / "swagger-ui-bundle.js") << js;
    std::ofstream(dir_ / "swagger-ui.css") << "body{margin:0}";
    js_size_ = js.size();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  size_t js_size_ = 0;
};

double CompressionSeconds(const RunningServer& s) {
  const std::string text = s.Client().Get("/metrics")->body;
  const size_t at = text.find("\nstroke_http_compression_seconds_total ");
  return at == std::string::npos ? -1 : std::strtod(text.c_str() + at + 39, nullptr);
}

TEST_F(StaticDocs, AssetsArePrecompressedOnceWithAnETag) {
  ServeOptions options;
  options.docs_dir = dir_.string();
  RunningServer s(options);
  for (int i = 0; i < 5; ++i) {
    RawResponse r = Exchange(s.port(), "GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: t\r\n"
                                       "Accept-Encoding: gzip, deflate, br\r\n\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-encoding"), "gzip");  // never br
    EXPECT_LT(r.body.size(), js_size_ / 4);
    EXPECT_FALSE(r.header("etag").empty());
    EXPECT_NE(r.header("cache-control").find("max-age"), std::string::npos);
    RawResponse again = Exchange(s.port(), "GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: t\r\nIf-None-Match: " +
                                               r.header("etag") + "\r\n\r\n");
    EXPECT_EQ(again.status, 304);
  }
  RawResponse plain = Exchange(s.port(), Get("/docs/swagger-ui-bundle.js"));
  EXPECT_EQ(plain.body.size(), js_size_);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(CompressionSeconds(s), 0.0);  // static files cost no compression per request
}

TEST(Compression, ApiAnswersUseCheapGzipWithinBounds) {
  ServeOptions options;
  options.max_batch_rows = 1000;
  RunningServer s(options);
  Json batch = Json::array();
  for (int i = 0; i < 1000; ++i) batch.push_back(Json::parse(kPatient));
  const std::string body = batch.dump();
  RawConnection c(s.port());
  c.Send(Post("/predict", body, "Accept-Encoding: br, gzip\r\n"));
  auto answers = c.Responses(10s);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[0].header("content-encoding"), "gzip");
  // Level 1 gzip of a 1,000-row answer: milliseconds, not the seconds brotli took.
  const double seconds = CompressionSeconds(s);
  EXPECT_GT(seconds, 0);
  EXPECT_LT(seconds, 0.05);
  // Small answers stay uncompressed.
  RawResponse small = Exchange(s.port(), "GET /livez HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n");
  EXPECT_EQ(small.header("content-encoding"), "");
}

// ---- slow, idle and flooding clients

TEST(SlowClients, HeadersDripFedAreCutAndNeverBlockOthers) {
  ServeOptions options;
  options.threads = 4;
  options.header_timeout_s = 1;
  RunningServer s(options);
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 70; ++i) {
    slow.push_back(std::make_unique<RawConnection>(s.port()));
    slow.back()->Send("G");
  }
  for (int step = 0; step < 3; ++step) {  // one byte each every 200 ms
    for (auto& c : slow) c->Send("E");
    ExpectAPromptAnswer(s);
    std::this_thread::sleep_for(200ms);
  }
  // Past the header deadline each gets a 408 and is closed.
  auto answers = slow[0]->Responses(3s);
  ASSERT_EQ(answers.size(), 1u);
  ExpectErrorShape(answers[0], 408);
  EXPECT_NE(Json::parse(answers[0].body)["error"].get<std::string>().find("--header-timeout"), std::string::npos);
  EXPECT_TRUE(slow[69]->ClosedByServer(3s));
}

TEST(SlowClients, ThousandsOfIdleConnectionsDoNotDelayARequest) {
  ServeOptions options;
  options.threads = 4;
  options.max_connections = 500;
  RunningServer s(options);
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 2000; ++i) idle.push_back(std::make_unique<RawConnection>(s.port()));
  std::this_thread::sleep_for(300ms);  // accepted (and the oldest evicted)
  ExpectAPromptAnswer(s);
  EXPECT_TRUE(idle[0]->ClosedByServer(2s));  // the longest idle made room
}

TEST(SlowClients, HeaderFloodsAre431) {
  RunningServer s({});
  std::string flood = "GET /livez HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 400000 && flood.size() < (1 << 20); ++i) flood += "X-Flood-" + std::to_string(i) + ": " + std::string(90, 'a') + "\r\n";
  RawConnection c(s.port());
  c.Send(flood.substr(0, 64 * 1024));  // the server refuses long before the rest
  auto answers = c.Responses(3s);
  ASSERT_EQ(answers.size(), 1u);
  ExpectErrorShape(answers[0], 431);
  std::string many = "GET /livez HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 101; ++i) many += "X" + std::to_string(i) + ": 1\r\n";
  ExpectErrorShape(Exchange(s.port(), many + "\r\n"), 431);
  ExpectErrorShape(Exchange(s.port(), "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n"), 414);
  EXPECT_TRUE(StillServing(s));
}

// ---- credentials: one hash per credential, throttled guessing

TEST(Credentials, AHerdOfColdRequestsHashesOnce) {
  ServeOptions options = WithUsers();
  Authenticator auth;
  ASSERT_TRUE(auth.LoadUsers(options.users_file).ok());
  std::filesystem::remove(options.users_file);
  const std::string header = httplib::make_basic_authentication_header("bob", "builder").second;
  std::vector<std::thread> herd;
  std::atomic<int> verified{0};
  for (int i = 0; i < 32; ++i) {
    herd.emplace_back([&] { verified += auth.Verify(header) == "bob"; });
  }
  for (auto& t : herd) t.join();
  EXPECT_EQ(verified, 32);
  EXPECT_EQ(auth.hashes_computed(), 1u);
}

TEST(Credentials, RepeatedFailuresAreThrottledWith429) {
  ServeOptions options = WithUsers();
  options.max_failed_logins = 5;
  RunningServer s(options);
  std::filesystem::remove(options.users_file);
  auto client = s.Client();
  EXPECT_EQ(client.Post("/predict", Basic("bob", "builder"), kPatient, "application/json")->status, 200);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.Post("/predict", Basic("bob", "guess" + std::to_string(i)), kPatient, "application/json")->status, 401);
  }
  auto throttled = client.Post("/predict", Basic("bob", "guess-again"), kPatient, "application/json");
  EXPECT_EQ(throttled->status, 429);
  EXPECT_GE(std::atoi(throttled->get_header_value("Retry-After").c_str()), 1);
  EXPECT_EQ(client.Post("/predict", Basic("alice", "wonderland"), kPatient, "application/json")->status, 429);
  // Credentials verified before still work (no hashing needed).
  EXPECT_EQ(client.Post("/predict", Basic("bob", "builder"), kPatient, "application/json")->status, 200);
  EXPECT_NE(client.Get("/metrics")->body.find("stroke_http_logins_throttled_total 2"), std::string::npos);
}

// ---- HTTP correctness

TEST(Http, CredentialsAreCheckedBeforeTheBody) {
  ServeOptions options = WithUsers();
  RunningServer s(options);
  std::filesystem::remove(options.users_file);
  ExpectErrorShape(Exchange(s.port(), "POST /prediction HTTP/1.1\r\nHost: t\r\n\r\n"), 401);
  ExpectErrorShape(Exchange(s.port(), Post("/prediction", "{not json")), 401);
  ExpectErrorShape(Exchange(s.port(), Post("/prediction", "{not json", "Authorization: Basic Ym9iOndyb25n\r\n")), 401);
}

TEST(Http, WrongMethodsAre405WithAllowBeforeCredentials) {
  ServeOptions options = WithUsers();
  RunningServer s(options);
  std::filesystem::remove(options.users_file);
  RawResponse r = Exchange(s.port(), Get("/prediction"));
  ExpectErrorShape(r, 405);
  EXPECT_EQ(r.header("allow"), "POST, OPTIONS");
  r = Exchange(s.port(), "PUT /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  ExpectErrorShape(r, 405);
  r = Exchange(s.port(), "PATCH /logs HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  ExpectErrorShape(r, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, DELETE, OPTIONS");
  r = Exchange(s.port(), "OPTIONS /predict HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("allow"), "POST, OPTIONS");
}

TEST(Http, EveryErrorTheServerMakesItselfHasTheApiShape) {
  ServeOptions options;
  options.max_body_bytes = 1000;
  RunningServer s(options);
  ExpectErrorShape(Exchange(s.port(), "NONSENSE\r\n\r\n"), 400);
  ExpectErrorShape(Exchange(s.port(), Get("/nowhere")), 404);
  ExpectErrorShape(Exchange(s.port(), "POST /predict HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 411);
  ExpectErrorShape(Exchange(s.port(), "POST /predict HTTP/1.1\r\nContent-Length: 5000\r\n\r\n"), 413);
  ExpectErrorShape(Exchange(s.port(), "POST /predict HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"), 400);
  ExpectErrorShape(Exchange(s.port(), "POST /predict HTTP/1.1\r\nContent-Length: -5\r\n\r\n"), 400);
  EXPECT_TRUE(StillServing(s));
}

TEST(Http, IncompleteBodiesTimeOutWith408) {
  ServeOptions options;
  options.read_timeout_s = 1;
  RunningServer s(options);
  RawConnection c(s.port());
  c.Send("POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"age\":");
  auto answers = c.Responses(3s);
  ASSERT_EQ(answers.size(), 1u);
  ExpectErrorShape(answers[0], 408);
  EXPECT_NE(answers[0].body.find("--read-timeout"), std::string::npos);
}

TEST(Http, PipelinedRequestsAreAllAnsweredInOrder) {
  RunningServer s({});
  RawConnection c(s.port());
  c.Send(Get("/livez") + Post("/predict", kPatient) + Get("/nowhere"));
  auto answers = c.Responses(3s, 3);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_DOUBLE_EQ(Json::parse(answers[1].body)["probability"].get<double>(), LibraryProbability(kPatient));
  EXPECT_EQ(answers[2].status, 404);
}

TEST(Http, AByteOrderMarkBeforeABodyIsIgnored) {
  RunningServer s({});
  auto res = s.Client().Post("/predict", "\xEF\xBB\xBF" + std::string(kPatient), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST(Http, ExpectContinueGetsOneInterimAnswer) {
  RunningServer s({});
  RawConnection c(s.port());
  const std::string body = kPatient;
  c.Send("POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_EQ(c.Read(500ms, 1).rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u);  // waits for a final answer in vain
  c.Send(body);
  auto answers = c.Responses(3s);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 200);
}

// ---- found by trying to break it (bounded loopback reproductions)

TEST_F(StaticDocs, ClientsThatNeverReadTheirAnswersHoldNoWorker) {
  ServeOptions options;
  options.docs_dir = dir_.string();
  options.threads = 2;
  RunningServer s(options);
  std::vector<std::unique_ptr<RawConnection>> stuck;
  std::string five;
  for (int i = 0; i < 5; ++i) five += Get("/docs/swagger-ui-bundle.js");
  for (int i = 0; i < 16; ++i) {
    stuck.push_back(std::make_unique<RawConnection>(s.port(), /*receive_buffer=*/2048));
    stuck.back()->Send(five);  // 8.5 MB of answers that nobody reads
  }
  std::this_thread::sleep_for(300ms);
  ExpectAPromptAnswer(s);
}

TEST(Http, CurlsDefaultFormTypeTakesBodiesPastEightKilobytes) {
  RunningServer s({});
  Json batch = Json::array();
  for (int i = 0; i < 40; ++i) batch.push_back(Json::parse(kPatient));
  auto res = s.Client().Post("/predict", batch.dump(), "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Json::parse(res->body)["n_rows"], 40);
}

TEST(Http, InventedMethodsShareOneMetricsLabel) {
  RunningServer s({});
  for (int i = 0; i < 20; ++i) Exchange(s.port(), "M" + std::to_string(i) + "XYZ / HTTP/1.1\r\nHost: t\r\n\r\n");
  const std::string metrics = s.Client().Get("/metrics")->body;
  EXPECT_EQ(metrics.find("M7XYZ"), std::string::npos);
  EXPECT_NE(metrics.find("method=\"other\""), std::string::npos) << metrics;
}

TEST(Http, AClientThatHalfClosesStillGetsItsAnswer) {
  RunningServer s({});
  RawConnection c(s.port());
  c.Send(Post("/predict", kPatient));
  c.ShutdownWrite();
  auto answers = c.Responses(3s);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 200);
}

TEST(Http, MediaTypesAndAuthSchemesAreCaseInsensitive) {
  ServeOptions options = WithUsers();
  RunningServer s(options);
  std::filesystem::remove(options.users_file);
  RawResponse r = Exchange(s.port(), "POST /predict HTTP/1.1\r\nHost: t\r\nAuthorization: basic Ym9iOmJ1aWxkZXI=\r\n"
                                     "Content-Type: APPLICATION/JSON; Charset=UTF-8\r\nContent-Length: " +
                                         std::to_string(std::string(kPatient).size()) + "\r\n\r\n" + kPatient);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(Logs, InvalidInputIsLoggedAsASampleNotInFull) {
  RunningServer s({});
  std::string csv = "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
                    "smoking_status\n";
  for (int i = 0; i < 1000; ++i) csv += "x,x,x,x,x,x,x,x,x,x\n";
  auto res = s.Client().Post("/predict", csv, "text/csv");
  ASSERT_EQ(res->status, 422);
  const Json answer = Json::parse(res->body);
  EXPECT_EQ(answer["detail"].size(), 1001u);  // 1000 entries and "... and N more errors"
  EXPECT_NE(answer["detail"][1000]["msg"].get<std::string>().find("more errors"), std::string::npos);
  const Json logged = Json::parse(s.Client().Get("/logs?level=WARNING")->body)["logs"][0]["data"];
  EXPECT_GT(logged["errors"].get<int>(), 1000);
  EXPECT_EQ(logged["detail"].size(), 11u);
}

}  // namespace
}  // namespace stroke::apps
