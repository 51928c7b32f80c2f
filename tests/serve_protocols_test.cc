// The standard protocols over HTTP on a model repository of two models in
// two versions with an alias: OIP v2, KServe v1 and MLflow answer with the
// version they name (or the default one) and the numbers of /predict, count
// in /metrics, and answer an unknown model in their own error shape.
#include <gtest/gtest.h>

#include "repository_test_util.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using testing::AddVersion;

// OIP v2 inputs for the sample patient, one tensor per field.
std::string OipPatient() {
  Json record = Json::parse(kPatient);
  Json inputs = Json::array();
  for (const auto& [name, value] : record.items()) {
    const char* type = value.is_string() ? "BYTES" : value.is_boolean() ? "BOOL" : "FP64";
    inputs.push_back({{"name", name}, {"shape", {1}}, {"datatype", type}, {"data", Json::array({value})}});
  }
  return Json{{"inputs", inputs}}.dump();
}

class Protocols : public ::testing::Test {
 protected:
  Protocols() {
    AddVersion(dir_.path(), "stroke", 1, "stroke");
    AddVersion(dir_.path(), "stroke", 2, "stroke");
    AddVersion(dir_.path(), "heart", 1, "heart_disease");
    AddVersion(dir_.path(), "heart", 2, "heart_disease");
    testing::WriteAliases(dir_.path(), "stroke", R"({"production": 1})");
    ServeOptions options;
    options.model_repository = dir_.path().string();
    options.audit_log = (dir_.path() / "audit.jsonl").string();
    server_ = std::make_unique<RunningServer>(options, OptionsModels{});
  }
  testing::TempDir dir_{"stroke_serve_protocols_"};
  std::unique_ptr<RunningServer> server_;
};

TEST_F(Protocols, OpenInferenceProtocolV2) {
  auto client = server_->Client();
  EXPECT_EQ(Json::parse(client.Get("/v2/health/ready")->body)["ready"], true);
  EXPECT_EQ(Json::parse(client.Get("/v2/health/live")->body)["live"], true);
  EXPECT_EQ(Json::parse(client.Get("/v2/models/heart")->body)["versions"], Json::array({"1", "2"}));
  EXPECT_EQ(client.Get("/v2/models/stroke/versions/2/ready")->status, 200);
  for (const auto& [path, version] : {std::pair{"/v2/models/stroke/infer", "1"},  // production
                                      std::pair{"/v2/models/stroke/versions/2/infer", "2"},
                                      std::pair{"/v2/models/stroke/versions/production/infer", "1"}}) {
    auto res = client.Post(path, OipPatient(), "application/json");
    ASSERT_EQ(res->status, 200) << path << res->body;
    Json answer = Json::parse(res->body);
    EXPECT_EQ(answer["model_name"], "stroke");
    EXPECT_EQ(answer["model_version"], version) << path;
    EXPECT_EQ(answer["outputs"][0]["name"], "probabilities");
    EXPECT_EQ(answer["outputs"][0]["data"][1], LibraryProbability(kPatient));  // bit for bit
  }
  auto unknown = client.Post("/v2/models/lung/infer", OipPatient(), "application/json");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json::parse(unknown->body).size(), 1u);  // {"error": ...}, the protocol's shape
  Json index = Json::parse(client.Post("/v2/repository/index", "", "application/json")->body);
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index[0], Json({{"name", "heart"}, {"version", "1"}, {"state", "READY"}, {"reason", ""}}));
}

TEST_F(Protocols, KServeV1) {
  auto client = server_->Client();
  EXPECT_EQ(Json::parse(client.Get("/v1/models")->body)["models"], Json::array({"heart", "stroke"}));
  EXPECT_EQ(Json::parse(client.Get("/v1/models/stroke")->body)["ready"], true);
  EXPECT_EQ(client.Get("/v1/models/lung")->status, 404);
  const std::string body = std::string(R"({"instances": [)") + kPatient + "," + kPatient + "]}";
  auto res = client.Post("/v1/models/stroke:predict", body, "application/json");
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string label = StrokeModel().Predict(testing::RecordOrDie(kPatient))->label;
  EXPECT_EQ(Json::parse(res->body)["predictions"], Json::array({label, label}));
  EXPECT_EQ(client.Post("/v1/models/lung:predict", body, "application/json")->status, 404);
  EXPECT_EQ(client.Post("/v1/models/stroke:predict", R"({"instances": [{"age": "old"}]})", "application/json")->status,
            400);
}

TEST_F(Protocols, MlflowScoringServer) {
  auto client = server_->Client();
  EXPECT_EQ(client.Get("/ping")->status, 200);
  EXPECT_EQ(client.Get("/version")->status, 200);
  const std::string body = std::string(R"({"dataframe_records": [)") + kPatient + "]}";
  auto res = client.Post("/invocations", body, "application/json");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Json::parse(res->body)["predictions"].size(), 1u);
  auto bad = client.Post("/invocations", "{\"dataframe_records\": 3}", "application/json");
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(Json::parse(bad->body).contains("error_code")) << bad->body;
}

// --predict-proba: KServe v1 (its sklearn server's PREDICT_PROBA=true) and
// MLflow answer class probabilities, the library's bit for bit.
TEST_F(Protocols, PredictProbaMakesKServeAndMlflowAnswerProbabilities) {
  ServeOptions options;
  options.model_repository = dir_.path().string();
  options.predict_proba = true;
  RunningServer proba(options, OptionsModels{});
  auto client = proba.Client();
  const auto library = StrokeModel().Predict(testing::RecordOrDie(kPatient));
  const Json expected = Json::array({Json::array({library->probabilities[0], library->probabilities[1]})});
  auto kserve = client.Post("/v1/models/stroke:predict", std::string(R"({"instances": [)") + kPatient + "]}",
                            "application/json");
  ASSERT_EQ(kserve->status, 200) << kserve->body;
  EXPECT_EQ(Json::parse(kserve->body)["predictions"], expected);
  auto mlflow = client.Post("/invocations", std::string(R"({"dataframe_records": [)") + kPatient + "]}",
                            "application/json");
  ASSERT_EQ(mlflow->status, 200) << mlflow->body;
  EXPECT_EQ(Json::parse(mlflow->body)["predictions"], expected);
}

TEST_F(Protocols, EveryProtocolCountsUnderTheVersionThatAnswered) {
  auto client = server_->Client();
  ASSERT_EQ(client.Post("/v2/models/stroke/versions/2/infer", OipPatient(), "application/json")->status, 200);
  ASSERT_EQ(client.Post("/v1/models/stroke:predict", std::string(R"({"instances": [)") + kPatient + "]}",
                        "application/json")->status, 200);
  ASSERT_EQ(client.Post("/invocations", std::string(R"({"dataframe_records": [)") + kPatient + "]}",
                        "application/json")->status, 200);
  const std::string metrics = client.Get("/metrics")->body;
  EXPECT_NE(metrics.find("stroke_predictions_total{model=\"stroke\",model_version=\"2\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("stroke_predictions_total{model=\"stroke\",model_version=\"1\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("route=\"/v2/models/{model}/versions/{version}/infer\""), std::string::npos);
}

TEST_F(Protocols, EveryProtocolWritesTheAuditLog) {
  auto client = server_->Client();
  ASSERT_EQ(client.Post("/v2/models/stroke/versions/2/infer", OipPatient(), "application/json")->status, 200);
  ASSERT_EQ(client.Post("/v1/models/heart:predict", R"({"instances": []})", "application/json")->status, 200);
  ASSERT_EQ(client.Post("/invocations", std::string(R"({"dataframe_records": [)") + kPatient + "]}",
                        "application/json")->status, 200);
  server_->server().events().FlushAudit();
  std::vector<Json> lines;
  std::ifstream file(dir_.path() / "audit.jsonl");
  for (std::string line; std::getline(file, line);) lines.push_back(Json::parse(line));
  ASSERT_EQ(lines.size(), 2u);  // one per answered record
  EXPECT_EQ(lines[0]["route"], "/v2/models/{model}/versions/{version}/infer");
  EXPECT_EQ(lines[0]["model_version"], "2");
  EXPECT_EQ(lines[0]["inputs"], Json::parse(kPatient));
  EXPECT_EQ(lines[0]["outputs"]["probability"], LibraryProbability(kPatient));
  EXPECT_EQ(lines[1]["route"], "/invocations");
  EXPECT_EQ(lines[1]["model_version"], "1");
}

}  // namespace
}  // namespace stroke::apps
