#include "blocked_trees.h"

#include <algorithm>
#include <limits>

#include "complete_trees.h"

namespace stroke {

std::unique_ptr<BlockedTrees> BlockedTrees::Build(const EnsembleSpec& spec) {
  for (const TreeArrays& t : spec.trees) {
    if (std::any_of(t.categorical.begin(), t.categorical.end(), [](uint8_t c) { return c != 0; })) return nullptr;
  }
  auto b = std::unique_ptr<BlockedTrees>(new BlockedTrees());
  b->leaf_width_ = static_cast<size_t>(spec.leaf_width);
  b->missing_ = spec.handles_missing;
  std::vector<int32_t> order;   // order[i]: the spec's index of the tree's node i (breadth-first)
  std::vector<uint32_t> depth;  // depth[i]: node i's depth
  for (const TreeArrays& t : spec.trees) {
    const auto root = static_cast<uint32_t>(b->nodes_.size());
    order.assign(1, 0);
    depth.assign(1, 0);
    b->nodes_.push_back({});
    b->leaf_of_node_.push_back(0);
    for (size_t i = 0; i < order.size(); ++i) {
      const auto node = static_cast<size_t>(order[i]);
      const auto at = static_cast<uint32_t>(root + i);
      Node laid{std::numeric_limits<double>::quiet_NaN(), 0, at - 1};  // a leaf: every row goes right, to itself
      if (t.left[node] == -1) {
        b->leaf_of_node_[at] = static_cast<uint32_t>(b->leaf_values_.size());
        for (size_t j = 0; j < b->leaf_width_; ++j) {
          b->leaf_values_.push_back(spec.tree_scale * t.value[node * b->leaf_width_ + j]);
        }
      } else {
        laid.feature = t.feature[node];
        laid.bound = LeftBound(spec.split_rule, t.threshold[node]);
        laid.next = static_cast<uint32_t>(root + order.size()) | (t.missing_left[node] ? kMissingLeft : 0u);
        order.push_back(t.left[node]);
        order.push_back(t.right[node]);
        depth.insert(depth.end(), 2, depth[i] + 1);
        b->nodes_.resize(b->nodes_.size() + 2);
        b->leaf_of_node_.resize(b->nodes_.size(), 0);
      }
      b->nodes_[at] = laid;
    }
    b->trees_.push_back({root, static_cast<uint32_t>(t.output), depth.back()});  // breadth-first: the last is deepest
  }
  return b;
}

template <bool kMissing>
inline uint32_t BlockedTrees::Step(uint32_t at, const double* row) const {
  const Node& node = nodes_[at];
  const double x = row[node.feature];
  bool left = x <= node.bound;
  if (kMissing && x != x) left = (node.next & kMissingLeft) != 0;
  return (node.next & ~kMissingLeft) + (left ? 0u : 1u);
}

template <bool kMissing, size_t kWidth, typename Real>
void BlockedTrees::AccumulateBlock(const double* rows, size_t n, size_t width, Real* acc, size_t stride) const {
  const size_t leaf_width = kWidth == 0 ? leaf_width_ : kWidth;
  uint32_t at[kBlockRows];                  // each row's node in the current tree
  uint16_t walking[kBlockRows + kLanes];    // the rows not yet at a leaf (room to pad the last group)
  for (const Tree& tree : trees_) {
    std::fill(at, at + n, tree.root);
    size_t count = tree.depth == 0 ? 0 : n;
    for (size_t r = 0; r < count; ++r) walking[r] = static_cast<uint16_t>(r);
    while (count > 0) {
      // kLanes rows take kStepsPerRound steps together (a row at its leaf stays
      // there); the last group is padded with its last row, which then walks
      // in two lanes to the same node.
      for (size_t i = count; i % kLanes != 0; ++i) walking[i] = walking[count - 1];
      for (size_t group = 0; group < count; group += kLanes) {
        uint32_t node[kLanes];
        const double* row[kLanes];
        for (size_t lane = 0; lane < kLanes; ++lane) {
          node[lane] = at[walking[group + lane]];
          row[lane] = rows + walking[group + lane] * width;
        }
        for (size_t step = 0; step < kStepsPerRound; ++step) {
          for (size_t lane = 0; lane < kLanes; ++lane) node[lane] = Step<kMissing>(node[lane], row[lane]);
        }
        for (size_t lane = 0; lane < kLanes; ++lane) at[walking[group + lane]] = node[lane];
      }
      // Rows at a leaf leave the walk (no branch: each row is written, and kept or overwritten).
      size_t kept = 0;
      for (size_t i = 0; i < count; ++i) {
        const uint16_t r = walking[i];
        walking[kept] = r;
        kept += (nodes_[at[r]].next & ~kMissingLeft) > at[r];  // a leaf's child index is below its own
      }
      count = kept;
    }
    for (size_t r = 0; r < n; ++r) {
      Real* out = acc + r * stride + tree.output;
      const double* values = &leaf_values_[leaf_of_node_[at[r]]];
      for (size_t j = 0; j < leaf_width; ++j) out[j] += static_cast<Real>(values[j]);
    }
  }
}

template <typename Real>
void BlockedTrees::AccumulateRows(const double* rows, size_t n, size_t width, Real* acc, size_t stride) const {
  for (size_t first = 0; first < n; first += kBlockRows) {
    const size_t count = std::min(kBlockRows, n - first);
    const double* block = rows + first * width;
    Real* out = acc + first * stride;
    if (missing_) {
      leaf_width_ == 1 ? AccumulateBlock<true, 1>(block, count, width, out, stride)
                       : AccumulateBlock<true, 0>(block, count, width, out, stride);
    } else {
      leaf_width_ == 1 ? AccumulateBlock<false, 1>(block, count, width, out, stride)
                       : AccumulateBlock<false, 0>(block, count, width, out, stride);
    }
  }
}

template void BlockedTrees::AccumulateRows<double>(const double*, size_t, size_t, double*, size_t) const;
template void BlockedTrees::AccumulateRows<float>(const double*, size_t, size_t, float*, size_t) const;

}  // namespace stroke
