// Two stroke-serve processes (the built binary) sharing one redis-server
// through --log-store: each sees the other's events in GET /logs, DELETE /logs
// clears them for both; with Redis killed predictions are still answered,
// /readyz is 200 with the log store degraded, /metrics counts the lost events
// and /logs is a 503; Redis started again on its port, events flow again; on
// SIGTERM both exit 0 promptly. Everything on loopback; SKIPs without
// Debian's redis-server.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "redis_test_util.h"
#include "test_util.h"

namespace stroke::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// stroke-serve --log-store URL on a free port, answering /livez.
class ServeProcess {
 public:
  ServeProcess(const std::string& log_store, const std::string& log)
      : port_(FreeLoopbackPort()),
        process_({STROKE_SERVE_BINARY, "--port", std::to_string(port_), "--quiet", "--log-store", log_store}, log) {
    for (int i = 0; i < 1000 && process_.running(); ++i) {
      if (Client().Get("/livez")) return;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "stroke-serve did not answer /livez (see " << log << ")";
  }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    return client;
  }
  // POST /predict with `id` as X-Request-Id; its status.
  int Predict(const std::string& id) const {
    auto answer = Client().Post("/predict", {{"X-Request-Id", id}}, kSamplePatient, "application/json");
    return answer ? answer->status : -1;
  }
  Json GetJson(const std::string& path, int* status = nullptr) const {
    auto answer = Client().Get(path.c_str());
    if (status != nullptr) *status = answer ? answer->status : -1;
    return answer ? Json::parse(answer->body, nullptr, false) : Json();
  }
  std::string Metrics() const {
    auto answer = Client().Get("/metrics");
    return answer ? answer->body : "";
  }
  void Terminate() { process_.Signal(SIGTERM); }
  // The exit status within `timeout` (-1: still running).
  int Wait(std::chrono::milliseconds timeout) { return process_.Wait(timeout); }

 private:
  const int port_;
  ChildProcess process_;
};

// Polls `done` every 20 ms for at most `timeout`.
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// The request ids of the "prediction" entries of GET /logs.
std::set<std::string> PredictionIds(const ServeProcess& serve) {
  std::set<std::string> ids;
  const Json page = serve.GetJson("/logs?limit=1000&level=INFO");
  for (const Json& entry : page.value("logs", Json::array())) {
    if (entry["message"] == "prediction") ids.insert(entry["data"]["request_id"].get<std::string>());
  }
  return ids;
}

std::string LogStoreState(const ServeProcess& serve) {
  int status = 0;
  const Json ready = serve.GetJson("/readyz", &status);
  return status == 200 ? ready["log_store"].value("state", "") : "status " + std::to_string(status);
}

TEST(RedisLogStore, TwoServersShareTheLogsAndOutliveRedis) {
  if (RedisServerProcess::Find().empty()) GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh)";
  TempDir dir("stroke_serve_redis_test_");
  auto redis = std::make_unique<RedisServerProcess>(FreeLoopbackPort(), dir.path().string());
  const int redis_port = redis->port();
  ServeProcess a(redis->url(), dir.File("a.log")), b(redis->url(), dir.File("b.log"));
  ASSERT_TRUE(Eventually([&] { return LogStoreState(a) == "ok" && LogStoreState(b) == "ok"; }));

  // Each sees both processes' events.
  ASSERT_EQ(a.Predict("from-a-1"), 200);
  ASSERT_EQ(b.Predict("from-b-1"), 200);
  ASSERT_EQ(b.Predict("from-b-2"), 200);
  const std::set<std::string> all = {"from-a-1", "from-b-1", "from-b-2"};
  EXPECT_TRUE(Eventually([&] { return PredictionIds(a) == all; })) << "a sees " << PredictionIds(a).size();
  EXPECT_EQ(PredictionIds(b), all);
  const Json stats = b.GetJson("/logs/stats");
  EXPECT_EQ(stats["store"], "redis");
  EXPECT_EQ(stats["by_level"]["INFO"], 3);

  // DELETE /logs on one clears them for both.
  auto cleared = a.Client().Delete("/logs");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(Json::parse(cleared->body)["deleted"], 3);
  EXPECT_TRUE(PredictionIds(b).empty());

  // Redis gone: predictions still answered, the loss seen, /logs a 503.
  redis.reset();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a.Predict("while-down-" + std::to_string(i)), 200);
  EXPECT_TRUE(Eventually([&] { return LogStoreState(a) == "degraded"; })) << LogStoreState(a);
  const Json ready = a.GetJson("/readyz");
  EXPECT_EQ(ready["status"], "ready");
  EXPECT_NE(ready["log_store"]["reason"].get<std::string>().find("unreachable"), std::string::npos) << ready.dump();
  EXPECT_TRUE(Eventually([&] {
    a.Predict("lost");
    const std::string metrics = a.Metrics();
    return metrics.find("stroke_log_store_up 0\n") != std::string::npos &&
           metrics.find("stroke_log_events_lost_total 0\n") == std::string::npos;
  })) << a.Metrics();
  int status = 0;
  const Json unavailable = a.GetJson("/logs", &status);
  EXPECT_EQ(status, 503);
  EXPECT_NE(unavailable["error"].get<std::string>().find("log store redis://127.0.0.1:" + std::to_string(redis_port)),
            std::string::npos)
      << unavailable.dump();
  EXPECT_TRUE(unavailable.contains("request_id"));

  // Redis back on its port: events flow again, from both.
  redis = std::make_unique<RedisServerProcess>(redis_port, dir.path().string());
  EXPECT_TRUE(Eventually([&] { return LogStoreState(a) == "ok" && LogStoreState(b) == "ok"; }));
  ASSERT_EQ(a.Predict("after-restart-a"), 200);
  ASSERT_EQ(b.Predict("after-restart-b"), 200);
  EXPECT_TRUE(Eventually([&] {
    const std::set<std::string> ids = PredictionIds(b);
    return ids.count("after-restart-a") == 1 && ids.count("after-restart-b") == 1;
  })) << PredictionIds(b).size();
  EXPECT_NE(a.Metrics().find("stroke_log_store_up 1\n"), std::string::npos);

  // SIGTERM: both stop within their drain, the writer thread joined.
  a.Terminate();
  b.Terminate();
  EXPECT_EQ(a.Wait(5s), 0);
  EXPECT_EQ(b.Wait(5s), 0);
}

TEST(RedisLogStore, ABadUrlStopsTheStartNamingTheFlag) {
  TempDir dir("stroke_serve_redis_test_");
  ChildProcess serve({STROKE_SERVE_BINARY, "--port", "0", "--log-store", "redis://cache:99999"}, dir.File("serve.log"));
  EXPECT_EQ(serve.Wait(10s), 2);
  EXPECT_NE(ReadFile(dir.File("serve.log")).find("--log-store: expected memory or redis://HOST:PORT[/DB], got "
                                                 "\"redis://cache:99999\": the port \"99999\" is not a number in [1, 65535]"),
            std::string::npos)
      << ReadFile(dir.File("serve.log"));
}

}  // namespace
}  // namespace stroke::testing
