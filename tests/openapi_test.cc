// GET /openapi.json against the server it describes: every registered route
// is in it, its security is what the server enforces, and every request
// example ("Try it out" in /docs) is answered 200. tests/web_tests.cmake
// lints the same document with @redocly/cli.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "openapi_catalog.h"
#include "repository_test_util.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

ServeOptions WithUsersKeysAndProtectedOps() {
  ServeOptions options = WithUsers();
  auto [key, line] = NewApiKey("dashboard");
  options.api_keys_file = TempPath("keys");
  std::ofstream(options.api_keys_file) << line << "\n";
  options.protect_ops = true;
  return options;
}

ServeOptions Repository() {
  const std::filesystem::path dir = TempPath("repository");
  testing::AddVersion(dir, "stroke", 1, "stroke");
  testing::AddVersion(dir, "lung_cancer", 1, "lung_cancer");
  ServeOptions options;
  options.model_repository = dir.string();
  options.default_model = "stroke";
  return options;
}

Json Document(RunningServer& s, const httplib::Headers& headers = {}) {
  auto res = s.Client().Get("/openapi.json", headers);
  EXPECT_EQ(res->status, 200);
  return Json::parse(res->body);
}

// `label` with each {parameter} replaced by a value the server knows.
std::string Concrete(std::string label, const std::string& model = "stroke") {
  const std::map<std::string, std::string> kValues = {
      {"{model}", model}, {"{version}", "1"}, {"{name}", "age"}, {"{file}", "none.js"},
      {"{id}", "job-1"},     {"{alias}", "production"}};
  for (const auto& [parameter, value] : kValues) {
    for (size_t at = label.find(parameter); at != std::string::npos; at = label.find(parameter)) {
      label.replace(at, parameter.size(), value);
    }
  }
  return label;
}

TEST(OpenApi, EveryRegisteredRouteIsDocumented) {
  for (ServeOptions options : {ServeOptions{}, Repository()}) {
    RunningServer s(options, OptionsModels{});
    const Json doc = Document(s);
    std::set<std::string> ids;
    ASSERT_GT(s.server().api().routes.size(), 30u);
    for (const ApiRoute& route : s.server().api().routes) {
      int variant = 0;
      EXPECT_NE(FindRouteDoc(route.method, route.label, &variant), nullptr)
          << route.method << " " << route.label << " has no entry in openapi_catalog.cc";
      std::string method = route.method;
      for (char& c : method) c = static_cast<char>(std::tolower(c));
      ASSERT_TRUE(doc["paths"][route.label].contains(method)) << route.method << " " << route.label;
      const Json& op = doc["paths"][route.label][method];
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << op["operationId"];
      bool has_4xx = false;
      for (const auto& [status, answer] : op["responses"].items()) has_4xx |= status[0] == '4';
      EXPECT_TRUE(has_4xx) << route.label;
    }
  }
}

// Every operation, asked without credentials, is refused with 401 exactly
// when the document gives it security; with credentials it is not 401.
void ExpectSecurityAsEnforced(const ServeOptions& options, size_t expected_secured_at_least) {
  RunningServer s(options);
  const httplib::Headers alice = Basic("alice", "wonderland");
  const Json doc = Document(s, alice);
  size_t secured_count = 0;
  for (const auto& [label, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      const bool secured = !op["security"].empty();
      secured_count += secured;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      const std::string path = Concrete(label);
      auto anonymous = s.Client().send([&] {
        httplib::Request req;
        req.method = upper;
        req.path = path;
        return req;
      }());
      ASSERT_TRUE(anonymous) << upper << " " << path;
      EXPECT_EQ(anonymous->status == 401, secured) << upper << " " << path << " answered " << anonymous->status;
      if (secured) {
        for (const Json& scheme : op["security"]) {
          EXPECT_TRUE(doc["components"]["securitySchemes"].contains(scheme.begin().key())) << label;
        }
      }
    }
  }
  EXPECT_GE(secured_count, expected_secured_at_least);
}

TEST(OpenApi, SecurityIsWhatTheServerEnforces) {
  ExpectSecurityAsEnforced(ServeOptions{}, 0);
  ExpectSecurityAsEnforced(WithUsers(), 10);
  ExpectSecurityAsEnforced(WithUsersKeysAndProtectedOps(), 25);
}

TEST(OpenApi, SecuritySchemesFollowTheFlags) {
  RunningServer open({});
  EXPECT_FALSE(Document(open).contains("securitySchemes"));
  EXPECT_EQ(Document(open)["paths"]["/predict"]["post"]["security"], Json::array());
  RunningServer users(WithUsers());
  Json doc = Document(users);
  EXPECT_EQ(doc["paths"]["/predict"]["post"]["security"], Json::parse(R"([{"basicAuth": []}])"));
  EXPECT_EQ(doc["paths"]["/model"]["get"]["security"], Json::array());  // ops stay open without --protect-ops
  EXPECT_FALSE(doc["components"]["securitySchemes"].contains("bearerAuth"));
  RunningServer both(WithUsersKeysAndProtectedOps());
  doc = Document(both, Basic("alice", "wonderland"));
  EXPECT_EQ(doc["paths"]["/model"]["get"]["security"], Json::parse(R"([{"basicAuth": []}, {"bearerAuth": []}])"));
  EXPECT_EQ(doc["paths"]["/livez"]["get"]["security"], Json::array());
}

class OpenApiExamples : public ::testing::TestWithParam<const char*> {};

// What "Try it out" sends: each operation's examples, posted as they are.
TEST_P(OpenApiExamples, AreAnswered200) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath(GetParam()));
  RunningServer s({}, model);
  const Json doc = Document(s);
  int posted = 0;
  for (const auto& [label, methods] : doc["paths"].items()) {
    if (!methods.contains("post") || !methods["post"].contains("requestBody")) continue;
    const std::string path = Concrete(label, model.info().name);
    // A regression has no class probabilities: the documented 404.
    const bool regression = model.info().task == Task::kRegression;
    const bool proba = label.size() >= 14 && label.compare(label.size() - 14, 14, "/predict_proba") == 0;
    const int expected = regression && proba ? 404 : 200;
    for (const auto& [media_type, media] : methods["post"]["requestBody"]["content"].items()) {
      std::vector<std::string> bodies;
      if (media.contains("example")) bodies.push_back(media["example"].get<std::string>());
      if (media.contains("examples")) {
        for (const auto& [name, example] : media["examples"].items()) bodies.push_back(JsonText(example["value"]));
      }
      for (const std::string& body : bodies) {
        auto res = s.Client().Post(path, body, media_type);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, expected) << "POST " << path << " (" << media_type << ") " << body << "\n" << res->body;
        ++posted;
      }
    }
  }
  // /prediction's record, and record, batch and CSV on three routes, each as
  // itself, per model and per version (30); OIP twice, KServe, MLflow twice.
  EXPECT_EQ(posted, 35);
  const Json& prediction = doc["paths"]["/prediction"]["post"]["requestBody"]["content"]["application/json"];
  EXPECT_EQ(prediction["examples"]["record"]["value"].size(), model.schema().fields().size());
}

INSTANTIATE_TEST_SUITE_P(ShippedModels, OpenApiExamples,
                         ::testing::Values("stroke", "lung_cancer", "heart_disease", "loan_amount"));

TEST(OpenApi, PerModelRoutesTakeAnyModelsRecords) {
  RunningServer s(Repository(), OptionsModels{});
  const Json doc = Document(s);
  const Json& op = doc["paths"]["/models/{model}/predict"]["post"];
  EXPECT_EQ(op["operationId"], "predictForModel");
  EXPECT_EQ(op["parameters"][0]["name"], "model");
  EXPECT_EQ(op["parameters"][0]["in"], "path");
  EXPECT_EQ(op["parameters"][0]["example"], "stroke");  // the default model: its examples answer
  EXPECT_TRUE(op["requestBody"]["content"]["application/json"].contains("examples"));
  EXPECT_EQ(doc["paths"]["/models/{model}/versions/{version}/explain"]["post"]["operationId"], "explainForModelVersion");
  EXPECT_TRUE(doc["paths"].contains("/features/{name}/distribution"));
  EXPECT_TRUE(doc["paths"].contains("/models/{model}/aliases/{alias}"));
}

}  // namespace
}  // namespace stroke::apps
