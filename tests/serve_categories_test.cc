// stroke-serve and categories the model did not see in training: answered
// with an unknown_category warning where the bundle accepts them, refused
// (422 naming the field) per request with ?unknown_categories=refuse or for
// every request with --refuse-unknown-categories; an unseen numeric code of a
// field with known_codes is refused naming the field, the value and the codes.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <string>

#include "openapi.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using Json = nlohmann::ordered_json;

// The tiny test bundle whose "color" accepts unknown categories (code -1, as
// OneHotEncoder(handle_unknown="ignore")), plus an integer "cp" with known
// codes 1-4 (OneHotEncoder(handle_unknown="error") on numbers).
const Model& UnknownsModel() {
  static const Model* model = [] {
    Json bundle = Json::parse(testing::ReadFile(testing::TinyBundlePath()));
    bundle["inputs"][3]["unknown_category"] = -1;
    bundle["inputs"].push_back({{"name", "cp"}, {"type", "integer"}, {"known_codes", {1, 2, 3, 4}}});
    StatusOr<Model> loaded = Model::FromJson(bundle.dump());
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return new Model(std::move(*loaded));
  }();
  return *model;
}

std::string Record(const std::string& color, int cp = 2) {
  return R"({"x": 50, "n": 1, "flag": true, "color": ")" + color + R"(", "cp": )" + std::to_string(cp) + "}";
}

const char* const kRecordRoutes[] = {"/prediction", "/predict", "/predict_proba", "/explain"};

TEST(UnknownCategories, AcceptedWithAWarningByDefaultAndWithAccept) {
  RunningServer s({}, UnknownsModel());
  auto client = s.Client();
  for (const char* target : {"/predict", "/predict?unknown_categories=accept"}) {
    auto res = client.Post(target, Record("purple"), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << target << ": " << res->body;
    Json warning = Json::parse(res->body)["warnings"][0];
    EXPECT_EQ(warning["field"], "color") << target;
    EXPECT_EQ(warning["type"], "unknown_category") << target;
    EXPECT_NE(warning["message"].get<std::string>().find("purple"), std::string::npos) << target;
  }
  for (const char* route : kRecordRoutes) {
    auto res = client.Post(route, Record("purple"), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << route << ": " << res->body;
  }
}

TEST(UnknownCategories, RefusedPerRequestNamingTheField) {
  RunningServer s({}, UnknownsModel());
  auto client = s.Client();
  for (const char* route : kRecordRoutes) {
    const std::string target = std::string(route) + "?unknown_categories=refuse";
    auto refused = client.Post(target, Record("purple"), "application/json");
    ASSERT_TRUE(refused);
    ASSERT_EQ(refused->status, 422) << target << ": " << refused->body;
    Json detail = Json::parse(refused->body)["detail"][0];
    EXPECT_EQ(detail["loc"], Json::array({"body", "color"})) << target;
    EXPECT_NE(detail["msg"].get<std::string>().find("expected one of \"red\", \"green\", \"blue\", got \"purple\""),
              std::string::npos) << detail;
    auto known = client.Post(target, Record("blue"), "application/json");  // a known category still answers
    ASSERT_TRUE(known);
    EXPECT_EQ(known->status, 200) << target << ": " << known->body;
  }
  auto batch = client.Post("/predict?unknown_categories=refuse", "[" + Record("red") + "," + Record("teal") + "]",
                           "application/json");
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->status, 422);
  EXPECT_EQ(Json::parse(batch->body)["detail"][0]["loc"], Json::array({"body", 1, "color"}));
}

TEST(UnknownCategories, AnyOtherValueIs422NamingTheParameterAndTheAllowedValues) {
  RunningServer s({}, UnknownsModel());
  auto client = s.Client();
  for (const char* route : kRecordRoutes) {
    const std::string target = std::string(route) + "?unknown_categories=Refuse";
    auto res = client.Post(target, Record("blue"), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 422) << target;
    Json detail = Json::parse(res->body)["detail"][0];
    EXPECT_EQ(detail["loc"], Json::array({"query", "unknown_categories"}));
    EXPECT_EQ(detail["msg"], "expected \"accept\" or \"refuse\", got \"Refuse\"");
  }
}

TEST(UnknownCategories, TheServerFlagRefusesForEveryRequest) {
  ServeOptions options;
  options.refuse_unknown_categories = true;
  RunningServer s(options, UnknownsModel());
  auto client = s.Client();
  for (const char* target : {"/predict", "/predict?unknown_categories=accept", "/prediction"}) {
    auto res = client.Post(target, Record("purple"), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 422) << target << ": " << res->body;
    EXPECT_EQ(Json::parse(res->body)["detail"][0]["loc"], Json::array({"body", "color"}));
  }
  auto known = client.Post("/predict", Record("green"), "application/json");
  ASSERT_TRUE(known);
  EXPECT_EQ(known->status, 200);
}

TEST(UnknownCategories, AnUnseenNumericCodeNamesTheFieldTheValueAndTheCodes) {
  RunningServer s({}, UnknownsModel());
  for (const char* route : kRecordRoutes) {
    auto res = s.Client().Post(route, Record("blue", 7), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 422) << route;
    Json detail = Json::parse(res->body)["detail"][0];
    EXPECT_EQ(detail["loc"], Json::array({"body", "cp"}));
    EXPECT_EQ(detail["msg"], "expected one of 1, 2, 3, 4, got 7");
    EXPECT_EQ(detail["type"], "type_error.enum");
  }
}

TEST(UnknownCategories, FlagAndEnvironmentVariable) {
  auto none = [](const char*) -> const char* { return nullptr; };
  auto flag = ParseServeOptions({"--refuse-unknown-categories"}, none);
  ASSERT_TRUE(flag.ok());
  EXPECT_TRUE(flag->refuse_unknown_categories);
  EXPECT_FALSE(ParseServeOptions({}, none)->refuse_unknown_categories);
  auto env = [](const char* name) -> const char* {
    return std::string(name) == "STROKE_REFUSE_UNKNOWN_CATEGORIES" ? "true" : nullptr;
  };
  EXPECT_TRUE(ParseServeOptions({}, env)->refuse_unknown_categories);
}

TEST(UnknownCategories, OpenApiDescribesTheParameterAndTheKnownCodes) {
  ApiSurface api;
  for (const char* route : {"/prediction", "/predict", "/predict_proba"}) api.routes.push_back({"POST", route, false});
  Json doc = OpenApiDocument(UnknownsModel(), api, "unknowns", "1");
  for (const char* route : {"/prediction", "/predict", "/predict_proba"}) {
    Json parameter = doc["paths"][route]["post"]["parameters"][0];
    EXPECT_EQ(parameter["name"], "unknown_categories") << route;
    EXPECT_EQ(parameter["in"], "query");
    EXPECT_EQ(parameter["schema"]["enum"], Json::array({"accept", "refuse"}));
  }
  EXPECT_EQ(doc["components"]["schemas"]["Record"]["properties"]["cp"]["enum"], Json::array({1.0, 2.0, 3.0, 4.0}));
}

}  // namespace
}  // namespace stroke::apps
