// Internal: the fast execution layout, derived from an EnsembleSpec at load
// for ensembles of shallow trees (depth <= kMaxDepth) with one value per leaf
// and no categorical splits - every gradient-boosted scikit-learn and XGBoost
// model, including the shipped ones. It has no missing-value checks: a row
// holding NaN (where the ensemble handles missing values) takes the general
// node walk (EnsembleEngine::Walk), as do other ensembles.
//
// Every tree is padded to a complete binary tree of the ensemble's largest
// depth D and stored in heap order (node i's children are 2i+1 and 2i+2; a
// padding node sends everything left and its leaves repeat the value), so a
// walk is arithmetic instead of pointer chasing, with no branch to mispredict:
//
//     i = 0;  D times:  i = 2*i + 1 + !(x[feature[i]] <= bound[i]);  leaf[i - (2^D - 1)]
//
// The split rule is folded into `bound` when the layout is built. A float64
// rule (HistGradientBoosting) compares the caller's row with a double bound
// (LeftBound). In batches of 16 rows or more, a float32 rule (scikit-learn's
// trees and XGBoost compare the feature rounded to float) rounds the rows to
// float once and compares them with float bounds (FloatLeftBound), so deep
// forests take a third less cache and AVX-512 takes 16 rows a vector. The
// walks of 8 trees run in lockstep so the CPU overlaps their dependent
// loads; the depth is a template argument, so node offsets fold into
// addresses.
// Leaves are added in tree order, as the training library adds them, so the
// sums are bit-identical to the node walk's.
#ifndef STROKE_SRC_COMPLETE_TREES_H_
#define STROKE_SRC_COMPLETE_TREES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "stroke/ensemble.h"

namespace stroke {

// Whether this CPU runs the AVX-512 bitmask kernel (complete_trees_avx512.cc).
bool CpuHasAvx512Bitmask();

// The largest double b with  rule(x, threshold)  <=>  x <= b  for every
// non-NaN double x (the rules of SplitRule; float32 rules round x to float
// with round-to-nearest-even, as scikit-learn and XGBoost do). Where no x
// goes left (x < -inf) it is NaN, which every comparison sends right.
double LeftBound(SplitRule rule, double threshold);

// For a float32 rule (kLessEqualFloat32 or kLessFloat32): the largest float b
// with  rule(x, threshold)  <=>  float(x) <= b  for every non-NaN double x,
// float(x) being x rounded to nearest, ties to even; NaN as LeftBound's.
float FloatLeftBound(SplitRule rule, double threshold);

class CompleteTrees {
 public:
  static constexpr int kMaxDepth = 8;

  // The layout, or nullptr when the ensemble does not qualify (see above).
  // `depth` is the depth of the spec's deepest tree (validated, which
  // computed it). Ensembles of single leaves (depth 0) have no inner nodes:
  // walks read no node.
  static std::unique_ptr<CompleteTrees> Build(const EnsembleSpec& spec, int depth);

  // acc[output(t)] += leaf of tree t, for every tree in order; `row` has no NaN.
  template <typename Real>
  void Accumulate(const double* row, Real* acc) const;
  // The same for n rows of `width` features; row r adds to acc + r * stride.
  template <typename Real>
  void AccumulateRows(const double* rows, size_t n, size_t width, Real* acc, size_t stride) const;

  int depth() const { return depth_; }
  // Whether batches take the bitmask kernel (below), kBitmaskRows rows a call.
  bool bitmask() const { return mask_nodes_ > 0; }
  // Whether batches take the gather kernel (below), kVector rows a vector.
  bool gather() const { return gather_; }

 private:
  // X: double rows for a float64 rule, float rows for a float32 rule.
  template <int kDepth, typename Real, typename X>
  void AccumulateDepth(const X* row, Real* acc, size_t first, size_t last) const;
  // Trees [first, last) for one row (Accumulate: all of them).
  template <typename Real, typename X>
  void AccumulateRange(const X* row, Real* acc, size_t first, size_t last) const;
  // Every tree for n rows, in slices of trees where the forest is large.
  template <typename Real, typename X>
  void WalkRows(const X* rows, size_t n, size_t width, Real* acc, size_t stride) const;
  // The bitmask kernel: kBitmaskRows rows (`width` features each) at once;
  // adds to acc[0..kBitmaskRows). Defined in complete_trees_avx512.cc.
  template <typename Real>
  void AccumulateBlock(const double* rows, size_t width, Real* acc) const;
  // The same for a float32 rule (depth 3 at most): the rows rounded to
  // float, 16 a vector, each row's leaves in a 32-bit lane.
  template <typename Real>
  void AccumulateBlockFloat(const double* rows, size_t width, Real* acc) const;
  void BuildBitmasks();
  // The gather kernel: kVectors * kVector float rows (`width` features each)
  // through trees [first, last), every level of a tree for all of them at
  // once; adds to acc[0..kVectors * kVector). Defined in
  // complete_trees_avx512.cc.
  template <int kDepth, size_t kVectors, typename Real>
  void AccumulateGather(const float* rows, size_t width, Real* acc, size_t first, size_t last) const;
  template <size_t kVectors, typename Real>
  void GatherRange(const float* rows, size_t width, Real* acc, size_t first, size_t last) const;

  // QuickScorer's form of the same trees (Lucchese et al. 2015), for batches:
  // a tree's leaves are the bits of a word, all set at first; every node a
  // row does not go left at clears the leaves of its left subtree, and the
  // lowest surviving bit is the row's leaf - the same leaf the walk reaches.
  // With AVX-512 one node is one compare and one masked AND for 8 rows, and
  // there is no dependent chain. Built when the depth is at most 6 (64
  // leaves), the ensemble has one output, the gather kernel (below) does not
  // take it, and the CPU has AVX-512 F, DQ and CD (checked at run time; the
  // build itself stays portable).
  struct BitmaskNode {
    double bound;
    uint64_t keep;  // the leaves that survive when a row goes right
    uint32_t feature;
    float float_bound;  // a float32 rule's (FloatLeftBound)
  };
  static constexpr int kMaxBitmaskDepth = 6;
  static constexpr size_t kBitmaskRows = 32;  // rows per kernel call
  static constexpr size_t kMaxBitmaskWidth = 128;  // features, for the transpose on the stack
  // Every tree's real inner nodes, padded with no-op nodes to the same count
  // (mask_nodes_, the most any tree has) so the kernel's node loop runs the
  // same number of times for every tree and its exit is predicted.
  std::vector<BitmaskNode> masks_;
  size_t mask_nodes_ = 0;  // per tree; 0: no bitmask kernel

  // The walk with AVX-512 for trees deeper than the bitmasks': a lane of a
  // vector is a row, whose node index goes 2i+1 or 2i+2 as in the scalar
  // walk. A level's bounds and features come from a permute of the tree's
  // first 16 nodes for the top 4 levels and from gathers below; the rows'
  // features are gathered. Each lane adds its trees' leaves in tree order,
  // so the sums are the walk's, bit for bit. Built for float32 rules with one
  // output, depth kMinGatherDepth or more and rows narrow enough for 32-bit
  // offsets into a block (16 million features), when the CPU has AVX-512 (the
  // bitmask kernel is then not built). Its cost grows with the depth, the
  // bitmasks' with the leaves: a batch row of 100 trees took (bitmask vs
  // gather, bench/predict_bench) 104 vs 138-177 ns at depth 3, 214-234 vs
  // 206-219 ns at depth 4, 308-361 vs 304-308 ns at depth 5 and 458-478 vs
  // 297-358 ns at depth 6.
  static constexpr int kMinGatherDepth = 4;
  static constexpr size_t kVector = 16;  // float lanes of a 512-bit register
  // Vectors a call walks together, so their chains of dependent gathers
  // overlap: a batch row of gb_1000x8 took 6.3-6.9 us with 2, 5.2-6.3 with 4
  // and 4.2-4.4 with 8 (and blocks of 128 rows). kGatherVectors * kVector is
  // kSliceRows.
  static constexpr size_t kGatherVectors = 8;
  bool gather_ = false;

  // Batches without the bitmask kernel: slices of slice_trees_ trees (about
  // kSliceBytes of nodes and leaves, half a typical L2) over blocks of
  // kSliceRows rows, when the forest has more trees than a slice.
  static constexpr size_t kSliceBytes = 256 << 10;
  static constexpr size_t kSliceRows = 128;
  static_assert(kSliceRows == kGatherVectors * kVector);
  size_t slice_trees_ = 0;

  int depth_ = 0;
  size_t inner_ = 0;   // inner nodes per tree: 2^depth - 1
  size_t trees_ = 0;
  bool one_output_ = false;  // every tree adds to acc[0]
  bool float_rows_ = false;  // a float32 rule: batches of kVector rows or more read float_bound_
  std::vector<uint32_t> feature_;  // [tree * inner_ + node], then kVector padding
  std::vector<double> bound_;      // [tree * inner_ + node]: left when x <= bound
  std::vector<float> float_bound_;  // float32 rules: left when float(x) <= bound; then kVector padding
  std::vector<double> leaf_;       // [tree * (inner_ + 1) + leaf]: tree_scale * value
  std::vector<float> float_leaf_;  // leaf_ rounded to float, for float sums in AccumulateBlockFloat
  std::vector<uint32_t> output_;   // per tree
};

}  // namespace stroke

#endif  // STROKE_SRC_COMPLETE_TREES_H_
