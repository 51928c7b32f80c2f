// TreeSHAP: local accuracy on every bundle (contributions + expected value =
// the raw score) and equality with a brute-force Shapley sum over all feature
// subsets, with the same cover-weighted conditional expectation.
#include "stroke/explain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {


class LocalAccuracy : public ::testing::TestWithParam<std::string> {};

TEST_P(LocalAccuracy, ContributionsPlusBaseIsTheRawScore) {
  Model model = testing::LoadOrDie(GetParam());
  ExplainScratch scratch(model);
  std::vector<double> features(model.num_features()), phi(model.num_features());
  std::array<double, kMaxOutputs> raw;
  for (const GoldenRow& golden : model.golden_rows()) {
    ASSERT_TRUE(model.Prepare(golden.inputs, features).ok());
    model.ensemble().PredictRaw(features, raw);
    for (int output : model.ExplainedOutputs()) {
      double total = model.ExplainFeatures(features, output, phi, scratch);
      for (double c : phi) total += c;
      EXPECT_NEAR(total, raw[output], 1e-9 * std::max(1.0, std::fabs(raw[output]))) << "output " << output;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Bundles, LocalAccuracy, ::testing::ValuesIn(testing::AllBundlePaths()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).filename().string();
                           return name.substr(0, name.find('.'));
                         });

// f_S(x): the tree's value when the features in S are known and the others
// are averaged over the children by cover (the path-dependent expectation).
double ConditionalValue(const TreeArrays& t, double scale, const std::vector<double>& x, unsigned subset, int node = 0) {
  if (t.left[node] == -1) return scale * t.value[node];
  const int f = t.feature[node];
  if (subset & (1u << f)) {
    const bool left = static_cast<double>(static_cast<float>(x[f])) <= t.threshold[node];
    return ConditionalValue(t, scale, x, subset, left ? t.left[node] : t.right[node]);
  }
  const double l = ConditionalValue(t, scale, x, subset, t.left[node]);
  const double r = ConditionalValue(t, scale, x, subset, t.right[node]);
  return (t.cover[t.left[node]] * l + t.cover[t.right[node]] * r) / t.cover[node];
}

TEST(BruteForceShapley, EqualsTreeShapOnRandomSmallTrees) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  const int num_features = 5;
  for (int trial = 0; trial < 20; ++trial) {
    EnsembleSpec spec;
    spec.num_features = num_features;
    spec.base_margin = {0.3};
    spec.tree_scale = 0.5;
    spec.link = LinkFunction::kIdentity;
    for (int t = 0; t < 3; ++t) {  // complete depth-3 trees, features may repeat along a path
      TreeArrays tree;
      for (int i = 0; i < 15; ++i) {
        const bool leaf = i >= 7;
        tree.feature.push_back(leaf ? -2 : static_cast<int>(rng() % num_features));
        tree.threshold.push_back(unit(rng));
        tree.left.push_back(leaf ? -1 : 2 * i + 1);
        tree.right.push_back(leaf ? -1 : 2 * i + 2);
        tree.value.push_back(leaf ? unit(rng) * 4 - 2 : 0);
        tree.missing_left.push_back(0);
      }
      tree.cover.assign(15, 0);
      for (int i = 14; i >= 0; --i) {
        tree.cover[i] = i >= 7 ? 1 + std::floor(unit(rng) * 20) : tree.cover[2 * i + 1] + tree.cover[2 * i + 2];
      }
      spec.trees.push_back(tree);
    }
    StatusOr<Ensemble> ensemble = Ensemble::Create(spec);
    ASSERT_TRUE(ensemble.ok()) << ensemble.status().ToString();
    std::vector<double> x(num_features);
    for (double& v : x) v = unit(rng);
    ShapScratch scratch(*ensemble);
    std::vector<double> phi(num_features);
    ensemble->Shap(x, 0, phi, scratch);
    // Shapley: sum over subsets S not containing i of |S|!(M-|S|-1)!/M! (f(S+i) - f(S)).
    auto f = [&](unsigned subset) {
      double total = 0;
      for (const TreeArrays& t : spec.trees) total += ConditionalValue(t, spec.tree_scale, x, subset);
      return total;
    };
    for (int i = 0; i < num_features; ++i) {
      double expected = 0;
      for (unsigned s = 0; s < (1u << num_features); ++s) {
        if (s & (1u << i)) continue;
        const int size = __builtin_popcount(s);
        const double weight = std::tgamma(size + 1) * std::tgamma(num_features - size) / std::tgamma(num_features + 1);
        expected += weight * (f(s | (1u << i)) - f(s));
      }
      EXPECT_NEAR(phi[i], expected, 1e-12) << "trial " << trial << " feature " << i;
    }
    EXPECT_NEAR(ensemble->ExpectedValue(0), spec.base_margin[0] + f(0), 1e-12);
  }
}

TEST(GroupByInput, OneHotColumnsSumIntoTheirInputDerivedFeaturesStandAlone) {
  Model lung = testing::LoadOrDie(testing::ShippedBundlePath("lung_cancer"));
  std::vector<double> ones(lung.num_features(), 1.0);
  std::vector<InputContribution> groups = GroupByInput(lung, ones);
  ASSERT_EQ(groups.size(), 14u + 12u);  // 14 inputs; 12 derived features read several inputs
  auto find = [&](const std::string& name) {
    return *std::find_if(groups.begin(), groups.end(), [&](const InputContribution& g) { return g.name == name; });
  };
  EXPECT_EQ(find("AGE").value, 3.0);  // AGE, AGE_GROUP and AGE_SQUARED read only AGE
  EXPECT_FALSE(find("AGE").derived);
  EXPECT_TRUE(find("SMOKING_x_AGE").derived);
  Model stroke = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  std::vector<double> stroke_ones(stroke.num_features(), 1.0);
  auto stroke_groups = GroupByInput(stroke, stroke_ones);
  EXPECT_EQ(stroke_groups.size(), 10u);
  for (const auto& g : stroke_groups) {
    if (g.name == "work_type") {
      EXPECT_EQ(g.value, 5.0);  // its five one-hot columns
    }
  }
}

TEST(Explain, RecordLevelApiGivesOneExplanationPerClass) {
  Model heart = testing::LoadOrDie(testing::ShippedBundlePath("heart_disease"));
  auto explanations = heart.Explain(heart.golden_rows()[0].inputs);
  ASSERT_TRUE(explanations.ok()) << explanations.status().ToString();
  ASSERT_EQ(explanations->size(), 5u);
  EXPECT_EQ((*explanations)[3].label, "3");
  Model stroke = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  auto one = stroke.Explain(testing::RecordOrDie(testing::kSamplePatient));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  auto answer = stroke.Predict(testing::RecordOrDie(testing::kSamplePatient));
  EXPECT_NEAR((*one)[0].raw_score, answer->raw_margin, 1e-12);
}

}  // namespace
}  // namespace stroke
