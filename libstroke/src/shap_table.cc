// Fast TreeSHAP v2 tables: the formula and the memory rule are in shap_table.h.
#include "shap_table.h"

#include <algorithm>
#include <array>

namespace stroke::internal {
namespace {

constexpr int kMax = ShapTables::kMaxFeatures;

// The path from the root to a node: its distinct features in order of first
// appearance and, for each, the product of its splits' cover fractions.
struct PathState {
  uint32_t node;
  uint32_t size;
  std::array<int32_t, kMax> features;
  std::array<double, kMax> zero;
};

// w(s) = s! (d - s - 1)! / d!, for 0 <= s < d <= kMax (exact factorials).
double ShapleyWeight(int s, int d) {
  constexpr std::array<double, kMax + 1> kFactorial = [] {
    std::array<double, kMax + 1> f{1};
    for (int i = 1; i <= kMax; ++i) f[i] = f[i - 1] * i;
    return f;
  }();
  return kFactorial[s] * kFactorial[d - s - 1] / kFactorial[d];
}

// The 2^d x d weights of a leaf whose path has d distinct features with zero
// fractions z: out[T * d + k] = (o_k - z_k) prod_{j notin R, j != k} z_j E(R),
// R = T \ {k} (shap_table.h).
void LeafWeights(const double* z, int d, double* out) {
  const uint32_t all = (1u << d) - 1;
  std::array<double, (1u << kMax)> e_of{};  // E(R); R = all never occurs (R lacks k)
  for (uint32_t r = 0; r < all; ++r) {
    std::array<double, kMax + 1> e{1.0};  // elementary symmetric polynomials of z_R
    int size = 0;
    for (int j = 0; j < d; ++j) {
      if (!((r >> j) & 1)) continue;
      ++size;
      for (int m = size; m > 0; --m) e[m] += z[j] * e[m - 1];
    }
    double sum = 0;
    for (int m = 0; m <= size; ++m) sum += ShapleyWeight(size - m, d) * e[m];
    e_of[r] = sum;
  }
  for (uint32_t t = 0; t <= all; ++t) {
    for (int k = 0; k < d; ++k) {
      const uint32_t r = t & ~(1u << k);
      double unknown = 1;  // features neither known nor k
      for (int j = 0; j < d; ++j) {
        if (j != k && !((r >> j) & 1)) unknown *= z[j];
      }
      const double followed = (t >> k) & 1;
      out[t * static_cast<uint32_t>(d) + static_cast<uint32_t>(k)] = (followed - z[k]) * unknown * e_of[r];
    }
  }
}

}  // namespace

ShapTables ShapTables::Build(const EnsembleSpec& spec) {
  ShapTables tables;
  size_t budget_left = kBudgetBytes;
  tables.tree_index_.assign(spec.trees.size(), -1);
  tables.contributions_ = spec.leaf_width == 1;
  for (size_t t = 0; t < spec.trees.size(); ++t) {
    if (tables.AddTree(spec.trees[t], spec.tree_scale, &budget_left)) tables.tree_index_[t] = static_cast<int32_t>(tables.trees_.size() - 1);
  }
  return tables;
}

// Depth first with an explicit stack (no recursion: a bundle chooses its
// trees' depth), so each split is listed before the splits below it.
bool ShapTables::AddTree(const TreeArrays& tree, double tree_scale, size_t* budget_left) {
  const Tree added{splits_.size(), 0, leaves_.size(), 0, tree.left.size()};
  const size_t first_feature = features_.size();
  std::vector<std::array<double, kMax>> leaf_zero;
  std::vector<PathState> pending = {PathState{0, 0, {}, {}}};
  size_t bytes = 0;
  bool fits = true;
  while (!pending.empty() && fits) {
    const PathState path = pending.back();
    pending.pop_back();
    if (tree.left[path.node] == -1) {
      leaves_.push_back({path.node, path.size, features_.size(), 0});
      features_.insert(features_.end(), path.features.begin(), path.features.begin() + path.size);
      leaf_zero.push_back(path.zero);
      bytes += (size_t{path.size} << path.size) * sizeof(double);
      continue;
    }
    const int32_t feature = tree.feature[path.node];
    uint32_t k = 0;
    while (k < path.size && path.features[k] != feature) ++k;
    const bool first = k == path.size;
    if (first && k == kMax) {
      fits = false;
      break;
    }
    const auto bit = static_cast<uint8_t>(1u << k);
    splits_.push_back({path.node, static_cast<uint32_t>(tree.left[path.node]),
                       static_cast<uint32_t>(tree.right[path.node]), first ? bit : uint8_t{0},
                       static_cast<uint8_t>(~bit)});
    const double cover = tree.cover[path.node];
    for (const int32_t child : {tree.right[path.node], tree.left[path.node]}) {
      PathState next = path;
      next.node = static_cast<uint32_t>(child);
      const double fraction = cover > 0 ? tree.cover[static_cast<size_t>(child)] / cover : 0.5;
      if (first) {
        next.features[k] = feature;
        next.zero[k] = fraction;
        next.size = k + 1;
      } else {
        next.zero[k] *= fraction;
      }
      pending.push_back(next);
    }
  }
  if (!fits || bytes > *budget_left) {
    splits_.resize(added.first_split);
    leaves_.resize(added.first_leaf);
    features_.resize(first_feature);
    return false;
  }
  *budget_left -= bytes;
  Tree& table = trees_.emplace_back(added);
  table.num_splits = splits_.size() - added.first_split;
  table.num_leaves = leaves_.size() - added.first_leaf;
  for (size_t i = 0; i < table.num_leaves; ++i) {
    Leaf& leaf = leaves_[added.first_leaf + i];
    leaf.weights = weights_.size();
    weights_.resize(weights_.size() + (size_t{leaf.size} << leaf.size));
    double* weights = weights_.data() + leaf.weights;
    LeafWeights(leaf_zero[i].data(), static_cast<int>(leaf.size), weights);
    if (!contributions_) continue;
    const double value = tree_scale * tree.value[leaf.node];  // as EnsembleEngine's leaf_values_
    for (size_t k = 0; k < (size_t{leaf.size} << leaf.size); ++k) weights[k] = value * weights[k];
  }
  max_nodes_ = std::max(max_nodes_, table.num_nodes);
  return true;
}

}  // namespace stroke::internal
