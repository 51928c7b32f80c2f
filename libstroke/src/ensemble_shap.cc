// Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent
// individualized feature attribution for tree ensembles", algorithm 2), on
// the ensemble's execution layout, and, for the trees that have one, its
// precomputed form (Fast TreeSHAP v2, shap_table.h): the row's followed
// features per leaf, then a table read. The expected value uses the same
// cover fractions, so contributions + expected value = the raw value exactly
// (up to rounding).
#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <limits>
#include <vector>

#include "ensemble_walk.h"

namespace stroke::internal {
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

// a + b and a * b, saturating at SIZE_MAX instead of wrapping.
size_t AddSaturating(size_t a, size_t b) { return b > SIZE_MAX - a ? SIZE_MAX : a + b; }
size_t MulSaturating(size_t a, size_t b) { return a != 0 && b > SIZE_MAX / a ? SIZE_MAX : a * b; }

// What TreeSHAP needs for trees of depth <= `depth` over `features`
// features. The path at level l holds min(l, features) + 1 elements (the
// root's placeholder and one per distinct feature split on above) and sits
// just after its parent's, with one spare element (the copy reads one past
// the parent's path): sum over l of (min(l, features) + 2), plus the
// placeholder before the root's. At most one subtree per level waits.
struct ShapCapacity {
  size_t path;
  size_t pending;
};

ShapCapacity ShapCapacityFor(size_t depth, size_t features) {
  const size_t full = std::min(depth, features);  // levels 0..full hold l + 1 elements
  size_t path = MulSaturating(full, full + 1) / 2;  // sum of l for l <= full (exact below SIZE_MAX)
  path = AddSaturating(path, MulSaturating(depth - full, features));  // levels full+1..depth
  path = AddSaturating(path, MulSaturating(AddSaturating(depth, 1), 2));
  return {AddSaturating(path, 2), AddSaturating(depth, 2)};
}

}  // namespace

const ShapTables* EnsembleEngine::shap_tables() const {
  return shap_tables_ && shap_tables_->ready.load(std::memory_order_acquire) ? &shap_tables_->tables : nullptr;
}

bool EnsembleEngine::SizeShapBuffers(ShapBuffers* buffers) const {
  if (shap_tables_) {
    LazyShapTables& lazy = *shap_tables_;
    std::call_once(lazy.once, [&] {
      try {
        lazy.tables = ShapTables::Build(spec_);
        lazy.ready.store(true, std::memory_order_release);
      } catch (const std::exception&) {  // no memory for them: every tree takes algorithm 2
      }
    });
  }
  const ShapTables* tables = shap_tables();
  const ShapCapacity need = ShapCapacityFor(static_cast<size_t>(max_depth_), static_cast<size_t>(spec_.num_features));
  try {
    buffers->path.resize(need.path);
    buffers->pending.resize(need.pending);
    buffers->followed.resize(tables ? tables->max_nodes() : 0);
    buffers->partial.resize(tables ? kPartialSums * static_cast<size_t>(spec_.num_features) : 0);
  } catch (const std::exception&) {  // too much to allocate
    *buffers = {};
    return false;
  }
  return true;
}

double EnsembleEngine::TreeMean(size_t tree, size_t value_index, std::vector<uint32_t>* order,
                          std::vector<double>* mean) const {
  const uint32_t root = roots_[tree].node;
  const size_t size = (tree + 1 < roots_.size() ? roots_[tree + 1].node : nodes_.size()) - root;
  order->clear();  // breadth-first: each node before its children
  order->push_back(root);
  for (size_t i = 0; i < order->size(); ++i) {
    const Node& n = nodes_[(*order)[i]];
    if (n.feature < 0) continue;
    order->push_back(static_cast<uint32_t>(n.left));
    order->push_back(static_cast<uint32_t>(n.right));
  }
  mean->assign(size, 0.0);
  for (size_t i = order->size(); i-- > 0;) {
    const uint32_t node = (*order)[i];
    const Node& n = nodes_[node];
    double& m = (*mean)[node - root];
    if (n.feature < 0) {
      m = leaf_values_[static_cast<size_t>(n.left) + value_index];
      continue;
    }
    const auto left = static_cast<uint32_t>(n.left), right = static_cast<uint32_t>(n.right);
    const double l = (*mean)[left - root], r = (*mean)[right - root];
    m = covers_[node] <= 0 ? 0.5 * (l + r) : (covers_[left] * l + covers_[right] * r) / covers_[node];
  }
  return (*mean)[0];
}

void EnsembleEngine::PrepareShap() {
  expected_value_.assign(static_cast<size_t>(spec_.num_outputs), 0.0);
  std::vector<uint32_t> order;
  std::vector<double> mean;
  for (int k = 0; k < spec_.num_outputs; ++k) {
    double sum = spec_.base_margin[static_cast<size_t>(k)];
    for (size_t t = 0; t < roots_.size(); ++t) {
      const int offset = k - static_cast<int>(roots_[t].output);
      if (offset >= 0 && offset < spec_.leaf_width) sum += TreeMean(t, static_cast<size_t>(offset), &order, &mean);
    }
    if (spec_.aggregation == Aggregation::kMean) sum /= static_cast<double>(roots_.size());
    expected_value_[static_cast<size_t>(k)] = sum;
  }
}

// Algorithm 2's RECURSE, with the recursion replaced by a stack of pending
// subtrees: each node's hot child is visited first, then its cold one, as
// the recursion does, so the contributions add up in the same order.
template <SplitRule kRule>
void EnsembleEngine::ShapTree(const double* row, uint32_t root, size_t value_index, double* phi,
                              ShapBuffers& scratch) const {
  ShapPathElement* const paths = scratch.path.data();
  ShapBuffers::Pending* const pending = scratch.pending.data();
  size_t waiting = 0;
  pending[waiting++] = {root, 0, 0, 1, 1, -1};
  while (waiting > 0) {
    const ShapBuffers::Pending visit = pending[--waiting];
    int depth = static_cast<int>(visit.depth);
    const ShapPathElement* parent_path = paths + visit.parent;
    ShapPathElement* path = paths + visit.parent + visit.depth + 1;
    std::copy(parent_path, parent_path + depth + 1, path);
    ExtendPath(path, depth, visit.zero_fraction, visit.one_fraction, visit.feature);
    const Node& node = nodes_[visit.node];
    if (node.feature < 0) {
      const double value = leaf_values_[static_cast<size_t>(node.left) + value_index];
      for (int i = 1; i <= depth; ++i) {
        const double w = UnwoundPathSum(path, depth, i);
        phi[path[i].feature] += w * (path[i].one_fraction - path[i].zero_fraction) * value;
      }
      continue;
    }
    const bool left = GoesLeft<kRule, true>(node, row[node.feature]);
    const auto hot = static_cast<uint32_t>(left ? node.left : node.right);
    const auto cold = static_cast<uint32_t>(left ? node.right : node.left);
    const double cover = covers_[visit.node];
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
    const size_t here = static_cast<size_t>(path - paths);
    const auto next = static_cast<uint32_t>(depth + 1);
    pending[waiting++] = {cold, next, here, cold_zero * incoming_zero, 0, node.feature};
    pending[waiting++] = {hot, next, here, hot_zero * incoming_zero, incoming_one, node.feature};
  }
}

// One table tree (shap_table.h): each split, parents first, passes its
// followed-feature bits to its children (the path's way keeps the node's
// feature's bit, set where the path meets the feature first; the other way
// clears it); each leaf then adds its table row for those bits, leaf i into
// partial sum i % kPartialSums (partial[(i % kPartialSums) * stride + feature]):
// sibling leaves share features, and one sum would chain their additions.
template <SplitRule kRule, bool kSpecial>
void EnsembleEngine::ShapTableTree(const double* row, uint32_t root, const ShapTables::Tree& tree,
                                   size_t value_index, double* partial, size_t stride, uint8_t* followed) const {
  const ShapTables& tables = shap_tables_->tables;
  followed[0] = 0;
  const ShapTables::Split* split = tables.splits() + tree.first_split;
  for (size_t i = 0; i < tree.num_splits; ++i, ++split) {
    const Node& node = nodes_[root + split->node];
    const bool left = GoesLeft<kRule, kSpecial>(node, row[node.feature]);
    const auto on = static_cast<uint8_t>(followed[split->node] | split->first_bit);
    const auto off = static_cast<uint8_t>(on & split->keep);
    // left ? on : off (and the reverse) without a branch: the compiler made
    // one, which the rows' directions mispredict.
    const auto swap = static_cast<uint8_t>((on ^ off) & -static_cast<int>(left));
    followed[split->left] = static_cast<uint8_t>(off ^ swap);
    followed[split->right] = static_cast<uint8_t>(on ^ swap);
  }
  const ShapTables::Leaf* leaf = tables.leaves() + tree.first_leaf;
  for (size_t i = 0; i < tree.num_leaves; ++i, ++leaf) {
    const double value =  // 1: the table holds value * weight (shap_table.h)
        tables.contributions() ? 1.0 : leaf_values_[static_cast<size_t>(nodes_[root + leaf->node].left) + value_index];
    const double* weights = tables.weights() + leaf->weights + size_t{followed[leaf->node]} * leaf->size;
    const int32_t* features = tables.features() + leaf->features;
    double* sums = partial + (i % kPartialSums) * stride;
    for (uint32_t k = 0; k < leaf->size; ++k) sums[features[k]] += value * weights[k];
  }
}

template <SplitRule kRule>
void EnsembleEngine::ShapTrees(const double* row, int output, double* phi, ShapBuffers& scratch,
                               const ShapTables* tables) const {
  const size_t n = static_cast<size_t>(spec_.num_features);
  if (tables) std::fill(scratch.partial.begin(), scratch.partial.begin() + kPartialSums * n, 0.0);
  for (size_t t = 0; t < roots_.size(); ++t) {
    const Root& root = roots_[t];
    const int offset = output - static_cast<int>(root.output);
    if (offset < 0 || offset >= spec_.leaf_width) continue;
    const auto vi = static_cast<size_t>(offset);
    const ShapTables::Tree* table = tables ? tables->tree(t) : nullptr;
    if (table) {
      if (special_) {
        ShapTableTree<kRule, true>(row, root.node, *table, vi, scratch.partial.data(), n, scratch.followed.data());
      } else {
        ShapTableTree<kRule, false>(row, root.node, *table, vi, scratch.partial.data(), n, scratch.followed.data());
      }
    } else {
      ShapTree<kRule>(row, root.node, vi, phi, scratch);
    }
  }
  if (!tables) return;
  for (size_t j = 0; j < kPartialSums; ++j) {
    for (size_t i = 0; i < n; ++i) phi[i] += scratch.partial[j * n + i];
  }
}

void EnsembleEngine::Shap(const double* row, int output, double* phi, ShapBuffers& scratch,
                          ShapMethod method) const {
  const size_t n = static_cast<size_t>(spec_.num_features);
  const ShapCapacity need = ShapCapacityFor(static_cast<size_t>(max_depth_), n);
  const ShapTables* tables = method == ShapMethod::kTables ? shap_tables() : nullptr;
  if (scratch.path.size() < need.path || scratch.pending.size() < need.pending ||
      (tables && (scratch.followed.size() < tables->max_nodes() || scratch.partial.size() < kPartialSums * n))) {
    std::fill(phi, phi + n, std::numeric_limits<double>::quiet_NaN());
    return;
  }
  std::fill(phi, phi + n, 0.0);
  switch (spec_.split_rule) {
    case SplitRule::kLessEqualFloat32:
      ShapTrees<SplitRule::kLessEqualFloat32>(row, output, phi, scratch, tables);
      break;
    case SplitRule::kLessEqualFloat64:
      ShapTrees<SplitRule::kLessEqualFloat64>(row, output, phi, scratch, tables);
      break;
    case SplitRule::kLessFloat32:
      ShapTrees<SplitRule::kLessFloat32>(row, output, phi, scratch, tables);
      break;
  }
  if (spec_.aggregation == Aggregation::kMean) {
    for (size_t i = 0; i < n; ++i) phi[i] /= static_cast<double>(roots_.size());
  }
}

}  // namespace stroke::internal
