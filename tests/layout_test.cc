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
  std::vector<double> xs = {t, std::nextafter(t, kInf), std::nextafter(t, -kInf), 0.0, -0.0, 1e300, -1e300, kInf, -kInf};
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

// A tree whose first `level` nodes send every row on (x <= +inf under the
// <= rules: left; x < -inf under the < rule: never, so right; the other
// child is a leaf of 0) and whose node at depth `level` splits feature 0 at
// t: `left` on the left, `right` on the right.
TreeArrays SplitAtLevel(SplitRule rule, double t, int level, double left, double right) {
  const bool on_right = rule == SplitRule::kLessFloat32;
  TreeArrays tree;
  for (int32_t i = 0; i <= level; ++i) {
    const auto node = static_cast<int32_t>(tree.left.size());
    const bool last = i == level;
    tree.feature.insert(tree.feature.end(), {0, -2});
    tree.threshold.insert(tree.threshold.end(), {last ? t : on_right ? -kInf : kInf, -2});
    const int32_t leaf = node + 1, next = node + 2;
    tree.left.insert(tree.left.end(), {last || !on_right ? next : leaf, -1});
    tree.right.insert(tree.right.end(), {last || !on_right ? leaf : next, -1});
    tree.value.insert(tree.value.end(), {0, last ? right : 0});
  }
  tree.feature.push_back(-2), tree.threshold.push_back(-2), tree.left.push_back(-1), tree.right.push_back(-1);
  tree.value.push_back(left);
  tree.cover.assign(tree.left.size(), 1.0);
  tree.missing_left.assign(tree.left.size(), 0);
  return tree;
}

// Each rule at a split on the root of a depth-1 tree (the bitmask kernel's
// range), on the root of a depth-7 ensemble and at depth 6 (the gather
// kernel's, whose top 4 levels come from a permute and deeper ones from a
// gather): batches and single rows go where the rule sends them.
TEST(CompleteLayout, EverySplitRuleAtFloatBoundaries) {
  const double thresholds[] = {0.1, 0.5, 1.0 / 3, 2.5, -7.25, 1e-40, -1e-42, 0.0, -0.0, 1.4e-45,
                               FLT_MAX, -FLT_MAX, 1e39, -1e39, 16777217.0, 3.4028235677973366e38, kInf, -kInf};
  int gather_runs = 0;
  for (SplitRule rule : {SplitRule::kLessEqualFloat32, SplitRule::kLessEqualFloat64, SplitRule::kLessFloat32}) {
    for (double t : thresholds) {
      for (int variant = 0; variant < 3; ++variant) {
        EnsembleSpec spec;
        spec.num_features = 1;
        spec.split_rule = rule;
        spec.link = LinkFunction::kIdentity;
        spec.trees = {SplitAtLevel(rule, t, variant == 2 ? 6 : 0, 1, 2)};
        if (variant == 1) spec.trees.push_back(SplitAtLevel(rule, kInf, 6, 0, 0));  // depth 7; adds +0
        const Ensemble e = Create(spec);
        ASSERT_EQ(e.layout().rfind(variant == 0 ? "complete depth 1" : "complete depth 7", 0), 0u) << e.layout();
        gather_runs += e.layout().find("gather") != std::string::npos;
        std::vector<double> xs = Around(t);
        // 150 rows: a block of 128 and one vector of 16 for the kernels, and a rest.
        for (size_t i = 0, n = xs.size(); xs.size() < 150; ++i) xs.push_back(xs[i % n]);
        std::vector<double> batch(xs.size());
        e.PredictRawBatch(xs, xs.size(), batch);
        for (size_t i = 0; i < xs.size(); ++i) {
          std::array<double, kMaxOutputs> raw;
          e.PredictRaw(std::span<const double>(&xs[i], 1), raw);
          EXPECT_EQ(raw[0], RuleSendsLeft(rule, xs[i], t) ? 1 : 2)
              << "rule " << static_cast<int>(rule) << " threshold " << t << " x " << xs[i] << " variant " << variant;
          EXPECT_EQ(batch[i], raw[0]) << "batch, rule " << static_cast<int>(rule) << " threshold " << t << " x "
                                      << xs[i] << " variant " << variant;
        }
      }
    }
  }
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd")) {
    EXPECT_GE(gather_runs, 2 * 2 * 18) << "the gather kernel should take the float32 rules' depth-7 ensembles";
  }
#endif
}

using testing::GrowRandomTree;

TEST(CompleteLayout, RandomEnsemblesMatchTheNodeWalkBitForBit) {
  std::mt19937 rng(11);
  // Trials cover one and several outputs, depths up to 3 (the bitmask
  // kernel's range on AVX-512 CPUs for every rule) and up to 8 (the gather
  // kernel's from depth 4, for float32 rules and one output), float64 and
  // float32 sums.
  int bitmask_trials = 0, gather_trials = 0;
  for (int trial = 0; trial < 96; ++trial) {
    EnsembleSpec spec;
    spec.num_features = 5;
    spec.split_rule = static_cast<SplitRule>(trial % 3);
    spec.precision = (trial / 6) % 2 ? Precision::kFloat32 : Precision::kFloat64;
    spec.tree_scale = 0.1;
    spec.link = LinkFunction::kIdentity;
    spec.num_outputs = trial % 3 == 0 ? 1 : 1 + trial % 4;
    spec.base_margin.assign(static_cast<size_t>(spec.num_outputs), 0.25);
    const int max_depth = (trial / 3) % 2 ? 8 : 3;
    for (int i = 0; i < 1 + trial % 23; ++i) {
      TreeArrays t;
      GrowRandomTree(t, 1 + (trial + i) % max_depth, spec.num_features, rng);
      t.output = i % spec.num_outputs;
      spec.trees.push_back(std::move(t));
    }
    const Ensemble fast = Create(spec);
    // The same trees plus a last tree of depth 9 whose leaves are all 0:
    // too deep for the complete layout, and adding +0.0 changes no sum.
    spec.trees.push_back(SplitAtLevel(spec.split_rule, kInf, 8, 0, 0));
    const Ensemble walk = Create(spec);
    ASSERT_NE(fast.layout(), "node walk");
    bitmask_trials += fast.layout().find("bitmask") != std::string::npos;
    gather_trials += fast.layout().find("gather") != std::string::npos;
    ASSERT_EQ(walk.layout().rfind("node walk", 0), 0u) << walk.layout();
    // 150 rows: a block of 128 and one vector of 16 for the kernels, and a rest.
    constexpr size_t n = 150;
    std::vector<double> rows(n * 5);
    for (double& x : rows) x = std::round(std::uniform_real_distribution<double>(-3.5, 3.5)(rng) * 8) / 8;
    const size_t k = static_cast<size_t>(spec.num_outputs);
    std::vector<double> fast_raw(n * k), walk_raw(n * k);
    fast.PredictRawBatch(rows, n, fast_raw);
    walk.PredictRawBatch(rows, n, walk_raw);
    for (size_t i = 0; i < fast_raw.size(); ++i) {
      ASSERT_EQ(std::memcmp(&fast_raw[i], &walk_raw[i], sizeof(double)), 0) << "trial " << trial << " value " << i << " " << fast_raw[i] << " " << walk_raw[i];
    }
    for (size_t r = 0; r < n; ++r) {
      std::array<double, kMaxOutputs> one;
      fast.PredictRaw(std::span<const double>(rows).subspan(r * 5, 5), one);
      for (size_t i = 0; i < k; ++i) ASSERT_EQ(one[i], fast_raw[r * k + i]) << "trial " << trial << " row " << r;
    }
  }
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd")) {
    EXPECT_GE(bitmask_trials, 8) << "the bitmask kernel should have run";
    EXPECT_GE(gather_trials, 8) << "the gather kernel should have run";
  }
#endif
}

// A forest larger than a slice (256 KB: 48 trees of depth 8) is walked in
// slices of trees over blocks of 128 rows: every row's sums stay those of the
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
    spec.trees.push_back(SplitAtLevel(spec.split_rule, kInf, 8, 0, 0));  // depth 9, adds +0: the node walk
    const Ensemble walk = Create(spec);
    const size_t n = 150, k = static_cast<size_t>(spec.num_outputs), width = 6;
    std::vector<double> rows(n * width);
    for (double& x : rows) x = std::round(std::uniform_real_distribution<double>(-3.5, 3.5)(rng) * 8) / 8;
    std::vector<double> batch(n * k), walked(n * k);
    fast.PredictRawBatch(rows, n, batch);
    walk.PredictRawBatch(rows, n, walked);
    for (size_t r = 0; r < n; ++r) {
      std::array<double, kMaxOutputs> one;
      fast.PredictRaw(std::span<const double>(rows).subspan(r * width, width), one);  // one row: no slices
      for (size_t i = 0; i < k; ++i) {
        ASSERT_EQ(std::memcmp(&one[i], &batch[r * k + i], sizeof(double)), 0) << "trial " << trial << " row " << r;
        ASSERT_EQ(std::memcmp(&walked[r * k + i], &batch[r * k + i], sizeof(double)), 0) << "trial " << trial << " row " << r;
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
