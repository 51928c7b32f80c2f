// Bundles that are valid JSON but hostile: trees 10^4 to 10^6 deep, cycles
// and shared nodes deep down, programs that double at every feature, too
// many outputs, every LoadOptions limit. Each is refused naming the limit,
// the value and the JSON path; with a limit raised, a deep chain loads,
// predicts and explains (nothing walks a tree recursively). Trees of single
// leaves load and answer (the complete layout has no inner node to read).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "hostile_bundles.h"
#include "stroke/explain.h"
#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {

using Json = nlohmann::ordered_json;
using testing::ChainTree;
using testing::TinyBundleWithTrees;
using testing::TinyTreesJson;
using testing::TreeJson;

constexpr char kLimitSuffix[] = " in stroke-predict and stroke-serve)";

// x = 50 reaches the chain's leaf of value 50; tiny's own two trees add 0.
constexpr char kRecord[] = R"({"x": 50, "n": 1, "flag": true, "color": "red"})";

// Tiny's trees, then a chain of `depth` on feature 0 (x) as trees[2].
std::string TinyBundleWithChain(size_t depth) {
  std::vector<std::string> trees = TinyTreesJson();
  trees.push_back(TreeJson(ChainTree(depth)));
  return TinyBundleWithTrees(trees);
}

TEST(HostileBundle, DeepChainIsRefusedNamingTheLimitTheValueAndThePath) {
  StatusOr<Model> model = Model::FromJson(TinyBundleWithChain(10000));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kCorruptBundle);
  EXPECT_EQ(model.status().message(),
            std::string("ensemble.trees[2]: depth 10000 exceeds the limit of 1024 "
                        "(LoadOptions.max_tree_depth; --max-tree-depth") + kLimitSuffix);
}

TEST(HostileBundle, RaisedDepthLimitLoadsPredictsAndExplainsTheDeepChain) {
  LoadOptions options;
  options.max_tree_depth = 10000;
  StatusOr<Model> model = Model::FromJson(TinyBundleWithChain(10000), options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->ensemble().max_depth(), 10000);
  EXPECT_EQ(model->ensemble().layout(), "node walk; batches: blocked trees");
  const Record record = testing::RecordOrDie(kRecord);
  StatusOr<RecordPrediction> answer = model->Predict(record);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->raw_margin, 0.5 * 50);  // tree_scale 0.5 times the leaf of value 50
  StatusOr<std::vector<Explanation>> explanation = model->Explain(record);
  ASSERT_TRUE(explanation.ok()) << explanation.status().ToString();
  EXPECT_NEAR((*explanation)[0].raw_score, answer->raw_margin, 1e-9 * 25);
}

// Chains built in memory (no JSON): 10^6 splits is 2 * 10^6 + 1 nodes.
class DeepChain : public ::testing::TestWithParam<size_t> {};

EnsembleSpec ChainSpec(size_t depth) {
  EnsembleSpec spec;
  spec.num_features = 2;
  spec.link = LinkFunction::kIdentity;
  spec.split_rule = SplitRule::kLessEqualFloat64;
  spec.trees = {ChainTree(depth, 0)};
  return spec;
}

TEST_P(DeepChain, IsRefusedByDefault) {
  StatusOr<Ensemble> e = Ensemble::Create(ChainSpec(GetParam()));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "trees[0]: depth " + std::to_string(GetParam()) +
                                      " exceeds the limit of 1024 (LoadOptions.max_tree_depth; --max-tree-depth" +
                                      kLimitSuffix);
}

TEST_P(DeepChain, WithTheLimitRaisedPredictsAndExplains) {
  const size_t depth = GetParam();
  LoadOptions options;
  options.max_tree_depth = depth;
  StatusOr<Ensemble> e = Ensemble::Create(ChainSpec(depth), options);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(static_cast<size_t>(e->max_depth()), depth);
  ShapScratch scratch(*e);
  ASSERT_TRUE(scratch.ok());
  for (const double x : {-1.0, 777.5, static_cast<double>(depth) + 1}) {
    const std::array<double, 2> row = {x, 0};
    std::array<double, kMaxOutputs> raw;
    e->PredictRaw(row, raw);
    const double leaf = x < 0 ? 0 : std::min(std::ceil(x), static_cast<double>(depth));
    EXPECT_EQ(raw[0], leaf) << "x " << x;
    std::array<double, 2> phi;
    e->Shap(row, 0, phi, scratch);
    EXPECT_NEAR(e->ExpectedValue(0) + phi[0] + phi[1], raw[0], 1e-6 * static_cast<double>(depth)) << "x " << x;
    EXPECT_EQ(phi[1], 0);  // feature 1 is never split on
  }
}

INSTANTIATE_TEST_SUITE_P(Depths, DeepChain, ::testing::Values(10000, 100000, 1000000));

// Hostile shapes deep down, found without recursion.
struct BadShape {
  const char* name;
  std::function<TreeArrays()> tree;
  const char* message;
};

void PrintTo(const BadShape& c, std::ostream* os) { *os << c.name; }

class HostileShape : public ::testing::TestWithParam<BadShape> {};

TEST_P(HostileShape, IsRefusedNamingTheNode) {
  EnsembleSpec spec;
  spec.num_features = 1;
  spec.link = LinkFunction::kIdentity;
  spec.trees = {GetParam().tree()};
  LoadOptions unlimited;
  unlimited.max_tree_depth = unlimited.max_tree_nodes = 1 << 30;
  StatusOr<Ensemble> e = Ensemble::Create(spec, unlimited);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorruptBundle);
  EXPECT_EQ(e.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, HostileShape,
    ::testing::Values(
        // The last leaf of a 10^6 chain turned into a split back to the root.
        BadShape{"CycleAtTheBottom",
                 [] {
                   TreeArrays t = ChainTree(1000000);
                   t.feature.back() = 0, t.left.back() = 0, t.right.back() = 1;
                   return t;
                 },
                 "trees[0].left[2000000]: node 0 is reached twice (cyclic or shared node)"},
        // Every split's children are the same node: 2^(10^6) paths through
        // 10^6 + 1 nodes for a walk that does not remember where it has been.
        BadShape{"SharedChildrenAllTheWayDown",
                 [] {
                   TreeArrays t = ChainTree(500000);
                   for (size_t i = 0; i + 1 < t.left.size(); ++i) {
                     t.feature[i] = 0, t.left[i] = t.right[i] = static_cast<int32_t>(i + 1);
                   }
                   return t;
                 },
                 "trees[0].right[0]: node 1 is reached twice (cyclic or shared node)"},
        BadShape{"SelfLoop",
                 [] {
                   TreeArrays t = ChainTree(3);
                   t.right[4] = 4;
                   return t;
                 },
                 "trees[0].right[4]: node 4 is reached twice (cyclic or shared node)"}),
    [](const ::testing::TestParamInfo<BadShape>& info) { return std::string(info.param.name); });

TEST(HostileBundle, SingleLeafTreesLoadPredictAndExplain) {
  const std::string leaf = R"({"feature": [-2], "threshold": [-2], "left": [-1], "right": [-1],)"
                           R"( "value": [%], "cover": [10], "missing_left": [0]})";
  std::string half = leaf, quarter = leaf;
  half.replace(half.find('%'), 1, "0.5");
  quarter.replace(quarter.find('%'), 1, "-0.25");
  StatusOr<Model> model = Model::FromJson(TinyBundleWithTrees({half, quarter}));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->ensemble().layout(), "complete depth 0");
  const Record record = testing::RecordOrDie(kRecord);
  StatusOr<RecordPrediction> answer = model->Predict(record);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->raw_margin, 0.25 + 0.5 * 0.5 + 0.5 * -0.25);
  std::vector<double> rows(4 * 40, 1.0), raw(40);  // a batch: the complete layout's block path too
  model->ensemble().PredictRawBatch(rows, 40, raw);
  for (double r : raw) EXPECT_EQ(r, answer->raw_margin);
  StatusOr<std::vector<Explanation>> explanation = model->Explain(record);
  ASSERT_TRUE(explanation.ok());
  EXPECT_EQ((*explanation)[0].expected_value, answer->raw_margin);
  for (double c : (*explanation)[0].contributions) EXPECT_EQ(c, 0);
}

TEST(HostileBundle, FeatureProgramThatDoublesAtEveryFeatureIsRefused) {
  // f0 = x; f(k) = f(k-1) + f(k-1): references inline, so f(k) alone is
  // 2^(k+1) - 1 operations. After f18 the program has 2^20 - 21 operations;
  // f19's first reference would bring it to 1572842.
  Json bundle = Json::parse(testing::ReadFile(testing::TinyBundlePath()));
  Json features = Json::array({{{"name", "f0"}, {"expr", {"input", "x"}}}});
  for (int k = 1; k < 40; ++k) {
    const std::string previous = "f" + std::to_string(k - 1);
    features.push_back({{"name", "f" + std::to_string(k)},
                        {"expr", {"add", {"feature", previous}, {"feature", previous}}}});
  }
  bundle["features"] = features;
  StatusOr<Model> model = Model::FromJson(bundle.dump());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(),
            std::string("features[19].expr[1]: the feature program's operation count per record 1572842 exceeds "
                        "the limit of 1048576 (LoadOptions.max_feature_operations; --max-feature-operations") +
                kLimitSuffix);
}

TEST(HostileBundle, MoreOutputsThanAPredictionHoldsAreRefused) {
  Json bundle = Json::parse(testing::ReadFile(testing::TinyBundlePath()));
  bundle["ensemble"]["task"] = "multiclass_classification";
  bundle["ensemble"]["link"] = "softmax";
  bundle["ensemble"]["num_outputs"] = 1000000;
  StatusOr<Model> model = Model::FromJson(bundle.dump());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(),
            "ensemble.num_outputs: must be in [1, 32] (kMaxOutputs: a Prediction holds 32 class probabilities), "
            "got 1000000");
}

// Each limit, lowered below what the tiny bundle needs.
struct Limit {
  const char* name;
  size_t LoadOptions::*field;
  size_t value;
  const char* message;  // up to the option's name
};

void PrintTo(const Limit& c, std::ostream* os) { *os << c.name; }

class BundleLimit : public ::testing::TestWithParam<Limit> {};

TEST_P(BundleLimit, IsEnforcedNamingTheOption) {
  const Limit& c = GetParam();
  LoadOptions options;
  options.*c.field = c.value;
  StatusOr<Model> model = Model::FromJson(testing::ReadFile(testing::TinyBundlePath()), options);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kCorruptBundle);
  std::string flag = c.name;
  for (char& ch : flag) ch = ch == '_' ? '-' : ch;
  EXPECT_EQ(model.status().message(),
            std::string(c.message) + " (LoadOptions." + c.name + "; --" + flag + kLimitSuffix);
  options.*c.field = c.value + 1;  // exactly what tiny needs
  EXPECT_TRUE(Model::FromJson(testing::ReadFile(testing::TinyBundlePath()), options).ok()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BundleLimit,
    ::testing::Values(
        Limit{"max_tree_depth", &LoadOptions::max_tree_depth, 1,
              "ensemble.trees[0]: depth 2 exceeds the limit of 1"},
        Limit{"max_tree_nodes", &LoadOptions::max_tree_nodes, 4,
              "ensemble.trees[0]: node count 5 exceeds the limit of 4"},
        Limit{"max_total_nodes", &LoadOptions::max_total_nodes, 5,
              "ensemble.trees: total node count 6 exceeds the limit of 5"},
        Limit{"max_trees", &LoadOptions::max_trees, 1, "ensemble.trees: tree count 2 exceeds the limit of 1"},
        Limit{"max_features", &LoadOptions::max_features, 3, "features: feature count 4 exceeds the limit of 3"},
        Limit{"max_input_fields", &LoadOptions::max_input_fields, 3,
              "inputs: input field count 4 exceeds the limit of 3"},
        Limit{"max_categories", &LoadOptions::max_categories, 2,
              "inputs[3].categories: category count 3 exceeds the limit of 2"},
        // x, flag, color_red: 1 each; x_over_n: x inlined, n, 1, add, div.
        Limit{"max_feature_operations", &LoadOptions::max_feature_operations, 7,
              "features[3].expr: the feature program's operation count per record 8 exceeds the limit of 7"},
        Limit{"max_golden_rows", &LoadOptions::max_golden_rows, 1,
              "golden: golden row count 2 exceeds the limit of 1"},
        // tiny.bundle.json is 1897 bytes.
        Limit{"max_bundle_bytes", &LoadOptions::max_bundle_bytes, 1896,
              "(root): bundle size 1897 bytes exceeds the limit of 1896"}),
    [](const ::testing::TestParamInfo<Limit>& info) { return std::string(info.param.name); });

// Model::Load reads only regular files, and never more than max_bundle_bytes
// + 1 bytes: a 64 GiB (sparse) file is refused by its size, unread.
TEST(BundleLimit, LoadReadsNoMoreThanTheLimitAndOnlyRegularFiles) {
  testing::TempDir dir;
  const std::string huge = dir.File("huge.bundle.json");
  std::ofstream(huge).close();
  std::filesystem::resize_file(huge, uint64_t{64} << 30);
  LoadOptions options;
  options.max_bundle_bytes = size_t{1} << 20;
  StatusOr<Model> model = Model::Load(huge, options);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kCorruptBundle);
  // Refused by its size, before a byte is read.
  EXPECT_NE(model.status().message().find("bundle size 68719476736 bytes exceeds the limit of 1048576"),
            std::string::npos)
      << model.status().message();
  model = Model::Load(huge);  // the default limit, 4 GiB: still refused at once
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("bundle size 68719476736 bytes exceeds the limit of 4294967296"),
            std::string::npos)
      << model.status().message();

  const std::string fifo = dir.File("fifo.bundle.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo, std::string("/dev/zero"), dir.path().string()}) {
    model = Model::Load(path);  // would block, never end, or read as empty
    ASSERT_FALSE(model.ok()) << path;
    EXPECT_EQ(model.status().code(), StatusCode::kIoError) << path;
    EXPECT_EQ(model.status().message(), "bundle \"" + path + "\" is not a regular file");
  }
}

TEST(BundleLimit, DefaultsAdmitEveryShippedBundle) {
  for (const std::string& path : testing::AllBundlePaths()) {
    StatusOr<Model> model = Model::Load(path);
    EXPECT_TRUE(model.ok()) << model.status().ToString();
  }
}

}  // namespace
}  // namespace stroke
