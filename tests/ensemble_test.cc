#include "stroke/ensemble.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <span>

namespace stroke {
namespace {

// One split on feature 0 at `threshold`: left leaf -1, right leaf +1.
TreeArrays Stump(double threshold, uint8_t missing_left = 0) {
  return TreeArrays{{0, -2, -2}, {threshold, -2, -2}, {1, -1, -1}, {2, -1, -1},
                    {0, -1, 1},  {2, 1, 1},          {missing_left, 0, 0}};
}

Ensemble Make(std::vector<TreeArrays> trees, double base = 0, double scale = 1,
              SplitRule rule = SplitRule::kLessEqualFloat32, bool handles_missing = false) {
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.handles_missing = handles_missing;
  spec.base_margin = {base};
  spec.split_rule = rule;
  spec.tree_scale = scale;
  spec.trees = std::move(trees);
  StatusOr<Ensemble> e = Ensemble::Create(std::move(spec));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : Ensemble();
}

double Raw(const Ensemble& e, double x) {
  std::array<double, kMaxOutputs> raw;
  e.PredictRaw(std::span<const double>(&x, 1), raw);
  return raw[0];
}

double Link(const Ensemble& e, double raw) {
  std::array<double, kMaxOutputs> out;
  e.Link(std::span<const double>(&raw, 1), out);
  return out[0];
}

TEST(Ensemble, GoesLeftWhenEqualToThreshold) {
  Ensemble e = Make({Stump(2.5)});
  EXPECT_EQ(Raw(e, 2.5), -1);
  EXPECT_EQ(Raw(e, std::nextafter(2.5f, 3.0f)), 1);
}

TEST(Ensemble, Float32RuleCastsTheInputFirst) {
  // scikit-learn compares float32(x) with a float64 threshold: the double
  // 0.1 becomes 0.100000001490116..., above the threshold 0.1, so it goes right.
  EXPECT_EQ(Raw(Make({Stump(0.1)}), 0.1), 1);
  EXPECT_EQ(Raw(Make({Stump(static_cast<double>(0.1f))}), 0.1), -1);
  // HistGradientBoosting compares the float64 value itself.
  EXPECT_EQ(Raw(Make({Stump(0.1)}, 0, 1, SplitRule::kLessEqualFloat64), 0.1), -1);
}

TEST(Ensemble, StrictFloat32RuleSendsTheThresholdRight) {
  // XGBoost: float32(x) < t goes left; x == t goes right.
  Ensemble e = Make({Stump(0.5)}, 0, 1, SplitRule::kLessFloat32);
  EXPECT_EQ(Raw(e, 0.5), 1);
  EXPECT_EQ(Raw(e, 0.49999), -1);
}

TEST(Ensemble, SumsBaseAndScaledLeavesInTreeOrder) {
  Ensemble e = Make({Stump(0), Stump(10), Stump(20)}, 0.25, 0.1);
  // x = 15: right (+1), right (+1), left (-1): the same sequence of float64 ops.
  double expected = 0.25;
  for (double leaf : {1.0, 1.0, -1.0}) expected += 0.1 * leaf;
  EXPECT_EQ(Raw(e, 15), expected);
  EXPECT_DOUBLE_EQ(Link(e, 0), 0.5);
}

TEST(Ensemble, MissingValueFollowsTheRecordedDirection) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Raw(Make({Stump(0, 1)}, 0, 1, SplitRule::kLessEqualFloat64, true), nan), -1);
  EXPECT_EQ(Raw(Make({Stump(0, 0)}, 0, 1, SplitRule::kLessEqualFloat64, true), nan), 1);
}

TEST(Ensemble, MeanAggregationAveragesLeafVectors) {
  // A two-class forest: each leaf holds class probabilities.
  TreeArrays a{{0, -2, -2}, {0, -2, -2}, {1, -1, -1}, {2, -1, -1}, {0, 0, 1, 0, 0.25, 0.75}, {2, 1, 1}, {0, 0, 0}};
  TreeArrays b{{-2}, {-2}, {-1}, {-1}, {0.5, 0.5}, {2}, {0}};
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.num_outputs = 2;
  spec.leaf_width = 2;
  spec.base_margin = {0, 0};
  spec.aggregation = Aggregation::kMean;
  spec.link = LinkFunction::kIdentity;
  spec.trees = {a, b};
  StatusOr<Ensemble> e = Ensemble::Create(spec);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  std::array<double, kMaxOutputs> raw;
  const double x = 1;
  e->PredictRaw(std::span<const double>(&x, 1), raw);
  EXPECT_EQ(raw[0], (0.25 + 0.5) / 2);
  EXPECT_EQ(raw[1], (0.75 + 0.5) / 2);
}

// Three classes, one stump each (class 2's leaves 2 and 3), base margins
// 0.1, 0.2, 0.3: at x = 1 the raw outputs are 1.1, 1.2 and 3.3.
EnsembleSpec ThreeClassStumps(LinkFunction link) {
  TreeArrays t0 = Stump(0), t1 = Stump(0), t2 = Stump(0);
  t1.output = 1;
  t2.output = 2;
  t2.value = {0, 2, 3};
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.num_outputs = 3;
  spec.base_margin = {0.1, 0.2, 0.3};
  spec.link = link;
  spec.trees = {t0, t1, t2};
  return spec;
}

TEST(Ensemble, PerClassTreesAndSoftmax) {
  StatusOr<Ensemble> e = Ensemble::Create(ThreeClassStumps(LinkFunction::kSoftmax));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  std::array<double, kMaxOutputs> raw, p;
  const double x = 1;
  e->PredictRaw(std::span<const double>(&x, 1), raw);
  EXPECT_EQ(raw[0], 1.1);
  EXPECT_EQ(raw[2], 3.3);
  e->Link(raw, p);
  const double z = std::exp(1.1 - 3.3) + std::exp(1.2 - 3.3) + 1.0;
  EXPECT_NEAR(p[2], 1.0 / z, 1e-15);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-15);
}

// GradientBoostingClassifier's exp(raw - logsumexp(raw)): the same
// probabilities as exp(raw - max) / sum up to rounding, computed the other
// way (bit-for-bit parity with scikit-learn: python_export/tests/test_softmax_exactness.py).
TEST(Ensemble, LogSumExpSoftmaxIsTheLogSumExpFormula) {
  EnsembleSpec spec = ThreeClassStumps(LinkFunction::kSoftmaxLogSumExp);
  StatusOr<Ensemble> e = Ensemble::Create(spec);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const std::array<double, 3> raw = {1.1, 1.2, 3.3};
  std::array<double, kMaxOutputs> p;
  e->Link(raw, p);
  const double log_sum_exp = std::log((std::exp(1.1 - 3.3) + std::exp(1.2 - 3.3)) + std::exp(0.0)) + 3.3;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p[i], std::exp(raw[i] - log_sum_exp)) << i;

  spec.precision = Precision::kFloat32;
  StatusOr<Ensemble> f32 = Ensemble::Create(spec);
  ASSERT_FALSE(f32.ok());
  EXPECT_NE(f32.status().message().find("softmax_logsumexp"), std::string::npos) << f32.status().ToString();
}

TEST(Ensemble, CategoricalSplitsUseBitsetsAndTreatUnknownAsMissing) {
  TreeArrays t = Stump(0, /*missing_left=*/1);
  t.categorical = {1, 0, 0};
  t.left_categories = {{1, 3}, {}, {}};
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.split_rule = SplitRule::kLessEqualFloat64;
  spec.handles_missing = true;
  spec.known_categories = {{0, {0, 1, 2, 3}}};
  spec.link = LinkFunction::kIdentity;
  spec.trees = {t};
  StatusOr<Ensemble> e = Ensemble::Create(spec);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(Raw(*e, 1), -1);  // listed: left
  EXPECT_EQ(Raw(*e, 3), -1);
  EXPECT_EQ(Raw(*e, 2), 1);   // known, not listed: right
  EXPECT_EQ(Raw(*e, 7), -1);  // unknown: the missing direction (left)
  EXPECT_EQ(Raw(*e, -1), -1);
}

struct CorruptTree {
  const char* name;
  TreeArrays tree;
  const char* message;
};

void PrintTo(const CorruptTree& c, std::ostream* os) { *os << c.name; }

class EnsembleCreateErrors : public ::testing::TestWithParam<CorruptTree> {};

TEST_P(EnsembleCreateErrors, NamesTheNodeAndProblem) {
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.trees = {Stump(1), GetParam().tree};
  StatusOr<Ensemble> e = Ensemble::Create(spec);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorruptBundle);
  EXPECT_NE(e.status().message().find(GetParam().message), std::string::npos) << e.status().message();
}

TreeArrays With(void (*change)(TreeArrays*)) {
  TreeArrays t = Stump(1);
  change(&t);
  return t;
}

INSTANTIATE_TEST_SUITE_P(
    Table, EnsembleCreateErrors,
    ::testing::Values(
        CorruptTree{"ChildOutOfRange", With([](TreeArrays* t) { t->left[0] = 7; }),
                    "trees[1].left[0]: child 7 out of range [0, 3)"},
        CorruptTree{"Cycle", With([](TreeArrays* t) { t->right[0] = 0; }), "trees[1].right[0]: node 0 is reached twice"},
        CorruptTree{"Shared", With([](TreeArrays* t) { t->right[0] = 1; }), "node 1 is reached twice"},
        CorruptTree{"HalfLeaf", With([](TreeArrays* t) { t->right[0] = -1; }), "trees[1].right[0]: child -1 out of range"},
        CorruptTree{"Orphan",
                    TreeArrays{{-2, -2}, {0, 0}, {-1, -1}, {-1, -1}, {0, 0}, {1, 1}, {0, 0}},
                    "trees[1]: node 1 is not reachable"},
        CorruptTree{"FeatureOutOfRange", With([](TreeArrays* t) { t->feature[0] = 3; }),
                    "trees[1].feature[0]: feature index 3 out of range [0, 1)"},
        CorruptTree{"NaNThreshold", With([](TreeArrays* t) { t->threshold[0] = NAN; }),
                    "trees[1].threshold[0]: NaN threshold"},
        CorruptTree{"InfiniteValue", With([](TreeArrays* t) { t->value[2] = INFINITY; }),
                    "trees[1].value[2]: not a finite number"},
        CorruptTree{"UnequalArrays", With([](TreeArrays* t) { t->cover.pop_back(); }),
                    "trees[1].cover: has 2 entries, \"left\" has 3"},
        CorruptTree{"Empty", TreeArrays{}, "trees[1].left: a tree needs at least one node"},
        CorruptTree{"CategoricalWithoutKnownCategories",
                    With([](TreeArrays* t) {
                      t->categorical = {1, 0, 0};
                      t->left_categories = {{1}, {}, {}};
                    }),
                    "trees[1].categorical[0]: feature 0 has no \"known_categories\""},
        CorruptTree{"CategoricalArraysTooShort",
                    With([](TreeArrays* t) {
                      t->categorical = {1, 0};
                      t->left_categories = {{1}, {}};
                    }),
                    "trees[1].categorical: \"categorical\" and \"left_categories\" need one entry per node"},
        CorruptTree{"BadMissingFlag", With([](TreeArrays* t) { t->missing_left[0] = 2; }),
                    "trees[1].missing_left[0]: must be 0 or 1"}),
    [](const ::testing::TestParamInfo<CorruptTree>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace stroke
