#include "stroke/ensemble.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace stroke {
namespace {

// One split on feature 0 at `threshold`: left leaf -1, right leaf +1.
TreeArrays Stump(double threshold, uint8_t missing_left = 0) {
  return TreeArrays{{0, -2, -2}, {threshold, -2, -2}, {1, -1, -1}, {2, -1, -1},
                    {0, -1, 1},  {2, 1, 1},          {missing_left, 0, 0}};
}

Ensemble Make(std::vector<TreeArrays> trees, double base = 0, double scale = 1) {
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.base_margin = base;
  spec.tree_scale = scale;
  spec.trees = std::move(trees);
  StatusOr<Ensemble> e = Ensemble::Create(std::move(spec));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : Ensemble();
}

double Raw(const Ensemble& e, float x) { return e.PredictRaw(std::span<const float>(&x, 1)); }

TEST(Ensemble, GoesLeftWhenEqualToThreshold) {
  Ensemble e = Make({Stump(2.5)});
  EXPECT_EQ(Raw(e, 2.5f), -1);
  EXPECT_EQ(Raw(e, std::nextafter(2.5f, 3.0f)), 1);
}

TEST(Ensemble, ComparesTheFloat32InputWithTheFloat64Threshold) {
  // scikit-learn thresholds are float64 midpoints between float32 values:
  // 0.1f is 0.100000001490116..., above the double 0.1, so it goes right.
  Ensemble e = Make({Stump(0.1)});
  EXPECT_EQ(Raw(e, 0.1f), 1);
  Ensemble e2 = Make({Stump(static_cast<double>(0.1f))});
  EXPECT_EQ(Raw(e2, 0.1f), -1);
}

TEST(Ensemble, SumsBaseAndScaledLeavesInTreeOrder) {
  Ensemble e = Make({Stump(0), Stump(10), Stump(20)}, 0.25, 0.1);
  // x = 15: right (+1), right (+1), left (-1): the same sequence of float64 ops.
  double expected = 0.25;
  for (double leaf : {1.0, 1.0, -1.0}) expected += 0.1 * leaf;
  EXPECT_EQ(Raw(e, 15), expected);
  EXPECT_DOUBLE_EQ(e.Link(0), 0.5);
}

TEST(Ensemble, MissingValueFollowsTheRecordedDirection) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(Raw(Make({Stump(0, 1)}), nan), -1);
  EXPECT_EQ(Raw(Make({Stump(0, 0)}), nan), 1);
}

TEST(Ensemble, BatchMatchesSingleRows) {
  Ensemble e = Make({Stump(0), Stump(10)}, 0.5, 0.3);
  const std::vector<float> rows = {-5, 5, 15};
  std::vector<double> raw(3);
  e.PredictRawBatch(rows, raw);
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(raw[i], Raw(e, rows[i]));
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
        CorruptTree{"BadMissingFlag", With([](TreeArrays* t) { t->missing_left[0] = 2; }),
                    "trees[1].missing_left[0]: must be 0 or 1"}),
    [](const ::testing::TestParamInfo<CorruptTree>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace stroke
