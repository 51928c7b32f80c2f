// Reads a bundle's "ensemble" section (docs/bundle-format.md) into an Ensemble.
#include <map>

#include "load_limits.h"
#include "section_readers.h"

namespace stroke {
namespace {

// The member `key` as one of `names` (or `fallback` when absent and allowed).
template <typename Enum>
Enum ReadName(const JsonReader& e, const char* key, const std::map<std::string, Enum>& names,
              const Enum* fallback = nullptr) {
  if (fallback != nullptr && !e.Has(key)) return *fallback;
  const std::string name = e.String(key);
  auto it = names.find(name);
  if (it != names.end()) return it->second;
  if (!e.failed()) {
    std::string allowed;
    for (const auto& [n, _] : names) allowed += (allowed.empty() ? "" : ", ") + n;
    e.Member(key).Fail("unknown " + std::string(key) + " \"" + name + "\" (one of " + allowed + ")");
  }
  return names.begin()->second;
}

const std::map<std::string, Task> kTasks = {{"binary_classification", Task::kBinaryClassification},
                                            {"multiclass_classification", Task::kMulticlassClassification},
                                            {"regression", Task::kRegression}};
const std::map<std::string, SplitRule> kSplitRules = {{"float32_le", SplitRule::kLessEqualFloat32},
                                                      {"float64_le", SplitRule::kLessEqualFloat64},
                                                      {"float32_lt", SplitRule::kLessFloat32}};
const std::map<std::string, Aggregation> kAggregations = {{"sum", Aggregation::kSum}, {"mean", Aggregation::kMean}};
const std::map<std::string, Precision> kPrecisions = {{"float64", Precision::kFloat64},
                                                      {"float32", Precision::kFloat32}};
const std::map<std::string, LinkFunction> kLinks = {{"logistic", LinkFunction::kLogistic},
                                                    {"softmax", LinkFunction::kSoftmax},
                                                    {"softmax_logsumexp", LinkFunction::kSoftmaxLogSumExp},
                                                    {"identity", LinkFunction::kIdentity}};
const std::map<std::string, int> kKinds = {
    {"gradient_boosting", 0}, {"random_forest", 1}, {"hist_gradient_boosting", 2}, {"xgboost", 3}};

// Which (task, outputs, link) combinations make sense; "" or the problem.
std::string CheckTaskShape(Task task, const EnsembleSpec& spec) {
  const bool logistic = spec.link == LinkFunction::kLogistic;
  const bool identity = spec.link == LinkFunction::kIdentity;
  switch (task) {
    case Task::kBinaryClassification:
      if ((spec.num_outputs == 1 && logistic) || (spec.num_outputs == 2 && identity)) return "";
      return "binary_classification needs 1 output with link logistic, or 2 (class probabilities) with identity";
    case Task::kMulticlassClassification:
      if (spec.num_outputs >= 2 && !logistic) return "";
      return "multiclass_classification needs 2 or more outputs with link softmax, softmax_logsumexp or identity";
    case Task::kRegression:
      if (spec.num_outputs == 1 && identity) return "";
      return "regression needs 1 output with link identity";
  }
  return "unknown task";
}

TreeArrays ReadTree(const JsonReader& t) {
  TreeArrays arrays;
  arrays.feature = t.IntArray("feature");
  arrays.threshold = t.DoubleArray("threshold");
  arrays.left = t.IntArray("left");
  arrays.right = t.IntArray("right");
  arrays.value = t.DoubleArray("value");
  arrays.cover = t.DoubleArray("cover");
  // Anything but 0/1 becomes 2, which Ensemble::Create refuses with its path.
  for (int32_t flag : t.IntArray("missing_left")) {
    arrays.missing_left.push_back(flag == 0 || flag == 1 ? static_cast<uint8_t>(flag) : 2);
  }
  arrays.output = static_cast<int>(t.Has("output") ? t.Integer("output") : 0);
  if (t.Has("categorical")) {
    for (int32_t flag : t.IntArray("categorical")) arrays.categorical.push_back(flag != 0);
    JsonReader lists = t.Array("left_categories");
    for (size_t i = 0; i < lists.size() && !t.failed(); ++i) {
      arrays.left_categories.push_back(lists.Element(i).Ints());
    }
  }
  return arrays;
}

}  // namespace

StatusOr<Ensemble> ReadEnsemble(const JsonReader& e, int num_features, Task* task, const LoadOptions& limits) {
  ReadName(e, "kind", kKinds);
  *task = ReadName(e, "task", kTasks);
  EnsembleSpec spec;
  spec.split_rule = ReadName(e, "split_rule", kSplitRules);
  const Aggregation sum = Aggregation::kSum;
  spec.aggregation = ReadName(e, "aggregation", kAggregations, &sum);
  const Precision f64 = Precision::kFloat64;
  spec.precision = ReadName(e, "precision", kPrecisions, &f64);
  spec.link = ReadName(e, "link", kLinks);
  spec.num_features = static_cast<int>(e.Integer("num_features"));
  if (!e.failed() && spec.num_features != num_features) {
    e.Member("num_features").Fail("is " + std::to_string(spec.num_features) + " but \"features\" declares " +
                                  std::to_string(num_features));
  }
  spec.num_outputs = static_cast<int>(e.Has("num_outputs") ? e.Integer("num_outputs") : 1);
  spec.leaf_width = static_cast<int>(e.Has("leaf_width") ? e.Integer("leaf_width") : 1);
  if (!e.failed() && e.Has("base_margin") && e.Member("base_margin").json().is_array()) {
    spec.base_margin = e.DoubleArray("base_margin");
  } else {
    spec.base_margin = {e.Number("base_margin")};
  }
  spec.tree_scale = e.OptionalNumber("tree_scale", 1.0);
  spec.handles_missing = e.OptionalBool("handles_missing", false);
  if (!e.failed()) {
    if (std::string bad = CheckTaskShape(*task, spec); !bad.empty()) e.Member("task").Fail(bad);
  }
  if (e.Has("known_categories")) {
    JsonReader known = e.Array("known_categories");
    for (size_t i = 0; i < known.size() && !e.failed(); ++i) {
      JsonReader k = known.Element(i);
      spec.known_categories.push_back({static_cast<int>(k.Integer("feature")), k.IntArray("categories")});
    }
  }
  JsonReader trees = e.Array("trees");
  if (!e.failed() && trees.size() > limits.max_trees) {  // before reading them (Create checks again)
    trees.Fail(OverLimit("tree count " + std::to_string(trees.size()), limits.max_trees, "max_trees"));
  }
  for (size_t i = 0; i < trees.size() && !e.failed(); ++i) spec.trees.push_back(ReadTree(trees.Element(i)));
  if (e.failed()) return e.error();
  StatusOr<Ensemble> ensemble = Ensemble::Create(std::move(spec), limits);
  if (!ensemble.ok()) return CorruptBundleError(e.path() + "." + ensemble.status().message());
  return ensemble;
}

}  // namespace stroke
