// Golden parity: every golden row of every bundle in models/ (and the test
// bundle) gives what the training library computed: probabilities to 1e-12,
// regression values to a relative 1e-12, the same class.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <span>

#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {


std::string BundleName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).filename().string();
  name = name.substr(0, name.find('.'));
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

class GoldenParity : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenParity, EveryGoldenRowMatchesTheTrainingLibrary) {
  Model model = testing::LoadOrDie(GetParam());
  ASSERT_GE(model.golden_rows().size(), 2u) << "a shipped bundle must carry golden rows";
  for (size_t i = 0; i < model.golden_rows().size(); ++i) {
    const GoldenRow& golden = model.golden_rows()[i];
    StatusOr<RecordPrediction> answer = model.Predict(golden.inputs);
    ASSERT_TRUE(answer.ok()) << "golden[" << i << "]: " << answer.status().ToString();
    switch (model.task()) {
      case Task::kRegression:
        EXPECT_LE(std::fabs(answer->value - golden.value), 1e-12 * std::max(1.0, std::fabs(golden.value)))
            << "golden[" << i << "]";
        break;
      case Task::kBinaryClassification:
        EXPECT_LE(std::fabs(answer->probability - golden.probability), 1e-12) << "golden[" << i << "]";
        EXPECT_EQ(answer->prediction, golden.prediction) << "golden[" << i << "]";
        break;
      case Task::kMulticlassClassification:
        ASSERT_EQ(golden.probabilities.size(), static_cast<size_t>(answer->num_classes));
        for (int k = 0; k < answer->num_classes; ++k) {
          EXPECT_LE(std::fabs(answer->probabilities[k] - golden.probabilities[k]), 1e-12)
              << "golden[" << i << "] class " << k;
        }
        EXPECT_EQ(answer->prediction, golden.prediction) << "golden[" << i << "]";
        break;
    }
  }
}

TEST_P(GoldenParity, BatchAgreesWithSingleRows) {
  Model model = testing::LoadOrDie(GetParam());
  const size_t n = model.golden_rows().size();
  const size_t width = model.num_features();
  std::vector<double> rows(n * width);
  for (size_t i = 0; i < n; ++i) {
    CheckResult check = model.Prepare(model.golden_rows()[i].inputs, std::span<double>(rows).subspan(i * width, width));
    ASSERT_TRUE(check.ok()) << check.ToStatus().ToString();
  }
  std::vector<Prediction> batch(n);
  model.PredictFeaturesBatch(rows, batch);
  for (size_t i = 0; i < n; ++i) {
    const Prediction single = model.PredictFeatures(std::span<const double>(rows).subspan(i * width, width));
    EXPECT_EQ(batch[i].value, single.value) << "row " << i;
    EXPECT_EQ(batch[i].prediction, single.prediction) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Bundles, GoldenParity, ::testing::ValuesIn(testing::AllBundlePaths()), BundleName);

}  // namespace
}  // namespace stroke
