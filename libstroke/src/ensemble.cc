#include "stroke/ensemble.h"

#include <cmath>

namespace stroke {
namespace {

std::string At(size_t tree, const char* array, size_t node) {
  return "trees[" + std::to_string(tree) + "]." + array + "[" + std::to_string(node) + "]";
}

// Checks one tree's arrays; returns "" or the first problem with its path.
std::string CheckTree(const TreeArrays& t, size_t tree_index, int num_features) {
  const std::string tree = "trees[" + std::to_string(tree_index) + "]";
  const size_t n = t.left.size();
  if (n == 0) return tree + ".left: a tree needs at least one node";
  const std::pair<const char*, size_t> lengths[] = {
      {"feature", t.feature.size()}, {"threshold", t.threshold.size()},
      {"right", t.right.size()},     {"value", t.value.size()},
      {"cover", t.cover.size()},     {"missing_left", t.missing_left.size()}};
  for (const auto& [name, size] : lengths) {
    if (size != n) {
      return tree + "." + name + ": has " + std::to_string(size) + " entries, \"left\" has " +
             std::to_string(n) + " (arrays must have equal length)";
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const bool leaf = t.left[i] == -1 && t.right[i] == -1;
    const int32_t children[2] = {t.left[i], t.right[i]};
    const char* names[2] = {"left", "right"};
    for (int c = 0; c < 2 && !leaf; ++c) {
      if (children[c] < 0 || static_cast<size_t>(children[c]) >= n) {
        return At(tree_index, names[c], i) + ": child " + std::to_string(children[c]) +
               " out of range [0, " + std::to_string(n) + ")" +
               (children[c] == -1 ? " (a leaf has both children -1)" : "");
      }
    }
    if (!leaf && (t.feature[i] < 0 || t.feature[i] >= num_features)) {
      return At(tree_index, "feature", i) + ": feature index " + std::to_string(t.feature[i]) +
             " out of range [0, " + std::to_string(num_features) + ")";
    }
    if (!leaf && std::isnan(t.threshold[i])) return At(tree_index, "threshold", i) + ": NaN threshold";
    if (!std::isfinite(t.value[i])) return At(tree_index, "value", i) + ": not a finite number";
    if (!std::isfinite(t.cover[i]) || t.cover[i] < 0) {
      return At(tree_index, "cover", i) + ": must be a finite number >= 0";
    }
    if (t.missing_left[i] > 1) return At(tree_index, "missing_left", i) + ": must be 0 or 1";
  }
  // Every node reached exactly once from the root: no cycle, no shared or orphan node.
  std::vector<uint8_t> seen(n, 0);
  std::vector<int32_t> pending = {0};
  seen[0] = 1;
  while (!pending.empty()) {
    const int32_t node = pending.back();
    pending.pop_back();
    if (t.left[node] == -1) continue;
    for (int32_t child : {t.left[node], t.right[node]}) {
      if (seen[child]) {
        return At(tree_index, child == t.left[node] ? "left" : "right", node) + ": node " +
               std::to_string(child) + " is reached twice (cyclic or shared node)";
      }
      seen[child] = 1;
      pending.push_back(child);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!seen[i]) return tree + ": node " + std::to_string(i) + " is not reachable from the root";
  }
  return "";
}

}  // namespace

StatusOr<Ensemble> Ensemble::Create(EnsembleSpec spec) {
  if (spec.num_features <= 0) return CorruptBundleError("num_features: must be positive");
  if (!std::isfinite(spec.base_margin)) return CorruptBundleError("base_margin: not finite");
  if (!std::isfinite(spec.tree_scale)) return CorruptBundleError("tree_scale: not finite");
  if (spec.trees.empty()) return CorruptBundleError("trees: an ensemble needs at least one tree");
  for (size_t i = 0; i < spec.trees.size(); ++i) {
    std::string problem = CheckTree(spec.trees[i], i, spec.num_features);
    if (!problem.empty()) return CorruptBundleError(problem);
  }
  Ensemble ensemble;
  for (const TreeArrays& t : spec.trees) {
    const auto base = static_cast<int32_t>(ensemble.nodes_.size());
    ensemble.roots_.push_back(static_cast<uint32_t>(base));
    for (size_t i = 0; i < t.left.size(); ++i) {
      const bool leaf = t.left[i] == -1;
      ensemble.nodes_.push_back(Node{
          leaf ? -1 : t.feature[i], leaf ? -1 : base + t.left[i], leaf ? -1 : base + t.right[i],
          t.missing_left[i], leaf ? spec.tree_scale * t.value[i] : t.threshold[i]});
    }
  }
  ensemble.spec_ = std::move(spec);
  return ensemble;
}

inline double Ensemble::WalkTree(size_t root, const float* row) const {
  const Node* node = &nodes_[root];
  while (node->feature >= 0) {
    const float x = row[node->feature];
    const bool go_left = std::isnan(x) ? node->missing_left != 0
                                       : static_cast<double>(x) <= node->threshold_or_leaf;
    node = &nodes_[go_left ? node->left : node->right];
  }
  return node->threshold_or_leaf;
}

double Ensemble::PredictRaw(std::span<const float> features) const {
  double raw = spec_.base_margin;
  for (uint32_t root : roots_) raw += WalkTree(root, features.data());
  return raw;
}

void Ensemble::PredictRawBatch(std::span<const float> rows, std::span<double> raw_out) const {
  const size_t width = static_cast<size_t>(spec_.num_features);
  for (size_t r = 0; r < raw_out.size(); ++r) {
    raw_out[r] = PredictRaw(rows.subspan(r * width, width));
  }
}

double Ensemble::Link(double raw) const {
  switch (spec_.link) {
    case LinkFunction::kLogistic: return 1.0 / (1.0 + std::exp(-raw));
    case LinkFunction::kIdentity: return raw;
  }
  return raw;
}

}  // namespace stroke
