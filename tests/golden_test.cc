// Golden parity: every golden row of every shipped bundle gives the
// probability the training library computed, to 1e-12, and the same class.
#include <gtest/gtest.h>

#include <cmath>

#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {

class GoldenParity : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenParity, EveryGoldenRowMatchesTheTrainingLibrary) {
  const std::string path = GetParam() == "tiny" ? testing::TinyBundlePath() : testing::ShippedBundlePath(GetParam());
  Model model = testing::LoadOrDie(path);
  ASSERT_GE(model.golden_rows().size(), 2u) << "a shipped bundle must carry golden rows";
  for (size_t i = 0; i < model.golden_rows().size(); ++i) {
    const GoldenRow& golden = model.golden_rows()[i];
    StatusOr<RecordPrediction> answer = model.Predict(golden.inputs);
    ASSERT_TRUE(answer.ok()) << "golden[" << i << "]: " << answer.status().ToString();
    EXPECT_LE(std::fabs(answer->probability - golden.probability), 1e-12) << "golden[" << i << "]";
    EXPECT_LE(std::fabs(answer->raw_margin - golden.raw_margin), 1e-12) << "golden[" << i << "]";
    EXPECT_EQ(answer->prediction, golden.prediction) << "golden[" << i << "]";
  }
}

TEST_P(GoldenParity, BatchAgreesWithSingleRows) {
  const std::string path = GetParam() == "tiny" ? testing::TinyBundlePath() : testing::ShippedBundlePath(GetParam());
  Model model = testing::LoadOrDie(path);
  const size_t n = model.golden_rows().size();
  const size_t width = model.num_features();
  std::vector<float> rows(n * width);
  for (size_t i = 0; i < n; ++i) {
    CheckResult check = model.Prepare(model.golden_rows()[i].inputs, std::span<float>(rows).subspan(i * width, width));
    ASSERT_TRUE(check.ok()) << check.ToStatus().ToString();
  }
  std::vector<Prediction> batch(n);
  model.PredictFeaturesBatch(rows, batch);
  for (size_t i = 0; i < n; ++i) {
    const Prediction single = model.PredictFeatures(std::span<const float>(rows).subspan(i * width, width));
    EXPECT_EQ(batch[i].raw_margin, single.raw_margin) << "row " << i;
    EXPECT_EQ(batch[i].prediction, single.prediction) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Bundles, GoldenParity, ::testing::Values("stroke", "lung_cancer", "tiny"));

}  // namespace
}  // namespace stroke
