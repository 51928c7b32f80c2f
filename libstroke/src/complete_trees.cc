#include "complete_trees.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace stroke {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The largest double x whose float32 rounding (to nearest, ties to even) is
// <= f. Doubles between f and the next float up round to the nearer of the
// two; the midpoint is exact in double and goes to the one with an even
// mantissa.
double AtMostFloat(float f) {
  if (f == std::numeric_limits<float>::infinity()) return kInf;
  const double above_max = static_cast<double>(FLT_MAX) + std::ldexp(1.0, 127 - 24);  // rounds to inf
  if (f == -std::numeric_limits<float>::infinity()) return -above_max;  // the tie goes to -inf (even)
  const double lo = f;
  const double hi = f == FLT_MAX ? std::ldexp(1.0, 128) : static_cast<double>(std::nextafter(f, INFINITY));
  const double mid = lo + (hi - lo) / 2;
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return (bits & 1u) == 0 ? mid : std::nextafter(mid, -kInf);
}

// The largest float <= t (strictly below t when `strict`).
float FloatBelow(double t, bool strict) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t || (strict && static_cast<double>(f) == t)) f = std::nextafter(f, -INFINITY);
  return f;
}

}  // namespace

double LeftBound(SplitRule rule, double threshold) {
  switch (rule) {
    case SplitRule::kLessEqualFloat64:
      return threshold;
    case SplitRule::kLessEqualFloat32:
      return AtMostFloat(FloatBelow(threshold, false));
    case SplitRule::kLessFloat32:
      if (threshold == -kInf) return std::numeric_limits<double>::quiet_NaN();  // nothing is < -inf
      return AtMostFloat(FloatBelow(threshold, true));
  }
  return threshold;
}

float FloatLeftBound(SplitRule rule, double threshold) {
  const bool strict = rule == SplitRule::kLessFloat32;
  if (strict && threshold == -kInf) return std::numeric_limits<float>::quiet_NaN();  // nothing is < -inf
  return FloatBelow(threshold, strict);
}

std::unique_ptr<CompleteTrees> CompleteTrees::Build(const EnsembleSpec& spec, int depth) {
  if (spec.leaf_width != 1 || !spec.known_categories.empty() || depth > kMaxDepth) return nullptr;
  for (const TreeArrays& t : spec.trees) {
    for (uint8_t c : t.categorical) {
      if (c) return nullptr;
    }
  }
  auto layout = std::make_unique<CompleteTrees>();
  CompleteTrees& l = *layout;
  l.depth_ = depth;
  l.inner_ = (size_t{1} << depth) - 1;
  l.trees_ = spec.trees.size();
  l.one_output_ = spec.num_outputs == 1;
  l.float_rows_ = spec.split_rule != SplitRule::kLessEqualFloat64;
  // Trees a slice: as many as fit kSliceBytes (inner nodes and leaves), a
  // whole group of 8 at least.
  const size_t node_bytes = sizeof(uint32_t) + (l.float_rows_ ? sizeof(float) : sizeof(double));  // a batch's
  const size_t tree_bytes = l.inner_ * node_bytes + (l.inner_ + 1) * sizeof(double);
  l.slice_trees_ = std::max<size_t>(8, kSliceBytes / tree_bytes / 8 * 8);
  // Padding: every row goes left.
  if (l.float_rows_) l.float_bound_.assign(l.trees_ * l.inner_ + kVector, INFINITY);
  l.feature_.assign(l.trees_ * l.inner_ + kVector, 0);
  l.bound_.assign(l.trees_ * l.inner_, kInf);  // padding: everything goes left
  l.leaf_.assign(l.trees_ * (l.inner_ + 1), 0);
  for (size_t ti = 0; ti < l.trees_; ++ti) {
    const TreeArrays& t = spec.trees[ti];
    l.output_.push_back(static_cast<uint32_t>(t.output));
    // (node in the spec's tree, heap index, level); a leaf above depth D
    // fills every leaf slot beneath it.
    struct Step { int32_t node; size_t heap; int level; };
    std::vector<Step> pending = {{0, 0, 0}};
    while (!pending.empty()) {
      const Step s = pending.back();
      pending.pop_back();
      if (s.level == depth) {
        l.leaf_[ti * (l.inner_ + 1) + (s.heap - l.inner_)] = spec.tree_scale * t.value[static_cast<size_t>(s.node)];
        continue;
      }
      const bool leaf = t.left[s.node] == -1;
      if (!leaf) {
        l.feature_[ti * l.inner_ + s.heap] = static_cast<uint32_t>(t.feature[s.node]);
        l.bound_[ti * l.inner_ + s.heap] = LeftBound(spec.split_rule, t.threshold[s.node]);
        if (l.float_rows_) l.float_bound_[ti * l.inner_ + s.heap] = FloatLeftBound(spec.split_rule, t.threshold[s.node]);
      }
      pending.push_back({leaf ? s.node : t.left[s.node], 2 * s.heap + 1, s.level + 1});
      pending.push_back({leaf ? s.node : t.right[s.node], 2 * s.heap + 2, s.level + 1});
    }
  }
  const bool avx512 = l.one_output_ && CpuHasAvx512Bitmask();
  // A lane's offset into a block of kSliceRows rows is a 32-bit index.
  const bool offsets_fit = static_cast<size_t>(spec.num_features) <= size_t{INT32_MAX} / kSliceRows;
  l.gather_ = avx512 && l.float_rows_ && depth >= kMinGatherDepth && offsets_fit;
  if (avx512 && !l.gather_ && depth <= kMaxBitmaskDepth) l.BuildBitmasks();
  if (l.bitmask() && l.float_rows_) l.float_leaf_.assign(l.leaf_.begin(), l.leaf_.end());  // rounds to nearest
  return layout;
}

void CompleteTrees::BuildBitmasks() {
  std::vector<std::vector<BitmaskNode>> trees(trees_);
  for (size_t t = 0; t < trees_; ++t) {
    for (size_t h = 0; h < inner_; ++h) {
      const double bound = bound_[t * inner_ + h];
      if (bound == kInf) continue;  // padding (or a split nothing fails): never goes right
      int level = 0;
      while ((size_t{2} << level) - 1 <= h) ++level;
      const size_t span = size_t{1} << (depth_ - level);           // leaves under node h
      const size_t first = (h - ((size_t{1} << level) - 1)) * span;  // its leftmost leaf
      const uint64_t left = ((uint64_t{1} << (span / 2)) - 1) << first;
      const float float_bound = float_rows_ ? float_bound_[t * inner_ + h] : 0.0f;
      trees[t].push_back({bound, ~left, feature_[t * inner_ + h], float_bound});
    }
    mask_nodes_ = std::max(mask_nodes_, trees[t].size());
  }
  for (std::vector<BitmaskNode>& nodes : trees) {
    nodes.resize(mask_nodes_, BitmaskNode{kInf, ~uint64_t{0}, 0, INFINITY});  // no-ops: never right, clear nothing
    masks_.insert(masks_.end(), nodes.begin(), nodes.end());
  }
}

namespace {

// kTrees walks of one row through consecutive trees of depth kDepth, in
// lockstep; leaves the trees' leaf numbers in leaf[]. X: double bounds on a
// double row (a float64 rule) or float bounds on a float row (float32).
template <int kDepth, int kTrees, typename X>
inline void WalkTrees(const uint32_t* feature, const X* bound, const X* row, size_t* leaf) {
  constexpr size_t kInner = (size_t{1} << kDepth) - 1;
  size_t index[kTrees] = {};
  for (int level = 0; level < kDepth; ++level) {
    for (int j = 0; j < kTrees; ++j) {
      const size_t node = j * kInner + index[j];
      index[j] = 2 * index[j] + 1 + static_cast<size_t>(!(row[feature[node]] <= bound[node]));
    }
  }
  for (int j = 0; j < kTrees; ++j) leaf[j] = index[j] - kInner;
}

// Rows rounded to float, as a float32 rule compares them: static_cast rounds
// to nearest, ties to even (doubles beyond the float range become +-inf).
inline void RoundToFloat(const double* x, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i]);
}

}  // namespace

// Trees [first, last) in groups of kGroup; leaves added in tree order. A
// single-output ensemble keeps its sum in a register instead of acc[output].
// Ranges taken one after another add exactly what the whole range adds.
template <int kDepth, typename Real, typename X>
void CompleteTrees::AccumulateDepth(const X* row, Real* acc, size_t first, size_t last) const {
  constexpr size_t kInner = (size_t{1} << kDepth) - 1, kGroup = 8;
  const X* bound = nullptr;
  if constexpr (std::is_same_v<X, float>) {
    bound = float_bound_.data();
  } else {
    bound = bound_.data();
  }
  Real sum = acc[0];
  size_t leaf[kGroup];
  size_t t = first;
  for (; t + kGroup <= last; t += kGroup) {
    WalkTrees<kDepth, kGroup>(feature_.data() + t * kInner, bound + t * kInner, row, leaf);
    for (size_t j = 0; j < kGroup; ++j) {
      const double value = leaf_[(t + j) * (kInner + 1) + leaf[j]];
      if (one_output_) {
        sum += static_cast<Real>(value);
      } else {
        acc[output_[t + j]] += static_cast<Real>(value);
      }
    }
  }
  for (; t < last; ++t) {
    WalkTrees<kDepth, 1>(feature_.data() + t * kInner, bound + t * kInner, row, leaf);
    const double value = leaf_[t * (kInner + 1) + leaf[0]];
    if (one_output_) {
      sum += static_cast<Real>(value);
    } else {
      acc[output_[t]] += static_cast<Real>(value);
    }
  }
  if (one_output_) acc[0] = sum;
}

// The depth is a template argument so that node offsets are constants the
// compiler folds into addresses; one instantiation per depth.
template <typename Real, typename X>
void CompleteTrees::AccumulateRange(const X* row, Real* acc, size_t first, size_t last) const {
  switch (depth_) {
    case 0: return AccumulateDepth<0>(row, acc, first, last);
    case 1: return AccumulateDepth<1>(row, acc, first, last);
    case 2: return AccumulateDepth<2>(row, acc, first, last);
    case 3: return AccumulateDepth<3>(row, acc, first, last);
    case 4: return AccumulateDepth<4>(row, acc, first, last);
    case 5: return AccumulateDepth<5>(row, acc, first, last);
    case 6: return AccumulateDepth<6>(row, acc, first, last);
    case 7: return AccumulateDepth<7>(row, acc, first, last);
    default: return AccumulateDepth<8>(row, acc, first, last);
  }
}

template <typename Real>
void CompleteTrees::Accumulate(const double* row, Real* acc) const {
  AccumulateRange(row, acc, 0, trees_);
}

// A forest larger than kSliceBytes goes in slices of trees over blocks of
// kSliceRows rows, so a slice stays in cache while the block's rows walk it
// (each row still adds its trees in order); a smaller one row after row.
// (Blocks of 8 rows walking each tree in lockstep were measured slower than
// row after row - stroke: 193 vs 150 ns a row - since the trees' lockstep
// already keeps 8 walks in flight.)
template <typename Real, typename X>
void CompleteTrees::WalkRows(const X* rows, size_t n, size_t width, Real* acc, size_t stride) const {
  if (slice_trees_ >= trees_) {
    for (size_t r = 0; r < n; ++r) AccumulateRange(rows + r * width, acc + r * stride, 0, trees_);
    return;
  }
  for (size_t r = 0; r < n; r += kSliceRows) {
    const size_t block = std::min(kSliceRows, n - r);
    for (size_t first = 0; first < trees_; first += slice_trees_) {
      const size_t last = std::min(trees_, first + slice_trees_);
      for (size_t i = r; i < r + block; ++i) AccumulateRange(rows + i * width, acc + i * stride, first, last);
    }
  }
}

// Blocks of kBitmaskRows rows through the bitmask kernel where there is one,
// the rest through WalkRows; a float32 rule's rows (a vector's worth or
// more) are rounded to float a block of kSliceRows at a time.
template <typename Real>
void CompleteTrees::AccumulateRows(const double* rows, size_t n, size_t width, Real* acc, size_t stride) const {
  size_t r = 0;
  if (bitmask() && stride == 1 && width <= kMaxBitmaskWidth) {
    for (; r + kBitmaskRows <= n; r += kBitmaskRows) {
      if (float_rows_) {
        AccumulateBlockFloat(rows + r * width, width, acc + r);
      } else {
        AccumulateBlock(rows + r * width, width, acc + r);
      }
    }
  }
  if (r == n) return;
  // Fewer rows than a vector (a single row above all) walk the double bounds:
  // rounding them to float costs more than it saves (a stroke row 213-236 ->
  // 267-268 ns).
  if (!float_rows_ || n - r < kVector) return WalkRows(rows + r * width, n - r, width, acc + r * stride, stride);
  std::vector<float> block(std::min(kSliceRows, n - r) * width);
  for (; r < n; r += kSliceRows) {
    const size_t rows_here = std::min(kSliceRows, n - r);
    RoundToFloat(rows + r * width, rows_here * width, block.data());
    size_t vectored = 0;  // rows the gather kernel took
    if (gather_) {  // one output: stride 1
      vectored = rows_here / kVector * kVector;
      for (size_t first = 0; first < trees_; first += slice_trees_) {
        const size_t last = std::min(trees_, first + slice_trees_);
        size_t i = 0;
        for (; i + kGatherVectors * kVector <= vectored; i += kGatherVectors * kVector) {
          GatherRange<kGatherVectors>(block.data() + i * width, width, acc + r + i, first, last);
        }
        for (; i < vectored; i += kVector) GatherRange<1>(block.data() + i * width, width, acc + r + i, first, last);
      }
    }
    WalkRows(block.data() + vectored * width, rows_here - vectored, width, acc + (r + vectored) * stride, stride);
  }
}

template void CompleteTrees::Accumulate(const double*, double*) const;
template void CompleteTrees::Accumulate(const double*, float*) const;
template void CompleteTrees::AccumulateRows(const double*, size_t, size_t, double*, size_t) const;
template void CompleteTrees::AccumulateRows(const double*, size_t, size_t, float*, size_t) const;

}  // namespace stroke
