// Retraining over HTTP (training_jobs.h), end to end with the real trainer
// (python_export/train.py, scikit-learn): a labelled CSV becomes the model's
// next version, verified and promoted when not worse; a failing, refused or
// overlong job changes nothing that serves.
//
// Run by ctest as `serve.training` with STROKE_TRAINER_PYTHON (a Python
// with scikit-learn) and STROKE_MODULE_PATH (the stroke module the exporter
// verifies with) set: tests/python_tests.cmake.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "repository_test_util.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using testing::AddVersion;

std::string TrainerPython() {
  const char* python = std::getenv("STROKE_TRAINER_PYTHON");
  return python != nullptr ? python : "/usr/bin/python3";
}

// The shipped synthetic stroke data (python_export/datagen.py, seed 7), as CSV.
std::string SyntheticStrokeCsv() {
  static const std::string csv = [] {
    const std::string command = TrainerPython() + " " + STROKE_SOURCE_DIR "/python_export/datagen.py stroke --seed 7";
    std::string text;
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[65536];
    for (size_t n; pipe != nullptr && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
    if (pipe != nullptr) pclose(pipe);
    return text;
  }();
  return csv;
}

class Training : public ::testing::Test {
 protected:
  ServeOptions Options(int timeout_s = 600) {
    ServeOptions options = WithUsers();
    options.model_repository = dir_.path().string();
    options.trainer = STROKE_SOURCE_DIR "/python_export";
    options.trainer_python = TrainerPython();
    options.train_timeout_s = timeout_s;
    options.max_body_bytes = 8 << 20;
    return options;
  }
  // Polls the job until it is done or failed (at most 120 s).
  static Json Finished(httplib::Client& client, const std::string& id) {
    Json job;
    for (int i = 0; i < 1200; ++i) {
      job = Json::parse(client.Get("/jobs/" + id)->body);
      if (job["state"] == "done" || job["state"] == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return job;
  }
  testing::TempDir dir_{"stroke_serve_training_"};
};

TEST_F(Training, ACsvBecomesTheNextVersionAndIsPromotedWhenNotWorse) {
  ASSERT_GT(SyntheticStrokeCsv().size(), 10000u) << "datagen.py gave no data";
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  RunningServer s(Options(), OptionsModels{});
  auto client = s.Client();
  client.set_basic_auth("bob", "builder");
  EXPECT_EQ(client.Post("/models/stroke/train", SyntheticStrokeCsv(), "text/csv")->status, 403);  // admins only
  client.set_basic_auth("alice", "wonderland");
  auto queued = client.Post("/models/stroke/train?promote=production", SyntheticStrokeCsv(), "text/csv");
  ASSERT_EQ(queued->status, 202) << queued->body;
  const Json job = Finished(client, Json::parse(queued->body)["id"]);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["version"], 2);
  EXPECT_GT(job["metrics"]["test.roc_auc"].get<double>(), 0.5);
  EXPECT_EQ(job["promotion"], "moved production to version 2");  // no alias before: nothing to be worse than
  auto answer = client.Post("/predict", kPatient, "application/json");
  ASSERT_EQ(answer->status, 200);
  EXPECT_EQ(Json::parse(answer->body)["model_version"], "2");
}

TEST_F(Training, AFailedJobChangesNothing) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  RunningServer s(Options(), OptionsModels{});
  auto client = s.Client();
  client.set_basic_auth("alice", "wonderland");
  const std::string unlabelled = "gender,age\nMale,67\n";
  const Json job = Finished(client, Json::parse(client.Post("/models/stroke/train", unlabelled, "text/csv")->body)["id"]);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_NE(job["reason"].get<std::string>().find("the trainer failed"), std::string::npos) << job.dump();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "stroke" / "2"));
  EXPECT_EQ(Json::parse(client.Get("/models")->body)["models"][0]["versions"].size(), 1u);
}

TEST_F(Training, AJobOverItsTimeIsStopped) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  RunningServer s(Options(/*timeout_s=*/1), OptionsModels{});
  auto client = s.Client();
  client.set_basic_auth("alice", "wonderland");
  const Json job =
      Finished(client, Json::parse(client.Post("/models/stroke/train", SyntheticStrokeCsv(), "text/csv")->body)["id"]);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_NE(job["reason"].get<std::string>().find("ran over 1 s"), std::string::npos) << job.dump();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "stroke" / "2"));
}

TEST_F(Training, RefusalsSayWhy) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  nlohmann::json converted = nlohmann::json::parse(testing::ReadFile(testing::ShippedBundlePath("stroke")));
  converted["model"]["name"] = "converted_by_export";  // no spec of that name
  testing::WriteVersionFile(dir_.path(), "converted", 1, converted.dump());
  RunningServer s(Options(), OptionsModels{});
  auto client = s.Client();
  client.set_basic_auth("alice", "wonderland");
  auto no_spec = client.Post("/models/converted/train", "a,b\n1,2\n", "text/csv");
  EXPECT_EQ(no_spec->status, 422);
  EXPECT_NE(no_spec->body.find("has no training spec"), std::string::npos) << no_spec->body;
  EXPECT_EQ(client.Post("/models/lung/train", "a\n1\n", "text/csv")->status, 404);
  EXPECT_EQ(client.Post("/models/stroke/train", "", "text/csv")->status, 422);
  EXPECT_EQ(client.Get("/jobs/job-99")->status, 404);
  ServeOptions nowhere = Options();  // a wrong --trainer is refused at startup
  nowhere.trainer = (dir_.path() / "nowhere").string();
  EXPECT_NE(StrokeServer::Create(nowhere).status().message().find("no train.py there"), std::string::npos);
  ServeOptions no_python = Options();
  no_python.trainer_python = (dir_.path() / "python").string();
  EXPECT_NE(StrokeServer::Create(no_python).status().message().find("not an executable file"), std::string::npos);
  ServeOptions off = Options();
  off.trainer.clear();
  RunningServer unconfigured(off, OptionsModels{});
  auto other = unconfigured.Client();
  other.set_basic_auth("alice", "wonderland");
  auto refused = other.Post("/models/stroke/train", "a\n1\n", "text/csv");
  EXPECT_EQ(refused->status, 501);  // this server does not train: not the request's fault
  EXPECT_NE(refused->body.find("--trainer"), std::string::npos) << refused->body;
}

}  // namespace
}  // namespace stroke::apps
