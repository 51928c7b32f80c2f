// The log stores behind GET /logs (log_store.h, redis_log_store.h): the Redis
// URL and --log-store's parsing as tables; the same paging, stats and clearing
// from the memory ring and from a Redis stream; and what Redis can do to the
// store - refuse (WRONGTYPE), hold foreign or huge entries, go away and come
// back, freeze while the queue is full at shutdown. The Redis cases start
// Debian's redis-server on a free loopback port and SKIP without it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "redis_log_store.h"
#include "redis_test_util.h"
#include "routes.h"
#include "serve_options.h"
#include "test_util.h"

namespace stroke::apps {
namespace {

using namespace std::chrono_literals;
using testing::RedisServerProcess;

struct UrlCase {
  std::string url;
  std::string host;  // "" when refused
  int port = 0, db = 0;
  std::string error;  // a piece of the message when refused
};

TEST(RedisUrl, Table) {
  const std::vector<UrlCase> cases = {
      {"redis://127.0.0.1:6379", "127.0.0.1", 6379, 0, ""},
      {"redis://redis", "redis", 6379, 0, ""},
      {"redis://cache-1.internal:7000/3", "cache-1.internal", 7000, 3, ""},
      {"redis://localhost:6380/", "localhost", 6380, 0, ""},
      {"redis://[::1]:6381/2", "::1", 6381, 2, ""},
      {"redis://[::1]", "::1", 6379, 0, ""},
      {"http://redis:6379", "", 0, 0, "the scheme must be redis://"},
      {"REDIS://redis:6379", "", 0, 0, "the scheme must be redis://"},
      {"redis:/redis:6379", "", 0, 0, "the scheme must be redis://"},
      {"rediss://redis:6379", "", 0, 0, "TLS (rediss://) is not supported"},
      {"redis://", "", 0, 0, "the host is empty"},
      {"redis://:6379", "", 0, 0, "the host is empty"},
      {"redis://redis:", "", 0, 0, "the port is empty"},
      {"redis://redis:0", "", 0, 0, "the port \"0\" is not a number in [1, 65535]"},
      {"redis://redis:65536", "", 0, 0, "the port \"65536\" is not a number in [1, 65535]"},
      {"redis://redis:-1", "", 0, 0, "is not a number in [1, 65535]"},
      {"redis://redis:63 79", "", 0, 0, "is not a number in [1, 65535]"},
      {"redis://redis:6379:1", "", 0, 0, "is not a number in [1, 65535]"},
      {"redis://user:secret@redis:6379", "", 0, 0, "credentials (user@)"},
      {"redis://redis:6379?db=1", "", 0, 0, "queries (?)"},
      {"redis://redis:6379/x", "", 0, 0, "the database \"x\" is not a number"},
      {"redis://redis:6379/1/2", "", 0, 0, "the database \"1/2\" is not a number"},
      {"redis://red is:6379", "", 0, 0, "a character a host name cannot have"},
      {"redis://-redis:6379", "", 0, 0, "is not a host name"},
      {"redis://[::1:6379", "", 0, 0, "closing ]"},
      {"redis://[::1]6379", "", 0, 0, "expected :PORT after the IPv6 host"},
      {"redis://[zz]:6379", "", 0, 0, "the IPv6 host is malformed"},
      {"redis://" + std::string(254, 'a') + ":1", "", 0, 0, "longer than 253"},
  };
  for (const UrlCase& c : cases) {
    StatusOr<RedisAddress> address = ParseRedisUrl(c.url);
    if (c.host.empty()) {
      ASSERT_FALSE(address.ok()) << c.url;
      EXPECT_EQ(address.status().code(), StatusCode::kInvalidInput) << c.url;
      EXPECT_NE(address.status().message().find(c.error), std::string::npos) << c.url << ": " << address.status().message();
      continue;
    }
    ASSERT_TRUE(address.ok()) << c.url << ": " << address.status().message();
    EXPECT_EQ(address->host, c.host) << c.url;
    EXPECT_EQ(address->port, c.port) << c.url;
    EXPECT_EQ(address->db, c.db) << c.url;
    EXPECT_EQ(ParseRedisUrl(address->Url())->host, c.host) << address->Url();  // Url() reads back
  }
}

TEST(LogStoreOption, FlagAndVariableNameWhatWasExpected) {
  auto none = [](const char*) -> const char* { return nullptr; };
  EXPECT_EQ(ParseServeOptions({}, none)->log_store, "memory");
  EXPECT_EQ(ParseServeOptions({}, none)->log_store_key, "stroke:logs");
  auto options = ParseServeOptions({"--log-store", "redis://cache:7000/2", "--log-store-key=app:events"}, none);
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_EQ(options->log_store, "redis://cache:7000/2");
  EXPECT_EQ(options->log_store_key, "app:events");
  const std::string bad = ParseServeOptions({"--log-store", "redis://cache:99999"}, none).status().message();
  EXPECT_EQ(bad.rfind("--log-store: expected memory or redis://HOST:PORT[/DB], got \"redis://cache:99999\": the port", 0), 0u)
      << bad;
  EXPECT_NE(ParseServeOptions({"--log-store", "memcached"}, none).status().message().find("the scheme must be redis://"),
            std::string::npos);
  EXPECT_NE(ParseServeOptions({"--log-store-key", ""}, none).status().message().find("--log-store-key"), std::string::npos);
  auto env = [](const char* name) -> const char* {
    return std::string(name) == "STROKE_LOG_STORE" ? "redis://[::1]:6379" : nullptr;
  };
  EXPECT_EQ(ParseServeOptions({}, env)->log_store, "redis://[::1]:6379");
  auto bad_env = [](const char* name) -> const char* {
    return std::string(name) == "STROKE_LOG_STORE" ? "redis://" : nullptr;
  };
  EXPECT_NE(ParseServeOptions({}, bad_env).status().message().find("STROKE_LOG_STORE"), std::string::npos);
  EXPECT_NE(ServeUsage().find("--log-store STORE"), std::string::npos);
}

// A redis-server for one test, or a skip.
#define START_REDIS_OR_SKIP(name)                                                       \
  if (RedisServerProcess::Find().empty()) GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh)"; \
  testing::TempDir name##_dir("stroke_redis_test_");                                    \
  RedisServerProcess name(testing::FreeLoopbackPort(), name##_dir.path().string())

RedisLogStoreOptions StoreOn(const RedisServerProcess& redis, const std::string& key) {
  RedisLogStoreOptions options;
  options.address = *ParseRedisUrl(redis.url());
  options.key = key;
  options.capacity = 100;
  return options;
}

LogEntry Entry(int i, const std::string& level) {
  return {"2026-11-24T10:05:47." + std::to_string(100 + i) + "Z", level, "event " + std::to_string(i),
          R"({"i":)" + std::to_string(i) + "}"};
}

// The same calls and answers from either store: clients cannot tell them apart.
void CheckPagingStatsAndClear(LogStore& store, const std::function<void()>& settle) {
  const std::vector<std::string> levels = {"INFO", "WARNING", "INFO", "ERROR", "INFO"};
  for (size_t i = 0; i < levels.size(); ++i) store.Append(Entry(static_cast<int>(i), levels[i]));
  settle();
  StatusOr<LogPage> page = store.Read(2, 1, "");
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->total, 5u);
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].message, "event 3");  // newest first, one skipped
  EXPECT_EQ(page->entries[1].data, R"({"i":2})");
  StatusOr<LogPage> info = store.Read(10, 1, "INFO");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->total, 3u);
  ASSERT_EQ(info->entries.size(), 2u);
  EXPECT_EQ(info->entries[0].message, "event 2");
  EXPECT_EQ(info->entries[1].timestamp, "2026-11-24T10:05:47.100Z");
  StatusOr<Json> stats = store.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ((*stats)["store"], store.kind());
  EXPECT_EQ((*stats)["total"], 5);
  EXPECT_EQ((*stats)["capacity"], 100);
  EXPECT_EQ((*stats)["by_level"], Json::parse(R"({"ERROR":1,"INFO":3,"WARNING":1})"));
  EXPECT_EQ((*stats)["oldest"], "2026-11-24T10:05:47.100Z");
  EXPECT_EQ((*stats)["newest"], "2026-11-24T10:05:47.104Z");
  EXPECT_EQ(*store.Clear(), 5u);
  EXPECT_EQ(store.Read(10, 0, "")->total, 0u);
  EXPECT_EQ((*store.Stats())["oldest"], Json());
  EXPECT_TRUE(store.Health().up);
  EXPECT_EQ(store.Health().lost, 0u);
}

TEST(LogStores, MemoryPagesCountsAndClears) {
  MemoryLogStore store(100);
  CheckPagingStatsAndClear(store, [] {});
  EXPECT_EQ(LogStoreHealthJson(store), Json::parse(R"({"kind":"memory","state":"ok"})"));
}

TEST(LogStores, RedisPagesCountsAndClearsTheSame) {
  START_REDIS_OR_SKIP(redis);
  RedisLogStore store(StoreOn(redis, "t:same"));
  CheckPagingStatsAndClear(store, [&] { ASSERT_TRUE(store.Flush(5s)); });
  EXPECT_EQ(LogStoreHealthJson(store), Json::parse(R"({"kind":"redis","state":"ok"})"));
}

TEST(LogStores, RedisStreamIsCappedNearCapacity) {
  START_REDIS_OR_SKIP(redis);
  RedisLogStoreOptions options = StoreOn(redis, "t:capped");
  options.capacity = 10;
  RedisLogStore store(options);
  for (int i = 0; i < 1000; ++i) store.Append(Entry(i % 100, "INFO"));
  ASSERT_TRUE(store.Flush(5s));
  StatusOr<LogPage> page = store.Read(1000, 0, "");
  ASSERT_TRUE(page.ok());
  EXPECT_GE(page->total, 10u);  // MAXLEN ~: whole nodes of up to 100 entries are trimmed
  EXPECT_LE(page->total, 110u);
  EXPECT_EQ(page->entries.size(), page->total);
}

TEST(LogStores, RedisRefusingEntriesIsDegradedNotFatal) {
  START_REDIS_OR_SKIP(redis);
  RedisLogStore store(StoreOn(redis, "t:wrongtype"));
  ASSERT_TRUE(redis.Connect().Command({"SET", "t:wrongtype", "a string, not a stream"}).ok());
  store.Append(Entry(1, "INFO"));
  ASSERT_TRUE(store.Flush(5s));
  LogStoreHealth health = store.Health();
  EXPECT_FALSE(health.up);
  EXPECT_EQ(health.lost, 1u);
  EXPECT_NE(health.reason.find("WRONGTYPE"), std::string::npos) << health.reason;
  StatusOr<LogPage> page = store.Read(10, 0, "");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("key \"t:wrongtype\": WRONGTYPE"), std::string::npos) << page.status().message();
  EXPECT_FALSE(store.Stats().ok());
  StatusOr<size_t> cleared = store.Clear();  // the key is the store's: DEL makes it a stream again
  ASSERT_TRUE(cleared.ok()) << cleared.status().message();
  EXPECT_EQ(*cleared, 0u);
  store.Append(Entry(2, "INFO"));
  ASSERT_TRUE(store.Flush(5s));
  EXPECT_TRUE(store.Health().up);
  EXPECT_EQ(store.Read(10, 0, "")->total, 1u);
}

TEST(LogStores, ForeignAndHugeEntriesStillGiveJson) {
  START_REDIS_OR_SKIP(redis);
  Metrics metrics("test", "stroke", "1");
  EventLog log(100);
  log.SetStore(std::make_unique<RedisLogStore>(StoreOn(redis, "t:foreign")));
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  Routes routes(model, {}, &metrics, &log);
  RedisConnection writer = redis.Connect();
  const std::string huge(4 << 20, 'x');
  for (const auto& fields : std::vector<std::vector<std::string>>{
           {"level", "INFO"},                                              // no timestamp, message, data
           {"data", "not json", "level", "WARNING"},                       // data that is not JSON
           {"data", "\"\xff\xfe\"", "message", "bad \xc3\x28 utf-8"},      // not UTF-8
           {"message", huge, "data", "{\"big\":true}", "level", "ERROR"},  // 4 MiB
           {"something", "else"}}) {
    std::vector<std::string_view> args = {"XADD", "t:foreign", "*"};
    args.insert(args.end(), fields.begin(), fields.end());
    StatusOr<RedisReply> added = writer.Command(args);
    ASSERT_TRUE(added.ok()) << added.status().message();
    EXPECT_FALSE(IsRedisError(**added)) << RedisErrorText(**added);
  }
  const RequestInfo who{"r1", "ann", "/logs", "127.0.0.1"};
  const Reply logs = routes.Logs(who, "", "", "");
  ASSERT_EQ(logs.status, 200) << logs.body.substr(0, 300);
  const Json page = Json::parse(logs.body);  // throws (fails) if it is not JSON
  EXPECT_EQ(page["total"], 5);
  ASSERT_EQ(page["logs"].size(), 5u);
  EXPECT_EQ(page["logs"][0]["data"], Json());                       // none: null
  EXPECT_EQ(page["logs"][1]["message"].get<std::string>().size(), huge.size());
  EXPECT_EQ(page["logs"][1]["data"]["big"], true);
  EXPECT_EQ(page["logs"][3]["data"], "not json");                   // kept, as a string
  EXPECT_EQ(page["logs"][4]["level"], "INFO");
  EXPECT_EQ(page["logs"][4]["timestamp"], "");
  const Reply warnings = routes.Logs(who, "", "", "WARNING");
  EXPECT_EQ(Json::parse(warnings.body)["total"], 1);
  EXPECT_EQ(routes.LogStats(who).status, 200);
}

TEST(LogStores, RedisGoneThenBackAgain) {
  START_REDIS_OR_SKIP(redis);
  const int port = redis.port();
  RedisLogStore store(StoreOn(redis, "t:restart"));
  store.Append(Entry(1, "INFO"));
  ASSERT_TRUE(store.Flush(5s));
  redis.Kill();
  for (int i = 0; i < 200 && store.Health().up; ++i) {  // the next write or ping finds it gone
    store.Append(Entry(2, "INFO"));
    ASSERT_TRUE(store.Flush(5s));
    std::this_thread::sleep_for(10ms);
  }
  LogStoreHealth down = store.Health();
  EXPECT_FALSE(down.up);
  EXPECT_GE(down.lost, 1u);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<LogPage> unreadable = store.Read(10, 0, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // an error, not a hang
  ASSERT_FALSE(unreadable.ok());
  EXPECT_NE(unreadable.status().message().find("log store redis://127.0.0.1:" + std::to_string(port)), std::string::npos)
      << unreadable.status().message();

  RedisServerProcess again(port, redis_dir.path().string());  // nothing was saved: an empty stream
  for (int i = 0; i < 300 && !store.Health().up; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(store.Health().up) << store.Health().reason;
  store.Append(Entry(3, "INFO"));
  ASSERT_TRUE(store.Flush(5s));
  StatusOr<LogPage> page = store.Read(10, 0, "");
  for (int i = 0; i < 100 && !page.ok(); ++i) {  // the reader waits 250 ms after a failure
    std::this_thread::sleep_for(10ms);
    page = store.Read(10, 0, "");
  }
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->total, 1u);
  EXPECT_EQ(page->entries[0].message, "event 3");
}

TEST(LogStores, UnreachableFromTheStartDropsAndCounts) {
  RedisLogStoreOptions options;
  options.address = {"127.0.0.1", testing::FreeLoopbackPort(), 0};
  RedisLogStore store(options);
  for (int i = 0; i < 100 && store.Health().reason == "connecting"; ++i) std::this_thread::sleep_for(10ms);
  store.Append(Entry(1, "INFO"));
  ASSERT_TRUE(store.Flush(5s));
  const LogStoreHealth health = store.Health();
  EXPECT_FALSE(health.up);
  EXPECT_EQ(health.lost, 1u);
  EXPECT_NE(health.reason.find("Connection refused"), std::string::npos) << health.reason;
  EXPECT_EQ(LogStoreHealthJson(store)["state"], "degraded");
  EXPECT_FALSE(store.Read(10, 0, "").ok());
  EXPECT_FALSE(store.Clear().ok());
}

TEST(LogStores, ShutdownWithAFullQueueAndAFrozenRedisIsPrompt) {
  START_REDIS_OR_SKIP(redis);
  RedisLogStoreOptions options = StoreOn(redis, "t:frozen");
  options.queue_capacity = 100;
  options.write_timeout = 300ms;
  options.shutdown_grace = 300ms;
  auto store = std::make_unique<RedisLogStore>(options);
  store->Append(Entry(0, "INFO"));
  ASSERT_TRUE(store->Flush(5s));
  redis.Signal(SIGSTOP);  // connections still accepted by the kernel, never answered
  for (int i = 0; i < 5000; ++i) store->Append(Entry(i % 100, "INFO"));
  EXPECT_GE(store->Health().lost, 4800u);  // the queue holds 100
  const auto start = std::chrono::steady_clock::now();
  store.reset();
  const auto took = std::chrono::steady_clock::now() - start;
  redis.Signal(SIGCONT);
  EXPECT_LT(took, 2s) << "about shutdown_grace + write_timeout (+ connect_timeout) at most";
}

}  // namespace
}  // namespace stroke::apps
