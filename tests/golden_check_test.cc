// stroke/golden_check.h: every shipped bundle answers its golden rows (the
// training library's answers) within GoldenTolerance; a bundle whose recorded
// answer is off by one ulp, or names another class, is refused naming the row.
#include "stroke/golden_check.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "test_util.h"

namespace stroke {
namespace {

TEST(CheckGoldenRows, EveryShippedBundlePasses) {
  for (const std::string& path : testing::AllBundlePaths()) {
    const Model model = testing::LoadOrDie(path);
    StatusOr<size_t> checked = CheckGoldenRows(model);
    ASSERT_TRUE(checked.ok()) << path << ": " << checked.status().ToString();
    EXPECT_EQ(*checked, model.golden_rows().size()) << path;
  }
}

TEST(CheckGoldenRows, ToleranceIsZeroButForMulticlassSoftmax) {
  EXPECT_EQ(GoldenTolerance(testing::LoadOrDie(testing::ShippedBundlePath("stroke"))), 0.0);
  EXPECT_EQ(GoldenTolerance(testing::LoadOrDie(testing::ShippedBundlePath("loan_amount"))), 0.0);
  EXPECT_EQ(GoldenTolerance(testing::LoadOrDie(testing::ShippedBundlePath("heart_disease"))), 1e-14);
}

// The stroke bundle with golden row `row`'s `key` changed by `change`.
Model Tampered(size_t row, const std::string& key, double change) {
  nlohmann::json bundle = nlohmann::json::parse(testing::ReadFile(testing::ShippedBundlePath("stroke")));
  nlohmann::json& value = bundle["golden"][row][key];
  value = key == "prediction" ? nlohmann::json(1 - value.get<int>()) : nlohmann::json(value.get<double>() + change);
  StatusOr<Model> model = Model::FromJson(bundle.dump());
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *model : Model();
}

TEST(CheckGoldenRows, OneUlpOffIsRefusedNamingTheRow) {
  nlohmann::json bundle = nlohmann::json::parse(testing::ReadFile(testing::ShippedBundlePath("stroke")));
  const double p = bundle["golden"][1]["probability"].get<double>();
  StatusOr<size_t> checked = CheckGoldenRows(Tampered(1, "probability", std::nextafter(p, 2.0) - p));
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().code(), StatusCode::kCorruptBundle);
  EXPECT_NE(checked.status().message().find("golden[1]: probability"), std::string::npos) << checked.status().message();
}

TEST(CheckGoldenRows, AnotherClassIsRefused) {
  StatusOr<size_t> checked = CheckGoldenRows(Tampered(0, "prediction", 0));
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.status().message().find("golden[0]: class"), std::string::npos) << checked.status().message();
}

}  // namespace
}  // namespace stroke
