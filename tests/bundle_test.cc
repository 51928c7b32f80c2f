// The bundle loader: a valid bundle loads whole; each kind of corruption is
// refused with the JSON path and the problem.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {

using Json = nlohmann::ordered_json;
using testing::ReadFile;
using testing::TinyBundlePath;

TEST(BundleLoad, ReadsEverySection) {
  Model model = testing::LoadOrDie(TinyBundlePath());
  EXPECT_EQ(model.info().name, "tiny");
  EXPECT_TRUE(model.info().training_data.synthetic);
  EXPECT_EQ(model.info().class_labels, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(model.schema().fields().size(), 4u);
  EXPECT_EQ(model.schema().fields()[3].impute, 1);  // "green"
  EXPECT_EQ(model.num_features(), 4u);
  EXPECT_EQ(model.ensemble().num_trees(), 2u);
  EXPECT_EQ(model.golden_rows().size(), 2u);
}

TEST(BundleLoad, MissingFileIsAnIoError) {
  StatusOr<Model> model = Model::Load("/nonexistent/x.bundle.json");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kIoError);
  EXPECT_NE(model.status().message().find("/nonexistent/x.bundle.json"), std::string::npos);
}

struct Corruption {
  const char* name;
  const char* pointer;  // JSON pointer to replace ("" = edit the text instead)
  const char* value;    // new value as JSON; "remove" deletes the member
  const char* message;  // part of the expected error
};

void PrintTo(const Corruption& c, std::ostream* os) { *os << c.name; }

class CorruptBundle : public ::testing::TestWithParam<Corruption> {};

TEST_P(CorruptBundle, IsRefusedWithPathAndProblem) {
  const Corruption& c = GetParam();
  std::string text = ReadFile(TinyBundlePath());
  if (std::string(c.pointer).empty()) {
    text.replace(text.find("[50, -2"), 3, c.value);
  } else {
    Json bundle = Json::parse(text);
    const Json::json_pointer at(c.pointer);
    if (std::string(c.value) == "remove") {
      Json& parent = bundle[at.parent_pointer()];
      if (parent.is_array()) {
        parent.erase(std::stoul(at.back()));
      } else {
        parent.erase(at.back());
      }
    } else {
      bundle[at] = Json::parse(c.value);
    }
    text = bundle.dump();
  }
  StatusOr<Model> model = Model::FromJson(text);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kCorruptBundle);
  EXPECT_NE(model.status().message().find(c.message), std::string::npos) << model.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, CorruptBundle,
    ::testing::Values(
        Corruption{"NotJson", "", "[5x", "invalid JSON"},
        Corruption{"NaNLiteral", "", "[Na", "no NaN or Infinity"},
        Corruption{"UnknownFormat", "/format", R"("onnx")", "format: expected \"libstroke-bundle\""},
        Corruption{"UnknownVersion", "/format_version", "2", "format_version: unknown format version 2"},
        Corruption{"MissingSection", "/ensemble", "remove", "(root): missing required key \"ensemble\""},
        Corruption{"ChildOutOfRange", "/ensemble/trees/0/left/0", "99",
                   "ensemble.trees[0].left[0]: child 99 out of range [0, 5)"},
        Corruption{"Cycle", "/ensemble/trees/0/left/2", "0", "ensemble.trees[0].left[2]: node 0 is reached twice"},
        Corruption{"FeatureOutOfRange", "/ensemble/trees/0/feature/0", "9",
                   "ensemble.trees[0].feature[0]: feature index 9 out of range [0, 4)"},
        Corruption{"NullThreshold", "/ensemble/trees/0/threshold/0", "null",
                   "ensemble.trees[0].threshold[0]: expected a number, got null (NaN is not a valid value here)"},
        Corruption{"UnequalArrays", "/ensemble/trees/0/value/4", "remove",
                   "ensemble.trees[0].value: has 4 entries, \"left\" has 5"},
        Corruption{"ChildNotInteger", "/ensemble/trees/0/right/0", "2.5",
                   "ensemble.trees[0].right[0]: expected a 32-bit integer, got 2.5"},
        Corruption{"BadMissingFlag", "/ensemble/trees/0/missing_left/1", "3", "missing_left[1]: must be 0 or 1"},
        Corruption{"NoTrees", "/ensemble/trees", "[]", "trees: an ensemble needs at least one tree"},
        Corruption{"WidthMismatch", "/ensemble/num_features", "5", "ensemble.num_features: is 5 but"},
        Corruption{"UnknownKind", "/ensemble/kind", R"("random_forest2")", "ensemble.kind: unknown kind \"random_forest2\""},
        Corruption{"UnknownSplitRule", "/ensemble/split_rule", R"("lt")", "ensemble.split_rule: unknown split_rule \"lt\" (one of float32_le, float32_lt, float64_le)"},
        Corruption{"UnknownOp", "/features/3/expr/0", R"("pow")", "features[3].expr[0]: unknown op \"pow\""},
        Corruption{"WrongArity", "/features/3/expr", R"(["not", 1, 2])", "features[3].expr: \"not\" takes 1"},
        Corruption{"LaterFeature", "/features/0/expr", R"(["feature", "x_over_n"])",
                   "is not a feature defined before this one"},
        Corruption{"UnknownInput", "/features/0/expr", R"(["input", "y"])", "unknown input field \"y\""},
        Corruption{"UnknownCategory", "/features/2/expr", R"(["onehot", "color", "purple"])",
                   "\"purple\" is not a category of \"color\""},
        Corruption{"CategoryAsNumber", "/features/0/expr", R"(["input", "color"])", "is a category"},
        Corruption{"UnknownType", "/inputs/0/type", R"("float")", "inputs[0].type: unknown type \"float\""},
        Corruption{"DuplicateInput", "/inputs/1/name", R"("x")", "inputs[1].name: \"x\" is declared twice"},
        Corruption{"ImputeNotACategory", "/inputs/3/impute", R"("purple")", "inputs[3].impute"},
        Corruption{"ThresholdOutOfRange", "/model/threshold", "2", "model.threshold: must be in [0, 1]"},
        Corruption{"OneLabel", "/model/class_labels", R"(["a"])", "model.class_labels: a binary model needs"},
        Corruption{"TreeOutputOutOfRange", "/ensemble/trees/1/output", "1", "ensemble.trees[1].output: 1 out of range for 1 outputs"},
        Corruption{"LinkDoesNotFitTask", "/ensemble/link", R"("softmax")",
                   "ensemble.task: binary_classification needs 1 output with link logistic"},
        Corruption{"RegressionWithLabels", "/ensemble/task", R"("regression")",
                   "ensemble.task: regression needs 1 output with link identity"},
        Corruption{"UnknownAggregation", "/ensemble/aggregation", R"("median")",
                   "ensemble.aggregation: unknown aggregation \"median\""},
        Corruption{"CategoricalWithoutLists", "/ensemble/trees/0/categorical", "[1, 0, 0, 0, 0]",
                   "ensemble.trees[0]: missing required key \"left_categories\""},
        Corruption{"MissingNeedsHandling", "/inputs/1/impute", "remove",
                   "inputs[1]: \"impute\" is required: this ensemble cannot take missing values, and a null "
                   "here would make feature \"x_over_n\" missing"},
        Corruption{"KnownCodesOnACategory", "/inputs/3/known_codes", "[1, 2]",
                   "inputs[3].known_codes: only a number or integer field has known codes"},
        Corruption{"KeepOnANumberWithoutCodes", "/inputs/1/unknown_category", R"("keep")",
                   "inputs[1].unknown_category: a number or integer field takes only \"keep\", with known_codes"},
        Corruption{"KnownCodesEmpty", "/inputs/1/known_codes", "[]", "inputs[1].known_codes: must list at least one code"},
        Corruption{"BaseMarginPerOutput", "/ensemble/base_margin", "[0.1, 0.2]",
                   "ensemble.base_margin: needs one number per output"},
        Corruption{"GoldenClass", "/golden/1/prediction", "2", "golden[1].prediction: must be 0 or 1"},
        Corruption{"GoldenNotObject", "/golden/0/inputs", "[1]", "golden[0].inputs: expected an object"}),
    [](const ::testing::TestParamInfo<Corruption>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace stroke
