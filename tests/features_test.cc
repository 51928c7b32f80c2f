#include "stroke/features.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {

using Json = nlohmann::ordered_json;
using testing::LoadOrDie;
using testing::ReadFile;
using testing::RecordOrDie;

// Prepares `record` with `model` and returns feature name -> value.
std::map<std::string, double> Features(const Model& model, const std::string& record) {
  std::vector<double> out(model.num_features());
  CheckResult check = model.Prepare(RecordOrDie(record), out);
  EXPECT_TRUE(check.ok()) << check.ToStatus().ToString();
  std::map<std::string, double> named;
  for (size_t i = 0; i < out.size(); ++i) named[model.program().feature_names()[i]] = out[i];
  return named;
}

// The tiny test bundle with its last feature's expression replaced by `expr`.
StatusOr<Model> TinyWithExpression(const Json& expr) {
  Json bundle = Json::parse(ReadFile(testing::TinyBundlePath()));
  bundle["features"][3]["expr"] = expr;
  return Model::FromJson(bundle.dump());
}

struct OpCase {
  const char* expr;
  double expected;  // with x = 7, n = 2, flag = true, color = blue
};

class FeatureOps : public ::testing::TestWithParam<OpCase> {};

TEST_P(FeatureOps, EvaluatesLikeThePythonTwin) {
  StatusOr<Model> model = TinyWithExpression(Json::parse(GetParam().expr));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto features = Features(*model, R"({"x": 7, "n": 2, "flag": true, "color": "blue"})");
  EXPECT_EQ(features["x_over_n"], GetParam().expected) << GetParam().expr;
}

INSTANTIATE_TEST_SUITE_P(
    Table, FeatureOps,
    ::testing::Values(OpCase{R"(["add", 1, 2, 3])", 6}, OpCase{R"(["sub", ["input", "x"], 10])", -3},
                      OpCase{R"(["mul", ["input", "x"], ["input", "n"]])", 14},
                      OpCase{R"(["div", ["input", "x"], ["input", "n"]])", 3.5},
                      OpCase{R"(["div", 1, 3])", 1.0 / 3.0}, OpCase{R"(["min", 3, 1, 2])", 1},
                      OpCase{R"(["max", 3, 1, 2])", 3}, OpCase{R"(["and", 1, 0])", 0},
                      OpCase{R"(["and", 2, ["input", "flag"]])", 1}, OpCase{R"(["or", 0, 2])", 1},
                      OpCase{R"(["eq", ["input", "n"], 2])", 1}, OpCase{R"(["ne", ["input", "n"], 2])", 0},
                      OpCase{R"(["lt", 1, 2])", 1}, OpCase{R"(["le", 2, 2])", 1},
                      OpCase{R"(["gt", 2, 2])", 0}, OpCase{R"(["ge", 2, 2])", 1},
                      OpCase{R"(["not", 0])", 1}, OpCase{R"(["neg", ["input", "x"]])", -7},
                      OpCase{R"(["clip", ["input", "x"], 0, 3])", 3},
                      OpCase{R"(["bucket", ["input", "x"], [0, 5, 7, 10]])", 2},
                      OpCase{R"(["ordinal", "color"])", 2}, OpCase{R"(["onehot", "color", "blue"])", 1},
                      OpCase{R"(["feature", "color_red"])", 0}, OpCase{"2.5", 2.5},
                      OpCase{R"(["missing", ["input", "x"]])", 0}, OpCase{R"(["missing", ["div", 0, 0]])", 1},
                      OpCase{R"(["coalesce", ["input", "x"], 4])", 7},
                      OpCase{R"(["coalesce", ["div", 0, 0], ["div", 0, 0], 4, 5])", 4}));

// The tiny bundle with "n" nullable without impute (a null passes on as NaN)
// and its last feature's expression replaced by `expr`; its trees cannot take
// missing values, so it loads only where no feature can become NaN from n.
StatusOr<Model> TinyWithMissingN(const std::string& expr) {
  Json bundle = Json::parse(ReadFile(testing::TinyBundlePath()));
  bundle["inputs"][1].erase("impute");
  bundle["features"][3]["expr"] = Json::parse(expr);
  return Model::FromJson(bundle.dump());
}

TEST(FeatureProgram, ANullWithoutImputeLoadsWhereNoFeatureCanBecomeMissing) {
  const std::pair<const char*, double> stopped[] = {  // the feature's value when n is null
      {R"(["missing", ["input", "n"]])", 1}, {R"(["coalesce", ["input", "n"], -1])", -1},
      {R"(["eq", ["input", "n"], 2])", 0}, {R"(["add", ["ne", ["input", "n"], 2], 1])", 2},
      {R"(["coalesce", ["mul", ["input", "n"], 2], ["input", "x"]])", 7}};
  for (const auto& [expr, value] : stopped) {
    StatusOr<Model> model = TinyWithMissingN(expr);
    ASSERT_TRUE(model.ok()) << expr << ": " << model.status().ToString();
    EXPECT_EQ(Features(*model, R"({"x": 7, "n": null, "flag": true, "color": "blue"})")["x_over_n"], value) << expr;
  }
  for (const char* expr : {R"(["input", "n"])", R"(["add", ["missing", ["input", "n"]], ["input", "n"]])",
                           R"(["coalesce", ["input", "n"], ["neg", ["input", "n"]]])",
                           R"(["bucket", ["clip", ["input", "n"], 0, 9], [1, 2]])"}) {
    StatusOr<Model> model = TinyWithMissingN(expr);
    ASSERT_FALSE(model.ok()) << expr;
    EXPECT_NE(model.status().message().find("inputs[1]: \"impute\" is required"), std::string::npos)
        << model.status().message();
    EXPECT_NE(model.status().message().find("feature \"x_over_n\" missing"), std::string::npos)
        << model.status().message();
  }
}

TEST(FeatureProgram, NonFiniteFeatureIsAnErrorNamingIt) {
  StatusOr<Model> model = TinyWithExpression(Json::parse(R"(["div", 1, ["sub", ["input", "n"], 2]])"));
  ASSERT_TRUE(model.ok());
  std::vector<double> out(model->num_features());
  CheckResult check = model->Prepare(RecordOrDie(R"({"x": 7, "n": 2, "flag": true, "color": "blue"})"), out);
  ASSERT_FALSE(check.ok());
  EXPECT_STREQ(IssueKindName(check.errors[0].kind), "feature_not_finite");
  EXPECT_NE(check.errors[0].message.find("x_over_n"), std::string::npos) << check.errors[0].message;
}

// Evaluate's cheap check (|value| <= the domain's largest) against the
// exact rules at their edges: a float32 domain takes what rounds to a finite
// float32, NaN only where missing values are allowed, never an infinity -
// for a feature that is an input itself ("x") and for one computed
// ("x_over_n" = x / (n + 1), n = 0 here); a one-hot column is 0 or 1 whatever its input.
TEST(FeatureProgram, ChecksFeaturesAtTheFloat32AndFloat64Edges) {
  Model model = LoadOrDie(testing::TinyBundlePath());
  const FeatureProgram& program = model.program();
  const double flt_max = std::numeric_limits<float>::max();
  const double midpoint = 0x1.ffffffp127;  // halfway from FLT_MAX to 2^128: rounds to infinity
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    double x;
    FeatureDomain domain;
    bool ok;
  };
  const FeatureDomain f32{false, true}, f32_missing{true, true}, f64{false, false}, f64_missing{true, false};
  const Case cases[] = {
      {flt_max, f32, true},           {-flt_max, f32, true},
      {std::nextafter(flt_max, inf), f32, true},  // rounds down to FLT_MAX
      {std::nextafter(midpoint, 0.0), f32, true}, {midpoint, f32, false},
      {-midpoint, f32, false},        {1e300, f32, false},
      {inf, f32, false},              {nan, f32, false},
      {nan, f32_missing, true},       {inf, f32_missing, false},
      {1e300, f64, true},             {-std::numeric_limits<double>::max(), f64, true},
      {inf, f64, false},              {-inf, f64, false},
      {nan, f64, false},              {nan, f64_missing, true},
  };
  for (const Case& c : cases) {
    const std::vector<double> inputs = {c.x, 0, 1, 2};  // x, n, flag, color = blue
    std::vector<double> out(program.num_features(), -1);
    const Status status = program.Evaluate(inputs, out, c.domain);
    EXPECT_EQ(status.ok(), c.ok) << c.x << " float32=" << c.domain.float32 << " missing=" << c.domain.allow_missing
                                 << ": " << status.ToString();
    if (!c.ok) {
      EXPECT_NE(status.message().find("feature \"x\""), std::string::npos) << status.message();  // the first that fails
      continue;
    }
    EXPECT_EQ(std::memcmp(&out[0], &c.x, sizeof(double)), 0);  // the input itself, NaN's bits included
    EXPECT_EQ(out[1], 1.0);
    EXPECT_EQ(out[2], 0.0);  // color_red, color = blue
    EXPECT_EQ(std::memcmp(&out[3], &c.x, sizeof(double)), 0);  // x / (0 + 1)
  }
  // A one-hot column of a NaN, or of each category.
  for (const double color : {0.0, 1.0, 2.0, nan}) {
    std::vector<double> out(program.num_features());
    ASSERT_TRUE(program.Evaluate(std::vector<double>{1, 0, 0, color}, out, f32).ok());
    EXPECT_EQ(out[2], color == 0.0 ? 1.0 : 0.0) << color;
  }
  // The computed feature fails alone, after the input before it passed, naming itself.
  std::vector<double> out(program.num_features());
  const Status status = program.Evaluate(std::vector<double>{1, -1, 0, 0}, out, f64);  // 1 / (-1 + 1)
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("feature \"x_over_n\" evaluates to a value that is not a finite number"),
            std::string::npos)
      << status.message();
}

TEST(FeatureProgram, ComputesInFloat64) {
  Model model = LoadOrDie(testing::TinyBundlePath());
  auto features = Features(model, R"({"x": 0.1, "n": 2, "flag": true, "color": "red"})");
  EXPECT_EQ(features["x"], 0.1);
  EXPECT_EQ(features["x_over_n"], 0.1 / 3.0);
  EXPECT_EQ(features["color_red"], 1.0f);
}

TEST(FeatureProgram, RecordsWhichInputsEachFeatureReads) {
  Model model = LoadOrDie(testing::TinyBundlePath());
  EXPECT_EQ(model.program().feature_inputs(3), (std::vector<int>{0, 1}));  // x, n
}

// ---- the lung-cancer model's 14 derived features (shared/reference/seed-systems.md)

std::string LungRecord(int age, int answer) {
  std::string json = R"({"AGE": )" + std::to_string(age);
  for (const char* name : {"GENDER", "SMOKING", "ALCOHOL CONSUMING", "PEER_PRESSURE", "YELLOW_FINGERS",
                           "ANXIETY", "FATIGUE", "ALLERGY", "WHEEZING", "COUGHING", "SHORTNESS OF BREATH",
                           "SWALLOWING DIFFICULTY", "CHEST PAIN"}) {
    json += std::string(R"(, ")") + name + R"(": )" + std::to_string(answer);
  }
  return json + "}";
}

TEST(LungFeatures, AllZeros) {
  Model model = LoadOrDie(testing::ShippedBundlePath("lung_cancer"));
  ASSERT_EQ(model.num_features(), 28u);
  auto f = Features(model, LungRecord(0, 0));
  for (const auto& [name, value] : f) EXPECT_EQ(value, 0.0) << name;
}

TEST(LungFeatures, AllOnes) {
  Model model = LoadOrDie(testing::ShippedBundlePath("lung_cancer"));
  auto f = Features(model, LungRecord(120, 1));
  const std::map<std::string, double> expected = {
      {"SMOKING_x_AGE", 120}, {"SMOKING_x_ALCOHOL", 1}, {"RESPIRATORY_SYMPTOMS", 3},
      {"TOTAL_SYMPTOMS", 9}, {"BEHAVIORAL_RISK_SCORE", 3}, {"SEVERE_SYMPTOMS", 3},
      {"AGE_GROUP", 3}, {"HIGH_RISK_PROFILE", 1}, {"AGE_SQUARED", 14400}, {"CANCER_TRIAD", 1},
      {"SMOKER_WITH_RESP_SYMPTOMS", 1}, {"ADVANCED_SYMPTOMS", 1},
      {"SYMPTOMS_PER_AGE", 9.0 / 121.0}, {"RESP_SYMPTOM_RATIO", 3.0 / 10.0}};
  for (const auto& [name, value] : expected) EXPECT_EQ(f.at(name), value) << name;
}

TEST(LungFeatures, AgeGroupEdges) {
  Model model = LoadOrDie(testing::ShippedBundlePath("lung_cancer"));
  const std::pair<int, double> cases[] = {{0, 0},  {25, 0}, {50, 0}, {55, 1}, {60, 1},
                                         {65, 2}, {70, 2}, {75, 3}, {120, 3}};
  for (const auto& [age, group] : cases) {
    EXPECT_EQ(Features(model, LungRecord(age, 0)).at("AGE_GROUP"), group) << "AGE " << age;
  }
}

}  // namespace
}  // namespace stroke
