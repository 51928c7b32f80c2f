#include "ensemble_engine.h"

#include "blocked_trees.h"
#include "complete_trees.h"
#include "ensemble_walk.h"
#include "link_functions.h"
#include "load_limits.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>

namespace stroke::internal {
namespace {

// Nodes and leaf values are addressed with 32-bit indices (Node), whatever
// the LoadOptions say.
constexpr size_t kMaxIndex = static_cast<size_t>(std::numeric_limits<int32_t>::max());

std::string At(size_t tree, const char* array, size_t node) {
  return "trees[" + std::to_string(tree) + "]." + array + "[" + std::to_string(node) + "]";
}


std::array<uint32_t, 8> Bitset(const std::vector<int32_t>& categories) {
  std::array<uint32_t, 8> bits{};
  for (int32_t c : categories) bits[static_cast<uint32_t>(c) / 32] |= 1u << (static_cast<uint32_t>(c) % 32);
  return bits;
}

// "" or the first category outside 0..255.
std::string CheckCategories(const std::vector<int32_t>& categories, const std::string& path) {
  for (size_t i = 0; i < categories.size(); ++i) {
    if (categories[i] < 0 || categories[i] > 255) {
      return path + "[" + std::to_string(i) + "]: category " + std::to_string(categories[i]) +
             " outside [0, 255]";
    }
  }
  return "";
}

// What validation learns about a tree's shape.
struct TreeShape {
  size_t depth = 0;   // edges from the root to the deepest leaf
  size_t leaves = 0;
};

// Checks one tree's arrays; returns "" or the first problem with its path,
// and fills `shape`. Iterative, linear in the tree's nodes.
std::string CheckTree(const TreeArrays& t, size_t tree_index, const EnsembleSpec& spec,
                      const std::vector<bool>& categorical_feature, const LoadOptions& limits, TreeShape* shape) {
  const std::string tree = "trees[" + std::to_string(tree_index) + "]";
  const size_t n = t.left.size();
  if (n == 0) return tree + ".left: a tree needs at least one node";
  if (n > limits.max_tree_nodes) {
    return tree + ": " + OverLimit("node count " + std::to_string(n), limits.max_tree_nodes, "max_tree_nodes");
  }
  const size_t width = static_cast<size_t>(spec.leaf_width);
  const std::pair<const char*, size_t> lengths[] = {
      {"feature", t.feature.size()}, {"threshold", t.threshold.size()},
      {"right", t.right.size()},     {"value", t.value.size() / width},
      {"cover", t.cover.size()},     {"missing_left", t.missing_left.size()}};
  for (const auto& [name, size] : lengths) {
    if (size != n) {
      return tree + "." + name + ": has " + std::to_string(size) + " entries" +
             (name == std::string("value") && width > 1 ? " of " + std::to_string(width) : "") +
             ", \"left\" has " + std::to_string(n) + " (arrays must have equal length)";
    }
  }
  if (t.value.size() != n * width) {
    return tree + ".value: needs " + std::to_string(n * width) + " numbers (" + std::to_string(width) + " per node)";
  }
  if (t.output < 0 || t.output + spec.leaf_width > spec.num_outputs) {
    return tree + ".output: " + std::to_string(t.output) + " out of range for " +
           std::to_string(spec.num_outputs) + " outputs";
  }
  const bool has_categorical = !t.categorical.empty();
  if (has_categorical && (t.categorical.size() != n || t.left_categories.size() != n)) {
    return tree + ".categorical: \"categorical\" and \"left_categories\" need one entry per node";
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
    if (!leaf && (t.feature[i] < 0 || t.feature[i] >= spec.num_features)) {
      return At(tree_index, "feature", i) + ": feature index " + std::to_string(t.feature[i]) +
             " out of range [0, " + std::to_string(spec.num_features) + ")";
    }
    const bool categorical = has_categorical && t.categorical[i] != 0;
    if (!leaf && !categorical && std::isnan(t.threshold[i])) return At(tree_index, "threshold", i) + ": NaN threshold";
    if (!leaf && categorical) {
      if (!categorical_feature[t.feature[i]]) {
        return At(tree_index, "categorical", i) + ": feature " + std::to_string(t.feature[i]) +
               " has no \"known_categories\"";
      }
      std::string bad = CheckCategories(t.left_categories[i], At(tree_index, "left_categories", i));
      if (!bad.empty()) return bad;
    }
    for (size_t j = 0; j < width; ++j) {
      if (!std::isfinite(t.value[i * width + j])) return At(tree_index, "value", i * width + j) + ": not a finite number";
    }
    if (!std::isfinite(t.cover[i]) || t.cover[i] < 0) {
      return At(tree_index, "cover", i) + ": must be a finite number >= 0";
    }
    if (t.missing_left[i] > 1) return At(tree_index, "missing_left", i) + ": must be 0 or 1";
  }
  // Every node reached exactly once from the root: no cycle, no shared or
  // orphan node. A node is pushed at most once, so this ends even on cycles.
  std::vector<uint8_t> seen(n, 0);
  struct Visit {
    int32_t node;
    size_t depth;
  };
  std::vector<Visit> pending = {{0, 0}};
  seen[0] = 1;
  *shape = TreeShape{};
  while (!pending.empty()) {
    const Visit visit = pending.back();
    pending.pop_back();
    const int32_t node = visit.node;
    shape->depth = std::max(shape->depth, visit.depth);
    if (t.left[node] == -1) {
      ++shape->leaves;
      continue;
    }
    for (int c = 0; c < 2; ++c) {
      const int32_t child = c == 0 ? t.left[node] : t.right[node];
      if (seen[child]) {
        return At(tree_index, c == 0 ? "left" : "right", node) + ": node " + std::to_string(child) +
               " is reached twice (cyclic or shared node)";
      }
      seen[child] = 1;
      pending.push_back({child, visit.depth + 1});
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!seen[i]) return tree + ": node " + std::to_string(i) + " is not reachable from the root";
  }
  if (shape->depth > limits.max_tree_depth) {
    return tree + ": " + OverLimit("depth " + std::to_string(shape->depth), limits.max_tree_depth, "max_tree_depth");
  }
  return "";
}

std::string CheckSpec(const EnsembleSpec& spec, const LoadOptions& limits) {
  if (spec.num_features <= 0) return "num_features: must be positive";
  if (static_cast<size_t>(spec.num_features) > limits.max_features) {
    return "num_features: " + OverLimit("feature count " + std::to_string(spec.num_features), limits.max_features,
                                        "max_features");
  }
  if (spec.num_outputs < 1 || spec.num_outputs > kMaxOutputs) {
    return "num_outputs: must be in [1, " + std::to_string(kMaxOutputs) + "] (kMaxOutputs: a Prediction holds " +
           std::to_string(kMaxOutputs) + " class probabilities), got " + std::to_string(spec.num_outputs);
  }
  if (spec.leaf_width != 1 && spec.leaf_width != spec.num_outputs) return "leaf_width: must be 1 or num_outputs";
  if (spec.base_margin.size() != static_cast<size_t>(spec.num_outputs)) return "base_margin: needs one number per output";
  for (double b : spec.base_margin) {
    if (!std::isfinite(b)) return "base_margin: not finite";
  }
  if (!std::isfinite(spec.tree_scale)) return "tree_scale: not finite";
  if (spec.link == LinkFunction::kLogistic && spec.num_outputs != 1) return "link: logistic needs exactly 1 output";
  if ((spec.link == LinkFunction::kSoftmax || spec.link == LinkFunction::kSoftmaxLogSumExp) && spec.num_outputs < 2) {
    return "link: softmax needs 2 or more outputs";
  }
  if (spec.link == LinkFunction::kSoftmaxLogSumExp && spec.precision == Precision::kFloat32) {
    return "link: softmax_logsumexp is computed in float64 (scikit-learn); precision must be float64";
  }
  if (spec.trees.empty()) return "trees: an ensemble needs at least one tree";
  if (spec.trees.size() > limits.max_trees) {
    return "trees: " + OverLimit("tree count " + std::to_string(spec.trees.size()), limits.max_trees, "max_trees");
  }
  size_t nodes = 0;
  for (const TreeArrays& t : spec.trees) nodes += t.left.size();  // each below max_size(): no wrap
  if (nodes > limits.max_total_nodes) {
    return "trees: " + OverLimit("total node count " + std::to_string(nodes), limits.max_total_nodes,
                                 "max_total_nodes");
  }
  if (nodes > kMaxIndex) {
    return "trees: total node count " + std::to_string(nodes) + " exceeds " + std::to_string(kMaxIndex) +
           ", the most 32-bit node indices address";
  }
  for (size_t i = 0; i < spec.known_categories.size(); ++i) {
    const KnownCategories& known = spec.known_categories[i];
    const std::string path = "known_categories[" + std::to_string(i) + "]";
    if (known.feature < 0 || known.feature >= spec.num_features) return path + ".feature: out of range";
    std::string bad = CheckCategories(known.categories, path + ".categories");
    if (!bad.empty()) return bad;
  }
  return "";
}

}  // namespace

StatusOr<EnsembleEngine> EnsembleEngine::Create(EnsembleSpec spec, const LoadOptions& limits) {
  if (std::string problem = CheckSpec(spec, limits); !problem.empty()) return CorruptBundleError(problem);
  EnsembleEngine e;
  std::vector<bool> categorical_feature(static_cast<size_t>(spec.num_features), false);
  e.known_bitset_.assign(static_cast<size_t>(spec.num_features), -1);
  for (const KnownCategories& known : spec.known_categories) {
    categorical_feature[known.feature] = true;
    e.known_bitset_[known.feature] = static_cast<int32_t>(e.bitsets_.size());
    e.bitsets_.push_back(Bitset(known.categories));
  }
  const size_t width = static_cast<size_t>(spec.leaf_width);
  size_t leaf_values = 0;
  for (size_t i = 0; i < spec.trees.size(); ++i) {
    TreeShape shape;
    std::string problem = CheckTree(spec.trees[i], i, spec, categorical_feature, limits, &shape);
    if (!problem.empty()) return CorruptBundleError(problem);
    e.max_depth_ = std::max(e.max_depth_, static_cast<int>(shape.depth));  // depth < nodes <= kMaxIndex
    leaf_values += shape.leaves * width;
  }
  if (leaf_values > kMaxIndex) {
    return CorruptBundleError("trees: " + std::to_string(leaf_values) + " leaf values exceed " +
                              std::to_string(kMaxIndex) + ", the most 32-bit offsets address");
  }
  for (const TreeArrays& t : spec.trees) {
    const auto base = static_cast<int32_t>(e.nodes_.size());
    e.roots_.push_back({static_cast<uint32_t>(base), static_cast<uint32_t>(t.output)});
    for (size_t i = 0; i < t.left.size(); ++i) {
      Node node{-1, -1, -1, -1, t.missing_left[i], t.threshold[i]};
      if (t.left[i] == -1) {
        node.left = static_cast<int32_t>(e.leaf_values_.size());
        for (size_t j = 0; j < width; ++j) e.leaf_values_.push_back(spec.tree_scale * t.value[i * width + j]);
        node.threshold = e.leaf_values_[static_cast<size_t>(node.left)];
      } else {
        node.feature = t.feature[i];
        node.left = base + t.left[i];
        node.right = base + t.right[i];
        if (!t.categorical.empty() && t.categorical[i]) {
          node.bitset = static_cast<int32_t>(e.bitsets_.size());
          e.bitsets_.push_back(Bitset(t.left_categories[i]));
        }
      }
      e.nodes_.push_back(node);
      e.covers_.push_back(t.cover[i]);
    }
  }
  e.special_ = spec.handles_missing || !e.bitsets_.empty();
  e.complete_ = CompleteTrees::Build(spec, e.max_depth_);
  if (!e.complete_ || spec.handles_missing) e.blocked_ = BlockedTrees::Build(spec);
  e.spec_ = std::move(spec);
  e.PrepareShap();
  return e;
}

template <SplitRule kRule, bool kSpecial>
inline const EnsembleEngine::Node& EnsembleEngine::Walk(uint32_t root, const double* row) const {
  const Node* node = &nodes_[root];
  while (node->feature >= 0) {
    node = &nodes_[GoesLeft<kRule, kSpecial>(*node, row[node->feature]) ? node->left : node->right];
  }
  return *node;
}

template <SplitRule kRule, bool kSpecial, typename Real>
void EnsembleEngine::Accumulate(const double* row, Real* acc) const {
  if (spec_.leaf_width == 1) {
    for (const Root& root : roots_) acc[root.output] += static_cast<Real>(Walk<kRule, kSpecial>(root.node, row).threshold);
    return;
  }
  const size_t width = static_cast<size_t>(spec_.leaf_width);
  for (const Root& root : roots_) {
    const double* values = &leaf_values_[static_cast<size_t>(Walk<kRule, kSpecial>(root.node, row).left)];
    for (size_t j = 0; j < width; ++j) acc[root.output + j] += static_cast<Real>(values[j]);
  }
}

bool EnsembleEngine::CompleteFits(const double* rows, size_t n) const {
  if (!complete_) return false;
  if (!spec_.handles_missing) return true;  // Model::Prepare lets no NaN through
  // Counted, not searched, and on the bits (a NaN's exponent is all ones and
  // its mantissa not zero), so the loop vectorizes; x != x did not.
  constexpr uint64_t kMagnitude = ~(uint64_t{1} << 63), kInfinity = uint64_t{0x7ff} << 52;
  uint64_t nans = 0;
  for (size_t i = 0; i < n * static_cast<size_t>(spec_.num_features); ++i) {
    uint64_t bits;
    std::memcpy(&bits, &rows[i], sizeof bits);
    nans += (bits & kMagnitude) > kInfinity;
  }
  return nans == 0;
}

template <typename Real>
void EnsembleEngine::Dispatch(const double* row, Real* acc) const {
  if (CompleteFits(row, 1)) return complete_->Accumulate(row, acc);
  switch (spec_.split_rule) {
    case SplitRule::kLessFloat32:
      return special_ ? Accumulate<SplitRule::kLessFloat32, true>(row, acc)
                      : Accumulate<SplitRule::kLessFloat32, false>(row, acc);
    case SplitRule::kLessEqualFloat64:
      return special_ ? Accumulate<SplitRule::kLessEqualFloat64, true>(row, acc)
                      : Accumulate<SplitRule::kLessEqualFloat64, false>(row, acc);
    case SplitRule::kLessEqualFloat32:
      return special_ ? Accumulate<SplitRule::kLessEqualFloat32, true>(row, acc)
                      : Accumulate<SplitRule::kLessEqualFloat32, false>(row, acc);
  }
}

template <typename Real>
void EnsembleEngine::AccumulateRows(const double* rows, size_t n, Real* acc) const {
  const auto k = static_cast<size_t>(spec_.num_outputs), width = static_cast<size_t>(spec_.num_features);
  for (size_t r = 0; r < n; ++r) {
    for (size_t i = 0; i < k; ++i) acc[r * k + i] = static_cast<Real>(spec_.base_margin[i]);
  }
  if (CompleteFits(rows, n)) return complete_->AccumulateRows(rows, n, width, acc, k);
  if (blocked_ && n > 1) return blocked_->AccumulateRows(rows, n, width, acc, k);
  for (size_t r = 0; r < n; ++r) Dispatch(rows + r * width, acc + r * k);
}

void EnsembleEngine::PredictRawBatch(const double* rows, size_t n, double* raw) const {
  const auto k = static_cast<size_t>(spec_.num_outputs);
  const bool mean = spec_.aggregation == Aggregation::kMean;
  if (spec_.precision == Precision::kFloat32) {
    // Float sums in a stack buffer of kChunkValues (32 KB), as many rows a
    // chunk as fit: the blocked layout reads the forest once a chunk.
    constexpr size_t kChunkValues = 8192;
    float acc[kChunkValues];
    const size_t chunk = kChunkValues / k;
    const auto trees = static_cast<float>(roots_.size());
    const auto width = static_cast<size_t>(spec_.num_features);
    for (size_t first = 0; first < n; first += chunk) {
      const size_t rows_here = std::min(chunk, n - first);
      AccumulateRows(rows + first * width, rows_here, acc);
      for (size_t i = 0; i < rows_here * k; ++i) raw[first * k + i] = mean ? acc[i] / trees : acc[i];
    }
    return;
  }
  AccumulateRows(rows, n, raw);
  if (mean) {
    const auto trees = static_cast<double>(roots_.size());
    for (size_t i = 0; i < n * k; ++i) raw[i] /= trees;
  }
}

std::string EnsembleEngine::layout() const {
  const std::string batches = blocked_ ? "; batches: blocked trees" : "";
  if (!complete_) return "node walk" + batches;
  const std::string kernel = complete_->bitmask() ? ", AVX-512 bitmask batches"
                             : complete_->gather() ? ", AVX-512 gather batches"
                                                   : "";
  return "complete depth " + std::to_string(complete_->depth()) + kernel +
         (blocked_ ? "; batches with NaN: blocked trees" : "");
}

void EnsembleEngine::Link(const double* raw, double* out) const {
  const int k = spec_.num_outputs;
  const bool f32 = spec_.precision == Precision::kFloat32;
  switch (spec_.link) {
    case LinkFunction::kIdentity:
      for (int i = 0; i < k; ++i) out[i] = raw[i];
      return;
    case LinkFunction::kLogistic:
      if (f32) {
        // XGBoost's common::Sigmoid, in float32.
        out[0] = 1.0f / (std::exp(-static_cast<float>(raw[0])) + 1.0f);
      } else {
        out[0] = 1.0 / (1.0 + std::exp(-raw[0]));
      }
      return;
    case LinkFunction::kSoftmax:
      if (f32) {
        SoftmaxFloat32(raw, k, out);
      } else {
        SoftmaxNormalized(raw, k, out);
      }
      return;
    case LinkFunction::kSoftmaxLogSumExp:
      SoftmaxLogSumExp(raw, k, out);
      return;
  }
}

}  // namespace stroke::internal
