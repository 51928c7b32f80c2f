// stroke-serve with a model repository, over HTTP: per-model routes, the
// index, aliases moved by admins, reloads on change, and an alias moved 20
// times under 64 busy connections without one failed request.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "repository_test_util.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using testing::AddVersion;

// The model_version of a /predict answer, or "" when it failed.
std::string AnsweredVersion(httplib::Client& client, const std::string& path = "/predict") {
  auto res = client.Post(path, kPatient, "application/json");
  if (!res || res->status != 200) return "";
  return Json::parse(res->body).value("model_version", "");
}

class RepositoryServer : public ::testing::Test {
 protected:
  ServeOptions Options(ServeOptions options = {}) {
    options.model_repository = dir_.path().string();
    return options;
  }
  testing::TempDir dir_{"stroke_serve_repository_"};
};

TEST_F(RepositoryServer, EveryModelRouteHasPerModelForms) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 2, "stroke");
  AddVersion(dir_.path(), "heart", 1, "heart_disease");
  RunningServer s(Options(), OptionsModels{});
  auto client = s.Client();
  EXPECT_EQ(AnsweredVersion(client), "2");  // the default model, its highest version
  EXPECT_EQ(AnsweredVersion(client, "/models/stroke/predict"), "2");
  EXPECT_EQ(AnsweredVersion(client, "/models/stroke/versions/1/predict"), "1");
  auto answer = client.Post("/models/stroke/versions/1/predict_proba", kPatient, "application/json");
  ASSERT_EQ(answer->status, 200);
  EXPECT_EQ(Json::parse(answer->body)["probabilities"][1], LibraryProbability(kPatient));  // bit for bit
  EXPECT_EQ(Json::parse(client.Get("/models/heart/model")->body)["task"], "multiclass_classification");
  EXPECT_EQ(client.Get("/models/heart/features")->status, 200);
  auto unknown = client.Post("/models/lung/predict", kPatient, "application/json");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("no model \\\"lung\\\" (models: heart, stroke)"), std::string::npos) << unknown->body;
  EXPECT_EQ(client.Post("/models/stroke/versions/9/predict", kPatient, "application/json")->status, 404);
  const std::string metrics = client.Get("/metrics")->body;
  EXPECT_NE(metrics.find("stroke_predictions_total{model=\"stroke\",model_version=\"1\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("stroke_predictions_total{model=\"stroke\",model_version=\"2\"} 2"), std::string::npos) << metrics;
}

TEST_F(RepositoryServer, TheIndexListsStatesAndReasons) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  testing::WriteVersionFile(dir_.path(), "stroke", 2, testing::OffByOneUlpStrokeBundle());
  RunningServer s(Options(), OptionsModels{});
  auto client = s.Client();
  Json index = Json::parse(client.Get("/models")->body);
  EXPECT_EQ(index["default_model"], "stroke");
  const Json& versions = index["models"][0]["versions"];
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0]["state"], "READY");
  EXPECT_EQ(versions[1]["state"], "UNAVAILABLE");
  EXPECT_NE(versions[1]["reason"].get<std::string>().find("golden[0]"), std::string::npos);
  EXPECT_EQ(AnsweredVersion(client), "1");  // the corrupt newer version never serves
  EXPECT_EQ(client.Post("/models/stroke/versions/2/predict", kPatient, "application/json")->status, 503);
}

TEST_F(RepositoryServer, AdminsMoveAliases) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 2, "stroke");
  RunningServer s(Options(WithUsers()), OptionsModels{});
  auto client = s.Client();
  const std::string path = "/models/stroke/aliases/production";
  EXPECT_EQ(client.Put(path, Basic("bob", "builder"), R"({"version": 1})", "application/json")->status, 403);
  auto moved = client.Put(path, Basic("alice", "wonderland"), R"({"version": 1})", "application/json");
  ASSERT_EQ(moved->status, 200) << moved->body;
  client.set_basic_auth("bob", "builder");
  EXPECT_EQ(AnsweredVersion(client), "1");
  EXPECT_EQ(AnsweredVersion(client, "/models/stroke/versions/production/predict"), "1");
  client.set_basic_auth("alice", "wonderland");
  EXPECT_EQ(client.Put(path, R"({"version": "2"})", "application/json")->status, 422);
  EXPECT_EQ(client.Put(path, R"({"version": 5})", "application/json")->status, 422);
  EXPECT_EQ(client.Put("/models/lung/aliases/production", R"({"version": 1})", "application/json")->status, 404);
  EXPECT_EQ(client.Delete(path)->status, 200);
  EXPECT_EQ(client.Delete(path)->status, 404);
  EXPECT_EQ(AnsweredVersion(client), "2");
}

TEST_F(RepositoryServer, ANewVersionServesOnceWrittenWithoutRestart) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  RunningServer s(Options(), OptionsModels{});
  auto client = s.Client();
  EXPECT_EQ(AnsweredVersion(client), "1");
  testing::WriteVersionFile(dir_.path(), "stroke", 2, testing::OffByOneUlpStrokeBundle());
  AddVersion(dir_.path(), "stroke", 3, "stroke");
  // The watcher reloads after 200 ms without a change (inotify).
  std::string version;
  for (int i = 0; i < 100 && version != "3"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    version = AnsweredVersion(client);
  }
  EXPECT_EQ(version, "3");
  // A reload by hand reports nothing new; the refused version stays refused.
  Json reload = Json::parse(client.Post("/admin/reload", "", "application/json")->body);
  EXPECT_EQ(reload["changes"].size(), 0u) << reload.dump();
  EXPECT_EQ(reload["index"]["models"][0]["versions"][1]["state"], "UNAVAILABLE");
}

TEST_F(RepositoryServer, AnAliasMovedTwentyTimesUnderLoadFailsNoRequest) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 2, "stroke");
  testing::WriteAliases(dir_.path(), "stroke", R"({"production": 1})");
  ServeOptions options = Options();
  options.threads = 8;
  RunningServer s(options, OptionsModels{});
  std::atomic<bool> stop{false};
  std::atomic<size_t> answered{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 64; ++c) {  // 64 keep-alive connections, each sending as fast as answered
    clients.emplace_back([&] {
      auto client = s.Client();
      while (!stop) (AnsweredVersion(client).empty() ? failed : answered)++;
    });
  }
  auto admin = s.Client();
  size_t switched = 0;
  for (int move = 0; move < 20; ++move) {  // 20 moves over 20 s
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::string version = move % 2 == 0 ? "2" : "1";
    auto res = admin.Put("/models/stroke/aliases/production", "{\"version\": " + version + "}", "application/json");
    ASSERT_TRUE(res && res->status == 200);
    switched += AnsweredVersion(admin) == version;  // a request after the move sees the new version
  }
  stop = true;
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0u);
  EXPECT_EQ(switched, 20u);
  EXPECT_GT(answered.load(), 1000u);
}

// A reload replaces the index while readers list it: each reader holds the
// snapshot it reads (a crash under a SIGHUP storm before it did).
TEST_F(RepositoryServer, ReloadsWhileTheIndexIsReadCrashNothing) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "heart", 1, "heart_disease");
  RunningServer s(Options(), OptionsModels{});
  std::atomic<bool> stop{false};
  std::atomic<size_t> failed{0};
  std::vector<std::thread> readers;
  for (const char* path : {"/models", "/v1/models", "/models", "/v1/models"}) {
    readers.emplace_back([&, path] {
      auto client = s.Client();
      while (!stop) failed += !(client.Get(path) && client.Get(path)->status == 200);
    });
  }
  readers.emplace_back([&] {
    auto client = s.Client();
    while (!stop) {
      auto res = client.Post("/v2/repository/index", "", "application/json");
      failed += !(res && res->status == 200);
    }
  });
  // 300 reloads, or as many as 4 s allow (an unoptimized sanitizer build).
  auto admin = s.Client();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  int reloads = 0;
  while (reloads < 300 && (reloads < 20 || std::chrono::steady_clock::now() < until)) {
    auto res = admin.Post("/admin/reload", "", "application/json");
    ASSERT_TRUE(res && res->status == 200);
    ++reloads;
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failed.load(), 0u);
}

TEST(RepositoryServerOptions, StartupErrorsNameTheOption) {
  testing::TempDir dir("stroke_serve_repository_");
  AddVersion(dir.path(), "a", 1, "stroke");
  ServeOptions both;
  both.model_repository = dir.path().string();
  both.models = {"stroke"};
  EXPECT_NE(StrokeServer::Create(both).status().message().find("not both"), std::string::npos);
  ServeOptions named;
  named.model_repository = dir.path().string();
  named.default_model = "b";
  EXPECT_EQ(StrokeServer::Create(named).status().message(), "--default-model b: no such model (models: a)");
  ServeOptions missing;
  missing.model_repository = (dir.path() / "nowhere").string();
  EXPECT_EQ(StrokeServer::Create(missing).status().code(), StatusCode::kNotFound);
  ServeOptions twice;  // --model twice with one bundle: one name
  twice.models = {"stroke", "stroke"};
  EXPECT_NE(StrokeServer::Create(twice).status().message().find("two bundles are named \"stroke\""), std::string::npos);
}

TEST(RepositoryServerOptions, SeveralBundlesAreSeveralModels) {
  ServeOptions options;
  options.models = {"stroke", "heart_disease"};
  RunningServer s(options, OptionsModels{});
  auto client = s.Client();
  Json index = Json::parse(client.Get("/models")->body);
  ASSERT_EQ(index["models"].size(), 2u);
  EXPECT_EQ(index["default_model"], "stroke");
  EXPECT_EQ(client.Post("/models/heart_disease/predict", "{}", "application/json")->status, 422);  // its own schema
  EXPECT_EQ(AnsweredVersion(client), StrokeModel().info().version);  // bundles keep their own version
}

}  // namespace
}  // namespace stroke::apps
