// Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent
// individualized feature attribution for tree ensembles", algorithm 2), on
// the ensemble's execution layout. The expected value uses the same cover
// fractions, so contributions + expected value = the raw value exactly (up
// to rounding).
#include <algorithm>
#include <array>

#include "ensemble_walk.h"
#include "stroke/ensemble.h"

namespace stroke {
namespace {

// 1/k: the algorithm divides by small integers in its inner loops; a
// multiplication by a reciprocal is several times cheaper than a division.
constexpr std::array<double, 257> kReciprocals = [] {
  std::array<double, 257> t{};
  for (int i = 1; i < 257; ++i) t[i] = 1.0 / i;
  return t;
}();

inline double Reciprocal(int k) { return k < 257 ? kReciprocals[k] : 1.0 / k; }

void ExtendPath(ShapPathElement* path, int depth, double zero_fraction, double one_fraction, int32_t feature) {
  path[depth] = {feature, zero_fraction, one_fraction, depth == 0 ? 1.0 : 0.0};
  const double inv = Reciprocal(depth + 1);
  for (int i = depth - 1; i >= 0; --i) {
    path[i + 1].weight += one_fraction * path[i].weight * (i + 1) * inv;
    path[i].weight = zero_fraction * path[i].weight * (depth - i) * inv;
  }
}

void UnwindPath(ShapPathElement* path, int depth, int index) {
  const double one_fraction = path[index].one_fraction;
  const double zero_fraction = path[index].zero_fraction;
  double next_one_portion = path[depth].weight;
  for (int i = depth - 1; i >= 0; --i) {
    if (one_fraction != 0) {
      const double tmp = path[i].weight;
      path[i].weight = next_one_portion * (depth + 1) / static_cast<double>((i + 1) * one_fraction);
      next_one_portion = tmp - path[i].weight * zero_fraction * (depth - i) / static_cast<double>(depth + 1);
    } else {
      path[i].weight = path[i].weight * (depth + 1) / static_cast<double>(zero_fraction * (depth - i));
    }
  }
  for (int i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

double UnwoundPathSum(const ShapPathElement* path, int depth, int index) {
  const double one_fraction = path[index].one_fraction;
  const double zero_fraction = path[index].zero_fraction;
  const double inv = Reciprocal(depth + 1);
  double next_one_portion = path[depth].weight;
  double total = 0;
  if (one_fraction != 0) {
    // The loop carries next_one_portion; keep that chain to one multiply and
    // one subtraction (the factors do not depend on it).
    const double scale = (depth + 1) / one_fraction;
    for (int i = depth - 1; i >= 0; --i) {
      const double to_total = scale * Reciprocal(i + 1);
      const double carried = to_total * zero_fraction * ((depth - i) * inv);
      total += next_one_portion * to_total;
      next_one_portion = path[i].weight - next_one_portion * carried;
    }
  } else if (zero_fraction != 0) {
    const double scale = (depth + 1) / zero_fraction;
    for (int i = depth - 1; i >= 0; --i) total += path[i].weight * scale * Reciprocal(depth - i);
  }
  return total;
}

}  // namespace

int Ensemble::Depth(uint32_t node) const {
  const Node& n = nodes_[node];
  if (n.feature < 0) return 0;
  return 1 + std::max(Depth(static_cast<uint32_t>(n.left)), Depth(static_cast<uint32_t>(n.right)));
}

double Ensemble::NodeMean(uint32_t node, size_t value_index) const {
  const Node& n = nodes_[node];
  if (n.feature < 0) return leaf_values_[static_cast<size_t>(n.left) + value_index];
  const auto left = static_cast<uint32_t>(n.left), right = static_cast<uint32_t>(n.right);
  if (covers_[node] <= 0) return 0.5 * (NodeMean(left, value_index) + NodeMean(right, value_index));
  return (covers_[left] * NodeMean(left, value_index) + covers_[right] * NodeMean(right, value_index)) / covers_[node];
}

void Ensemble::PrepareShap() {
  int max_depth = 0;
  for (const Root& root : roots_) max_depth = std::max(max_depth, Depth(root.node));
  shap_scratch_size_ = static_cast<size_t>((max_depth + 3) * (max_depth + 4) / 2);
  expected_value_.assign(static_cast<size_t>(spec_.num_outputs), 0.0);
  for (int k = 0; k < spec_.num_outputs; ++k) {
    double sum = spec_.base_margin[static_cast<size_t>(k)];
    for (const Root& root : roots_) {
      const int offset = k - static_cast<int>(root.output);
      if (offset >= 0 && offset < spec_.leaf_width) sum += NodeMean(root.node, static_cast<size_t>(offset));
    }
    if (spec_.aggregation == Aggregation::kMean) sum /= static_cast<double>(roots_.size());
    expected_value_[static_cast<size_t>(k)] = sum;
  }
}

template <SplitRule kRule>
void Ensemble::ShapTree(const double* row, uint32_t node_index, size_t value_index, double* phi,
                        ShapPathElement* parent_path, int depth, double zero_fraction, double one_fraction,
                        int32_t feature) const {
  ShapPathElement* path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  ExtendPath(path, depth, zero_fraction, one_fraction, feature);
  const Node& node = nodes_[node_index];
  if (node.feature < 0) {
    const double value = leaf_values_[static_cast<size_t>(node.left) + value_index];
    for (int i = 1; i <= depth; ++i) {
      const double w = UnwoundPathSum(path, depth, i);
      phi[path[i].feature] += w * (path[i].one_fraction - path[i].zero_fraction) * value;
    }
    return;
  }
  const bool left = GoesLeft<kRule, true>(node, row[node.feature]);
  const auto hot = static_cast<uint32_t>(left ? node.left : node.right);
  const auto cold = static_cast<uint32_t>(left ? node.right : node.left);
  const double cover = covers_[node_index];
  const double hot_zero = cover > 0 ? covers_[hot] / cover : 0.5;
  const double cold_zero = cover > 0 ? covers_[cold] / cover : 0.5;
  double incoming_zero = 1, incoming_one = 1;
  int index = 0;
  while (index <= depth && path[index].feature != node.feature) ++index;
  if (index <= depth) {  // the feature is already on the path: undo that split, redo it here
    incoming_zero = path[index].zero_fraction;
    incoming_one = path[index].one_fraction;
    UnwindPath(path, depth, index);
    depth -= 1;
  }
  ShapTree<kRule>(row, hot, value_index, phi, path, depth + 1, hot_zero * incoming_zero, incoming_one, node.feature);
  ShapTree<kRule>(row, cold, value_index, phi, path, depth + 1, cold_zero * incoming_zero, 0, node.feature);
}

void Ensemble::Shap(std::span<const double> row, int output, std::span<double> phi,
                    std::span<ShapPathElement> scratch) const {
  const size_t n = static_cast<size_t>(spec_.num_features);
  std::fill(phi.begin(), phi.begin() + static_cast<std::ptrdiff_t>(n), 0.0);
  for (const Root& root : roots_) {
    const int offset = output - static_cast<int>(root.output);
    if (offset < 0 || offset >= spec_.leaf_width) continue;
    const auto vi = static_cast<size_t>(offset);
    switch (spec_.split_rule) {
      case SplitRule::kLessEqualFloat32:
        ShapTree<SplitRule::kLessEqualFloat32>(row.data(), root.node, vi, phi.data(), scratch.data(), 0, 1, 1, -1);
        break;
      case SplitRule::kLessEqualFloat64:
        ShapTree<SplitRule::kLessEqualFloat64>(row.data(), root.node, vi, phi.data(), scratch.data(), 0, 1, 1, -1);
        break;
      case SplitRule::kLessFloat32:
        ShapTree<SplitRule::kLessFloat32>(row.data(), root.node, vi, phi.data(), scratch.data(), 0, 1, 1, -1);
        break;
    }
  }
  if (spec_.aggregation == Aggregation::kMean) {
    for (size_t i = 0; i < n; ++i) phi[i] /= static_cast<double>(roots_.size());
  }
}

}  // namespace stroke
