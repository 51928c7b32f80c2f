// The complete-tree layout (src/complete_trees.h) must answer exactly as the
// node walk: each split rule folded into one double bound, checked at float
// boundaries, and whole random ensembles compared bit for bit.
#include <gtest/gtest.h>

#include <array>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <span>

#include "random_trees.h"
#include "stroke/ensemble.h"

namespace stroke {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool RuleSendsLeft(SplitRule rule, double x, double t) {
  switch (rule) {
    case SplitRule::kLessEqualFloat64: return x <= t;
    case SplitRule::kLessEqualFloat32: return static_cast<double>(static_cast<float>(x)) <= t;
    case SplitRule::kLessFloat32: return static_cast<double>(static_cast<float>(x)) < t;
  }
  return false;
}

Ensemble Create(EnsembleSpec spec) {
  StatusOr<Ensemble> e = Ensemble::Create(std::move(spec));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : Ensemble();
}

// x values around threshold t that a rounding mistake would misplace: the
// neighbouring floats, the midpoints between them and the doubles next to
// those midpoints.
std::vector<double> Around(double t) {
  std::vector<double> xs = {t, std::nextafter(t, kInf), std::nextafter(t, -kInf), 0.0, -0.0, 1e300, -1e300};
  float f = static_cast<float>(t);
  float floats[] = {std::nextafter(std::nextafter(f, -INFINITY), -INFINITY), std::nextafter(f, -INFINITY), f,
                    std::nextafter(f, INFINITY), std::nextafter(std::nextafter(f, INFINITY), INFINITY)};
  for (int i = 0; i + 1 < 5; ++i) {
    if (!std::isfinite(floats[i]) || !std::isfinite(floats[i + 1])) continue;
    const double mid = (static_cast<double>(floats[i]) + static_cast<double>(floats[i + 1])) / 2;
    for (double x : {static_cast<double>(floats[i]), mid, std::nextafter(mid, kInf), std::nextafter(mid, -kInf)}) {
      xs.push_back(x);
    }
  }
  return xs;
}

TEST(CompleteLayout, EverySplitRuleAtFloatBoundaries) {
  const double thresholds[] = {0.1, 0.5, 1.0 / 3, 2.5, -7.25, 1e-40, -1e-42, 0.0, -0.0, 1.4e-45,
                               FLT_MAX, -FLT_MAX, 1e39, -1e39, 16777217.0, 3.4028235677973366e38};
  for (SplitRule rule : {SplitRule::kLessEqualFloat32, SplitRule::kLessEqualFloat64, SplitRule::kLessFloat32}) {
    for (double t : thresholds) {
      EnsembleSpec spec;
      spec.num_features = 1;
      spec.split_rule = rule;
      spec.link = LinkFunction::kIdentity;
      spec.trees = {TreeArrays{{0, -2, -2}, {t, -2, -2}, {1, -1, -1}, {2, -1, -1},
                               {0, 1, 2}, {2, 1, 1}, {0, 0, 0}}};
      const Ensemble e = Create(spec);
      ASSERT_EQ(e.layout().rfind("complete depth 1", 0), 0u) << e.layout();
      std::vector<double> xs = Around(t);
      for (size_t i = 0, n = xs.size(); xs.size() < 70; ++i) xs.push_back(xs[i % n]);  // fills bitmask blocks
      std::vector<double> batch(xs.size());  // the bitmask kernel, where the CPU has it, takes blocks of rows
      e.PredictRawBatch(xs, xs.size(), batch);
      for (size_t i = 0; i < xs.size(); ++i) {
        std::array<double, kMaxOutputs> raw;
        e.PredictRaw(std::span<const double>(&xs[i], 1), raw);
        EXPECT_EQ(raw[0], RuleSendsLeft(rule, xs[i], t) ? 1 : 2)
            << "rule " << static_cast<int>(rule) << " threshold " << t << " x " << xs[i];
        EXPECT_EQ(batch[i], raw[0]) << "batch, rule " << static_cast<int>(rule) << " threshold " << t << " x " << xs[i];
      }
    }
  }
}

using testing::GrowRandomTree;

TEST(CompleteLayout, RandomEnsemblesMatchTheNodeWalkBitForBit) {
  std::mt19937 rng(11);
  // Trials cover one and several outputs, depths up to 4 (the bitmask
  // kernel's range on AVX-512 CPUs) and up to 8, float64 and float32 sums.
  int bitmask_trials = 0;
  for (int trial = 0; trial < 96; ++trial) {
    EnsembleSpec spec;
    spec.num_features = 5;
    spec.split_rule = static_cast<SplitRule>(trial % 3);
    spec.precision = (trial / 6) % 2 ? Precision::kFloat32 : Precision::kFloat64;
    spec.tree_scale = 0.1;
    spec.link = LinkFunction::kIdentity;
    spec.num_outputs = trial % 3 == 0 ? 1 : 1 + trial % 4;
    spec.base_margin.assign(static_cast<size_t>(spec.num_outputs), 0.25);
    const int max_depth = (trial / 3) % 2 ? 8 : 4;
    for (int i = 0; i < 1 + trial % 23; ++i) {
      TreeArrays t;
      GrowRandomTree(t, 1 + (trial + i) % max_depth, spec.num_features, rng);
      t.output = i % spec.num_outputs;
      spec.trees.push_back(std::move(t));
    }
    const Ensemble fast = Create(spec);
    // The same trees plus a last tree of depth 9 whose leaves are all 0:
    // too deep for the complete layout, and adding +0.0 changes no sum.
    // The same trees plus a last tree of depth 9 (a chain) whose leaves are
    // all 0: too deep for the complete layout, and adding +0.0 changes no sum.
    TreeArrays deep;
    for (int32_t level = 0; level < 9; ++level) {
      const auto node = static_cast<int32_t>(deep.left.size());
      deep.feature.insert(deep.feature.end(), {level % 5, -2});
      deep.threshold.insert(deep.threshold.end(), {0.5, -2});
      deep.left.insert(deep.left.end(), {node + 1, -1});
      deep.right.insert(deep.right.end(), {node + 2, -1});
    }
    deep.feature.push_back(-2), deep.threshold.push_back(-2), deep.left.push_back(-1), deep.right.push_back(-1);
    deep.value.assign(deep.left.size(), 0.0);
    deep.cover.assign(deep.left.size(), 1.0);
    deep.missing_left.assign(deep.left.size(), 0);
    spec.trees.push_back(deep);
    const Ensemble walk = Create(spec);
    ASSERT_NE(fast.layout(), "node walk");
    bitmask_trials += fast.layout().find("bitmask") != std::string::npos;
    ASSERT_EQ(walk.layout().rfind("node walk", 0), 0u) << walk.layout();
    std::vector<double> rows(37 * 5);
    for (double& x : rows) x = std::round(std::uniform_real_distribution<double>(-3.5, 3.5)(rng) * 8) / 8;
    const size_t k = static_cast<size_t>(spec.num_outputs);
    std::vector<double> fast_raw(37 * k), walk_raw(37 * k);
    fast.PredictRawBatch(rows, 37, fast_raw);
    walk.PredictRawBatch(rows, 37, walk_raw);
    for (size_t i = 0; i < fast_raw.size(); ++i) {
      ASSERT_EQ(std::memcmp(&fast_raw[i], &walk_raw[i], sizeof(double)), 0) << "trial " << trial << " value " << i;
    }
    std::array<double, kMaxOutputs> one;
    fast.PredictRaw(std::span<const double>(rows).subspan(0, 5), one);
    for (size_t i = 0; i < k; ++i) EXPECT_EQ(one[i], fast_raw[i]);
  }
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd")) {
    EXPECT_GE(bitmask_trials, 8) << "the bitmask kernel should have run";
  }
#endif
}

// A forest larger than a slice (256 KB: 48 trees of depth 8) is walked in
// slices of trees over blocks of 64 rows: every row's sums stay those of the
// node walk, bit for bit, one output or several, float64 or float32 sums.
TEST(CompleteLayout, SlicesOfTreesOverBlocksOfRowsAddAsTheNodeWalk) {
  std::mt19937 rng(23);
  for (int trial = 0; trial < 4; ++trial) {
    EnsembleSpec spec;
    spec.num_features = 6;
    spec.split_rule = static_cast<SplitRule>(trial % 3);
    spec.precision = trial % 2 ? Precision::kFloat32 : Precision::kFloat64;
    spec.tree_scale = 0.1;
    spec.link = LinkFunction::kIdentity;
    spec.num_outputs = trial < 2 ? 1 : 3;
    spec.base_margin.assign(static_cast<size_t>(spec.num_outputs), 0.25);
    for (int i = 0; i < 131; ++i) {
      TreeArrays t;
      GrowRandomTree(t, i == 0 ? 8 : 1 + i % 8, spec.num_features, rng);
      t.output = i % spec.num_outputs;
      spec.trees.push_back(std::move(t));
    }
    const Ensemble fast = Create(spec);
    ASSERT_EQ(fast.layout().rfind("complete depth 8", 0), 0u) << fast.layout();
    const size_t n = 150, k = static_cast<size_t>(spec.num_outputs), width = 6;
    std::vector<double> rows(n * width);
    for (double& x : rows) x = std::round(std::uniform_real_distribution<double>(-3.5, 3.5)(rng) * 8) / 8;
    std::vector<double> batch(n * k);
    fast.PredictRawBatch(rows, n, batch);
    for (size_t r = 0; r < n; ++r) {
      std::array<double, kMaxOutputs> one;
      fast.PredictRaw(std::span<const double>(rows).subspan(r * width, width), one);  // one row: no slices
      for (size_t i = 0; i < k; ++i) {
        ASSERT_EQ(std::memcmp(&one[i], &batch[r * k + i], sizeof(double)), 0) << "trial " << trial << " row " << r;
      }
    }
  }
}

TEST(CompleteLayout, RowsWithNaNTakeTheNodeWalkWhenTheEnsembleHandlesMissing) {
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.handles_missing = true;
  spec.split_rule = SplitRule::kLessFloat32;
  spec.link = LinkFunction::kIdentity;
  spec.trees = {TreeArrays{{0, -2, -2}, {0.5, -2, -2}, {1, -1, -1}, {2, -1, -1}, {0, 1, 2}, {2, 1, 1}, {1, 0, 0}}};
  const Ensemble e = Create(spec);
  ASSERT_EQ(e.layout().rfind("complete depth 1", 0), 0u) << e.layout();
  const double rows[] = {0.25, NAN, 0.75, NAN};
  std::array<double, 4> raw;
  e.PredictRawBatch(rows, 4, raw);
  EXPECT_EQ(raw, (std::array<double, 4>{1, 1, 2, 1}));  // NaN goes left (missing_left)
}

// Deep trees with leaf vectors (RandomForest's class fractions), sums and
// means, float64 and float32, missing values: batches take the blocked
// layout; each row must equal its own walk (PredictRaw takes the node walk).
TEST(BlockedLayout, RandomDeepEnsemblesMatchTheNodeWalkBitForBit) {
  std::mt19937 rng(23);
  for (int trial = 0; trial < 72; ++trial) {
    EnsembleSpec spec;
    spec.num_features = 6;
    spec.split_rule = static_cast<SplitRule>(trial % 3);
    spec.precision = (trial / 3) % 2 ? Precision::kFloat32 : Precision::kFloat64;
    spec.aggregation = trial % 4 == 0 ? Aggregation::kMean : Aggregation::kSum;
    spec.handles_missing = (trial / 2) % 2 == 1;
    spec.tree_scale = trial % 4 == 0 ? 1.0 : 0.1;
    spec.link = LinkFunction::kIdentity;
    spec.num_outputs = 1 + trial % 3;
    spec.leaf_width = trial % 5 == 0 ? 1 : spec.num_outputs;
    spec.base_margin.assign(static_cast<size_t>(spec.num_outputs), 0.25);
    for (int i = 0; i < 1 + trial % 17; ++i) {
      TreeArrays t;
      GrowRandomTree(t, 9 + (trial + i) % 8, spec.num_features, rng);
      for (uint8_t& m : t.missing_left) m = static_cast<uint8_t>(rng() % 2);
      std::vector<double> values;
      for (double v : t.value) {
        for (int j = 0; j < spec.leaf_width; ++j) values.push_back(v + j);
      }
      t.value = values;
      t.output = spec.leaf_width == 1 ? i % spec.num_outputs : 0;
      spec.trees.push_back(std::move(t));
    }
    const Ensemble e = Create(spec);
    ASSERT_NE(e.layout().find("blocked trees"), std::string::npos) << e.layout();
    const size_t n = 150;  // neither a multiple of the lanes nor of the block
    std::vector<double> rows(n * 6);
    for (double& x : rows) {
      x = std::round(std::uniform_real_distribution<double>(-3.5, 3.5)(rng) * 8) / 8;
      if (spec.handles_missing && rng() % 10 == 0) x = NAN;
    }
    const size_t k = static_cast<size_t>(spec.num_outputs);
    std::vector<double> batch(n * k), one(kMaxOutputs);
    e.PredictRawBatch(rows, n, batch);
    for (size_t r = 0; r < n; ++r) {
      e.PredictRaw(std::span<const double>(rows).subspan(r * 6, 6), one);
      for (size_t i = 0; i < k; ++i) {
        ASSERT_EQ(std::memcmp(&batch[r * k + i], &one[i], sizeof(double)), 0)
            << "trial " << trial << " row " << r << " output " << i << ": " << batch[r * k + i] << " vs " << one[i];
      }
    }
    // Batches smaller than a group of lanes (padded) give the same rows.
    for (size_t m : {2, 7, 9}) {
      std::vector<double> small(m * k);
      e.PredictRawBatch(std::span<const double>(rows).first(m * 6), m, small);
      ASSERT_EQ(std::memcmp(small.data(), batch.data(), m * k * sizeof(double)), 0) << "trial " << trial << ", " << m << " rows";
    }
  }
}

}  // namespace
}  // namespace stroke
