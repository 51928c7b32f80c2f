// The precomputed TreeSHAP tables (src/shap_table.h) against algorithm 2
// (ShapMethod::kPathOnly, the code they replace): random ensembles of several
// depths with repeated features, missing values, zero covers, categorical
// splits, leaf vectors, mean aggregation and paths too long for a table; and
// every golden row of every bundle. Each contribution must agree within
// 1e-12 relative (1e-12 absolute below 1); the largest differences are printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>
#include <thread>

#include "ensemble_engine.h"
#include "shap_table.h"
#include "stroke/model.h"
#include "test_util.h"

namespace stroke::internal {
namespace {

struct Differences {
  double max_abs = 0;
  double max_relative = 0;
  size_t values = 0;
  size_t path_not_finite = 0;  // algorithm 2 gave NaN or infinity (see below)
};

// Explains `row` for every output of `engine` both ways and compares.
// Algorithm 2 divides by a zero fraction when a path goes the row's other
// way into a subtree of cover 0 and splits again on the same feature below
// it (its UnwindPath): it answers NaN there, the tables the Shapley value
// (EqualBruteForceShapleyWithZeroCoversAndMissingValues). Those
// contributions are counted, not compared.
void CompareMethods(const EnsembleEngine& engine, const double* row, ShapBuffers& buffers, Differences* d) {
  const auto n = static_cast<size_t>(engine.spec().num_features);
  std::vector<double> tables(n), path(n);
  for (int output = 0; output < engine.spec().num_outputs; ++output) {
    engine.Shap(row, output, tables.data(), buffers, ShapMethod::kTables);
    engine.Shap(row, output, path.data(), buffers, ShapMethod::kPathOnly);
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(path[i])) {  // the tables' trees add finite values, algorithm 2's may not
        ++d->path_not_finite;
        continue;
      }
      const double diff = std::fabs(tables[i] - path[i]);
      EXPECT_LE(diff, 1e-12 * std::max(1.0, std::fabs(path[i]))) << "output " << output << " feature " << i;
      d->max_abs = std::max(d->max_abs, diff);
      d->max_relative = std::max(d->max_relative, diff / std::max(1e-300, std::fabs(path[i])));
      ++d->values;
    }
  }
}

EnsembleEngine CreateOrDie(EnsembleSpec spec) {
  StatusOr<EnsembleEngine> engine = EnsembleEngine::Create(std::move(spec), LoadOptions{});
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(*engine) : EnsembleEngine();
}

struct Shape {
  int depth;
  int num_features;  // few features: many repeated along a path
  bool forest;       // mean of 2-class leaf vectors; else a 3-output boosting sum
  bool zero_covers;  // one leaf in 8 of cover 0 (so some subtrees too)
};

// Feature 0 is categorical (known categories 0..5): its splits send a random
// subset left, unknown categories and NaN the missing way.
constexpr int kCategorical = 0;

class RandomTree {
 public:
  RandomTree(std::mt19937* rng, const Shape& shape, int width) : rng_(*rng), shape_(shape), width_(width) {}
  TreeArrays Grow() {
    Node(0);
    return std::move(tree_);
  }

 private:
  double Unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  // Adds the subtree at `depth` (a test may recurse: depth <= 10); returns its index.
  int Node(int depth) {
    const auto i = static_cast<int>(tree_.left.size());
    const bool leaf = depth == shape_.depth || (depth > 0 && rng_() % 6 == 0);
    const int feature = leaf ? -2 : static_cast<int>(rng_() % static_cast<unsigned>(shape_.num_features));
    tree_.feature.push_back(feature);
    tree_.threshold.push_back(Unit());
    tree_.left.push_back(-1);
    tree_.right.push_back(-1);
    for (int j = 0; j < width_; ++j) tree_.value.push_back(leaf ? Unit() * 4 - 2 : 0);
    tree_.cover.push_back(leaf ? (shape_.zero_covers && rng_() % 8 == 0 ? 0 : 1 + rng_() % 20) : 0);
    tree_.missing_left.push_back(rng_() % 2);
    tree_.categorical.push_back(feature == kCategorical);
    tree_.left_categories.emplace_back();
    if (feature == kCategorical) {
      for (int c = 0; c < 6; ++c) {
        if (rng_() % 2) tree_.left_categories.back().push_back(c);
      }
    }
    if (leaf) return i;
    const int left = Node(depth + 1), right = Node(depth + 1);
    tree_.left[i] = left;
    tree_.right[i] = right;
    tree_.cover[i] = tree_.cover[left] + tree_.cover[right];  // 0 when both are: fractions 0.5
    return i;
  }

  std::mt19937& rng_;
  const Shape& shape_;
  const int width_;
  TreeArrays tree_;
};

EnsembleSpec RandomEnsemble(std::mt19937* rng, const Shape& shape) {
  EnsembleSpec spec;
  spec.num_features = shape.num_features;
  spec.num_outputs = shape.forest ? 2 : 3;
  spec.leaf_width = shape.forest ? 2 : 1;
  spec.base_margin.assign(static_cast<size_t>(spec.num_outputs), 0.25);
  spec.tree_scale = shape.forest ? 1 : 0.3;
  spec.aggregation = shape.forest ? Aggregation::kMean : Aggregation::kSum;
  spec.link = LinkFunction::kIdentity;
  spec.split_rule = shape.forest ? SplitRule::kLessEqualFloat32 : SplitRule::kLessEqualFloat64;
  spec.handles_missing = true;
  spec.known_categories = {{kCategorical, {0, 1, 2, 3, 4, 5}}};
  for (int t = 0; t < 12; ++t) {
    spec.trees.push_back(RandomTree(rng, shape, spec.leaf_width).Grow());
    spec.trees.back().output = shape.forest ? 0 : t % 3;
  }
  return spec;
}

std::vector<double> RandomRow(std::mt19937* rng, int num_features) {
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> row(static_cast<size_t>(num_features));
  for (double& x : row) x = unit(*rng);
  row[kCategorical] = static_cast<double>((*rng)() % 8);  // 6 and 7: unknown categories
  for (double& x : row) {
    if ((*rng)() % 5 == 0) x = std::numeric_limits<double>::quiet_NaN();
  }
  return row;
}

TEST(ShapTables, EqualAlgorithmTwoOnRandomEnsembles) {
  const Shape shapes[] = {{1, 3, false, true},  {2, 3, false, false}, {3, 3, true, true},   {3, 6, false, false},
                          {4, 4, false, true},  {5, 12, true, false},  {6, 5, false, false}, {6, 5, true, true},
                          {8, 3, false, false}, {8, 12, true, true},   {10, 12, false, false}};
  std::mt19937 rng(2021);
  size_t table_trees = 0, path_trees = 0;
  for (const Shape& shape : shapes) {
    Differences d;
    for (int trial = 0; trial < 4; ++trial) {
      const EnsembleEngine engine = CreateOrDie(RandomEnsemble(&rng, shape));
      ShapBuffers buffers;
      ASSERT_TRUE(engine.SizeShapBuffers(&buffers));
      ASSERT_NE(engine.shap_tables(), nullptr);
      table_trees += engine.shap_tables()->num_trees();
      path_trees += engine.spec().trees.size() - engine.shap_tables()->num_trees();
      for (int r = 0; r < 25; ++r) {
        const std::vector<double> row = RandomRow(&rng, shape.num_features);
        CompareMethods(engine, row.data(), buffers, &d);
      }
    }
    std::printf("depth %2d, %2d features%s%s: max |tables - algorithm 2| %.3g (relative %.3g) over %zu values;"
                " algorithm 2 not finite: %zu\n", shape.depth, shape.num_features, shape.forest ? ", forest" : "",
                shape.zero_covers ? ", zero covers" : "", d.max_abs, d.max_relative, d.values, d.path_not_finite);
    if (!shape.zero_covers) {
      EXPECT_EQ(d.path_not_finite, 0u);
    }
  }
  EXPECT_GT(table_trees, 0u);
  EXPECT_GT(path_trees, 0u);  // depth 10 over 12 features: paths with more than kMaxFeatures features
}

// f_S(x) of one tree: the features in `known` followed (NaN the missing
// way), the others averaged over the children by cover fraction (0.5 each
// under a node of cover 0).
double ConditionalValue(const TreeArrays& t, const std::vector<double>& x, unsigned known, int node = 0) {
  if (t.left[node] == -1) return t.value[node];
  const int f = t.feature[node];
  if ((known >> f) & 1) {
    const bool left = std::isnan(x[f]) ? t.missing_left[node] != 0 : x[f] <= t.threshold[node];
    return ConditionalValue(t, x, known, left ? t.left[node] : t.right[node]);
  }
  const double cover = t.cover[node];
  const double l = cover > 0 ? t.cover[t.left[node]] / cover : 0.5;
  const double r = cover > 0 ? t.cover[t.right[node]] / cover : 0.5;
  return l * ConditionalValue(t, x, known, t.left[node]) + r * ConditionalValue(t, x, known, t.right[node]);
}

// The tables against the Shapley sum over all feature subsets, on trees with
// repeated features, NaN and subtrees of cover 0 (where algorithm 2 fails).
TEST(ShapTables, EqualBruteForceShapleyWithZeroCoversAndMissingValues) {
  std::mt19937 rng(16);
  const Shape shape{4, 4, false, true};
  size_t path_not_finite = 0;
  for (int trial = 0; trial < 30; ++trial) {
    EnsembleSpec spec = RandomEnsemble(&rng, shape);
    spec.known_categories.clear();
    spec.num_outputs = 1;
    spec.base_margin = {0};
    spec.tree_scale = 1;
    for (TreeArrays& t : spec.trees) {
      t.output = 0;
      t.categorical.clear();
      t.left_categories.clear();
    }
    const EnsembleEngine engine = CreateOrDie(spec);
    ShapBuffers buffers;
    ASSERT_TRUE(engine.SizeShapBuffers(&buffers));
    ASSERT_EQ(engine.shap_tables()->num_trees(), spec.trees.size());
    for (int r = 0; r < 5; ++r) {
      std::vector<double> x = RandomRow(&rng, shape.num_features);
      if (std::isnan(x[kCategorical]) == false) x[kCategorical] /= 8;
      std::vector<double> phi(x.size()), path(x.size());
      engine.Shap(x.data(), 0, phi.data(), buffers, ShapMethod::kTables);
      engine.Shap(x.data(), 0, path.data(), buffers, ShapMethod::kPathOnly);
      auto f = [&](unsigned known) {
        double total = 0;
        for (const TreeArrays& t : spec.trees) total += ConditionalValue(t, x, known);
        return total;
      };
      const int m = shape.num_features;
      for (int i = 0; i < m; ++i) {
        double expected = 0;
        for (unsigned s = 0; s < (1u << m); ++s) {
          if ((s >> i) & 1) continue;
          const int size = __builtin_popcount(s);
          expected += std::tgamma(size + 1) * std::tgamma(m - size) / std::tgamma(m + 1) * (f(s | (1u << i)) - f(s));
        }
        EXPECT_NEAR(phi[static_cast<size_t>(i)], expected, 1e-12) << "trial " << trial << " feature " << i;
        path_not_finite += !std::isfinite(path[static_cast<size_t>(i)]);
      }
    }
  }
  std::printf("brute force: algorithm 2 not finite on %zu contributions, the tables right on all\n", path_not_finite);
}

TEST(ShapTables, PathsWithMoreThanMaxFeaturesHaveNoTable) {
  // A chain splitting on features 0, 1, ..., k-1 (left children are leaves).
  for (int k : {ShapTables::kMaxFeatures, ShapTables::kMaxFeatures + 1}) {
    EnsembleSpec spec;
    spec.num_features = k;
    TreeArrays chain;
    for (int i = 0; i < k; ++i) {
      const int node = 2 * i;
      chain.feature.insert(chain.feature.end(), {i, -2});
      chain.threshold.insert(chain.threshold.end(), {0.5, 0});
      chain.left.insert(chain.left.end(), {node + 1, -1});
      chain.right.insert(chain.right.end(), {node + 2, -1});
      chain.value.insert(chain.value.end(), {0, static_cast<double>(i)});
      chain.missing_left.insert(chain.missing_left.end(), {0, 0});
    }
    chain.feature.push_back(-2), chain.threshold.push_back(0), chain.left.push_back(-1);
    chain.right.push_back(-1), chain.value.push_back(-1), chain.missing_left.push_back(0);
    chain.cover.assign(chain.left.size(), 1);
    spec.trees = {chain};
    const ShapTables tables = ShapTables::Build(spec);
    EXPECT_EQ(tables.tree(0) != nullptr, k <= ShapTables::kMaxFeatures) << k << " features";
  }
}

TEST(ShapTables, EqualAlgorithmTwoOnEveryGoldenRow) {
  for (const std::string& path : testing::AllBundlePaths()) {
    const Model model = testing::LoadOrDie(path);
    const EnsembleEngine engine = CreateOrDie(model.ensemble().spec());
    ShapBuffers buffers;
    ASSERT_TRUE(engine.SizeShapBuffers(&buffers));
    ASSERT_NE(engine.shap_tables(), nullptr);
    EXPECT_EQ(engine.shap_tables()->num_trees(), engine.spec().trees.size()) << path;  // all shallow
    std::vector<double> features(model.num_features());
    Differences d;
    for (const GoldenRow& golden : model.golden_rows()) {
      ASSERT_TRUE(model.Prepare(golden.inputs, features).ok());
      CompareMethods(engine, features.data(), buffers, &d);
    }
    std::printf("%s: max |tables - algorithm 2| %.3g (relative %.3g) over %zu values\n",
                std::filesystem::path(path).filename().c_str(), d.max_abs, d.max_relative, d.values);
    EXPECT_EQ(d.path_not_finite, 0u);
  }
}

TEST(ShapTables, FirstScratchesOnSeveralThreadsBuildThemOnce) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  std::vector<double> features(model.num_features());
  ASSERT_TRUE(model.Prepare(model.golden_rows()[0].inputs, features).ok());
  std::vector<std::vector<double>> phi(4, std::vector<double>(model.num_features()));
  std::vector<std::thread> threads;
  for (auto& out : phi) {
    threads.emplace_back([&] {
      ShapScratch scratch(model.ensemble());
      model.ensemble().Shap(features, 0, out, scratch);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& out : phi) EXPECT_EQ(out, phi[0]);
}

}  // namespace
}  // namespace stroke::internal
