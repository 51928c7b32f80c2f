// The AVX-512 bitmask kernel of CompleteTrees (see complete_trees.h). Only
// these functions are compiled for AVX-512 (a target attribute, not a build
// flag), and CompleteTrees builds bitmasks only where the CPU has it; other
// CPUs and architectures keep the portable walk.
#include "complete_trees.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns about the intrinsics' own placeholder operands.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <type_traits>

#define STROKE_AVX512 __attribute__((target("avx512f,avx512dq,avx512cd")))

namespace stroke {

bool CpuHasAvx512Bitmask() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512cd");
}

namespace {

// Each vector of 8 rows' sums stays in a register from tree to tree, in the sums'
// precision: float sums get each leaf value rounded to float first, as the
// walk's static_cast<float> does.
STROKE_AVX512 inline __m512d Load(const double* acc) { return _mm512_loadu_pd(acc); }
STROKE_AVX512 inline __m256 Load(const float* acc) { return _mm256_loadu_ps(acc); }
STROKE_AVX512 inline __m512d Add(__m512d sum, __m512d values) { return _mm512_add_pd(sum, values); }
STROKE_AVX512 inline __m256 Add(__m256 sum, __m512d values) { return _mm256_add_ps(sum, _mm512_cvtpd_ps(values)); }
STROKE_AVX512 inline void Store(double* acc, __m512d sum) { _mm512_storeu_pd(acc, sum); }
STROKE_AVX512 inline void Store(float* acc, __m256 sum) { _mm256_storeu_ps(acc, sum); }

}  // namespace

// kBitmaskRows rows as kVectors vectors of 8: every node's bound, mask and
// feature are loaded once for all of them, and the vectors' chains overlap.
template <typename Real>
STROKE_AVX512 void CompleteTrees::AccumulateBlock(const double* rows, size_t width, Real* acc) const {
  constexpr size_t kVectors = kBitmaskRows / 8;
  // Transpose: feature f of rows 8v..8v+7 is one vector.
  alignas(64) double columns[kMaxBitmaskWidth * kBitmaskRows];
  for (size_t r = 0; r < kBitmaskRows; ++r) {
    for (size_t f = 0; f < width; ++f) columns[f * kBitmaskRows + r] = rows[r * width + f];
  }
  const size_t leaves = inner_ + 1;
  decltype(Load(acc)) sum[kVectors];
  for (size_t v = 0; v < kVectors; ++v) sum[v] = Load(acc + 8 * v);
  for (size_t t = 0; t < trees_; ++t) {
    __m512i alive[kVectors];
    for (size_t v = 0; v < kVectors; ++v) alive[v] = _mm512_set1_epi64(-1);
    const BitmaskNode* nodes = &masks_[t * mask_nodes_];
    for (size_t i = 0; i < mask_nodes_; ++i) {
      const __m512d bound = _mm512_set1_pd(nodes[i].bound);
      const __m512i keep = _mm512_set1_epi64(static_cast<int64_t>(nodes[i].keep));
      const double* x = &columns[nodes[i].feature * kBitmaskRows];
      for (size_t v = 0; v < kVectors; ++v) {
        const __mmask8 right = _mm512_cmp_pd_mask(_mm512_load_pd(x + 8 * v), bound, _CMP_NLE_UQ);
        alive[v] = _mm512_mask_and_epi64(alive[v], right, alive[v], keep);
      }
    }
    // Each row's lowest surviving bit, 63 - lzcnt(alive & -alive), is its
    // leaf; up to 8 leaf values fit one register (a permute, not a gather).
    const double* values = &leaf_[t * leaves];
    const __m512d few = _mm512_maskz_loadu_pd(static_cast<__mmask8>(leaves >= 8 ? 0xff : (1u << leaves) - 1), values);
    for (size_t v = 0; v < kVectors; ++v) {
      const __m512i lowest = _mm512_and_si512(alive[v], _mm512_sub_epi64(_mm512_setzero_si512(), alive[v]));
      const __m512i leaf = _mm512_sub_epi64(_mm512_set1_epi64(63), _mm512_lzcnt_epi64(lowest));
      sum[v] = Add(sum[v], leaves <= 8 ? _mm512_permutexvar_pd(leaf, few) : _mm512_i64gather_pd(leaf, values, 8));
    }
  }
  for (size_t v = 0; v < kVectors; ++v) Store(acc + 8 * v, sum[v]);
}

template void CompleteTrees::AccumulateBlock(const double*, size_t, double*) const;
template void CompleteTrees::AccumulateBlock(const double*, size_t, float*) const;

namespace {

// 16 rows' sums: two vectors of 8 doubles, or one of 16 floats.
struct Sums16d {
  __m512d lo, hi;
};
STROKE_AVX512 inline Sums16d Load16(const double* acc) { return {_mm512_loadu_pd(acc), _mm512_loadu_pd(acc + 8)}; }
STROKE_AVX512 inline __m512 Load16(const float* acc) { return _mm512_loadu_ps(acc); }
STROKE_AVX512 inline void Store16(double* acc, Sums16d sum) {
  _mm512_storeu_pd(acc, sum.lo);
  _mm512_storeu_pd(acc + 8, sum.hi);
}
STROKE_AVX512 inline void Store16(float* acc, __m512 sum) { _mm512_storeu_ps(acc, sum); }
// sum += values[leaf] lane by lane; float sums round each leaf value to
// float first, as the walk's static_cast<float> does.
STROKE_AVX512 inline Sums16d AddLeaves(Sums16d sum, __m512i leaf, const double* values) {
  const __m512d lo = _mm512_i32gather_pd(_mm512_castsi512_si256(leaf), values, 8);
  const __m512d hi = _mm512_i32gather_pd(_mm512_extracti32x8_epi32(leaf, 1), values, 8);
  return {_mm512_add_pd(sum.lo, lo), _mm512_add_pd(sum.hi, hi)};
}
STROKE_AVX512 inline __m512 AddLeaves(__m512 sum, __m512i leaf, const double* values) {
  const __m256 lo = _mm512_cvtpd_ps(_mm512_i32gather_pd(_mm512_castsi512_si256(leaf), values, 8));
  const __m256 hi = _mm512_cvtpd_ps(_mm512_i32gather_pd(_mm512_extracti32x8_epi32(leaf, 1), values, 8));
  return _mm512_add_ps(sum, _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1));
}

// sum += values[leaf] lane by lane for at most 8 double leaf values, held in
// a register (a permute, not a gather).
STROKE_AVX512 inline Sums16d AddFewLeaves(Sums16d sum, __m512i leaf, __m512d values) {
  const __m512d lo = _mm512_permutexvar_pd(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(leaf)), values);
  const __m512d hi = _mm512_permutexvar_pd(_mm512_cvtepi32_epi64(_mm512_extracti32x8_epi32(leaf, 1)), values);
  return {_mm512_add_pd(sum.lo, lo), _mm512_add_pd(sum.hi, hi)};
}

}  // namespace

// AccumulateBlock for a float32 rule: one compare and one masked AND a node
// for 16 rows, the leaves of a row (8 at most) in a 32-bit lane.
template <typename Real>
STROKE_AVX512 void CompleteTrees::AccumulateBlockFloat(const double* rows, size_t width, Real* acc) const {
  constexpr size_t kVectors = kBitmaskRows / kVector;
  alignas(64) float columns[kMaxBitmaskWidth * kBitmaskRows];  // feature f of rows 16v..16v+15: one vector
  for (size_t r = 0; r < kBitmaskRows; ++r) {
    for (size_t f = 0; f < width; ++f) columns[f * kBitmaskRows + r] = static_cast<float>(rows[r * width + f]);
  }
  const size_t leaves = inner_ + 1;  // 8 at most: depth 3 at most
  decltype(Load16(acc)) sum[kVectors];
  for (size_t v = 0; v < kVectors; ++v) sum[v] = Load16(acc + v * kVector);
  for (size_t t = 0; t < trees_; ++t) {
    __m512i alive[kVectors];
    for (size_t v = 0; v < kVectors; ++v) alive[v] = _mm512_set1_epi32(-1);
    const BitmaskNode* nodes = &masks_[t * mask_nodes_];
    for (size_t i = 0; i < mask_nodes_; ++i) {
      const __m512 bound = _mm512_set1_ps(nodes[i].float_bound);
      const __m512i keep = _mm512_set1_epi32(static_cast<int32_t>(static_cast<uint32_t>(nodes[i].keep)));
      const float* x = &columns[nodes[i].feature * kBitmaskRows];
      for (size_t v = 0; v < kVectors; ++v) {
        const __mmask16 right = _mm512_cmp_ps_mask(_mm512_load_ps(x + kVector * v), bound, _CMP_NLE_UQ);
        alive[v] = _mm512_mask_and_epi32(alive[v], right, alive[v], keep);
      }
    }
    const auto few = static_cast<__mmask8>((1u << leaves) - 1);
    for (size_t v = 0; v < kVectors; ++v) {
      const __m512i lowest = _mm512_and_si512(alive[v], _mm512_sub_epi32(_mm512_setzero_si512(), alive[v]));
      const __m512i leaf = _mm512_sub_epi32(_mm512_set1_epi32(31), _mm512_lzcnt_epi32(lowest));
      if constexpr (std::is_same_v<Real, float>) {  // the leaves rounded to float already: 16 a permute
        sum[v] = _mm512_add_ps(sum[v], _mm512_permutexvar_ps(leaf, _mm512_maskz_loadu_ps(few, &float_leaf_[t * leaves])));
      } else {
        sum[v] = AddFewLeaves(sum[v], leaf, _mm512_maskz_loadu_pd(few, &leaf_[t * leaves]));
      }
    }
  }
  for (size_t v = 0; v < kVectors; ++v) Store16(acc + v * kVector, sum[v]);
}

template void CompleteTrees::AccumulateBlockFloat(const double*, size_t, double*) const;
template void CompleteTrees::AccumulateBlockFloat(const double*, size_t, float*) const;

// kVectors vectors of 16 rows walk each tree level by level; the depth is a
// template argument so the levels unroll and the top-4 test folds away.
template <int kDepth, size_t kVectors, typename Real>
STROKE_AVX512 void CompleteTrees::AccumulateGather(const float* rows, size_t width, Real* acc, size_t first,
                                                   size_t last) const {
  constexpr int kInner = (1 << kDepth) - 1;
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i row_start[kVectors];  // each lane's row, as an offset into rows
  decltype(Load16(acc)) sum[kVectors];
  for (size_t v = 0; v < kVectors; ++v) {
    row_start[v] = _mm512_mullo_epi32(_mm512_add_epi32(lanes, _mm512_set1_epi32(static_cast<int>(v * kVector))),
                                      _mm512_set1_epi32(static_cast<int>(width)));
    sum[v] = Load16(acc + v * kVector);
  }
  for (size_t t = first; t < last; ++t) {
    const float* bound = float_bound_.data() + t * kInner;
    const auto* feature = reinterpret_cast<const int*>(feature_.data() + t * kInner);
    const __m512 top_bound = _mm512_loadu_ps(bound);  // nodes 0-15: the top 4 levels (and one more)
    const __m512i top_feature = _mm512_loadu_si512(feature);
    __m512i index[kVectors];
    for (size_t v = 0; v < kVectors; ++v) index[v] = _mm512_setzero_si512();
    for (int level = 0; level < kDepth; ++level) {
      for (size_t v = 0; v < kVectors; ++v) {
        __m512 b;
        __m512i f;
        if (level < 4) {
          b = _mm512_permutexvar_ps(index[v], top_bound);
          f = _mm512_permutexvar_epi32(index[v], top_feature);
        } else {
          b = _mm512_i32gather_ps(index[v], bound, 4);
          f = _mm512_i32gather_epi32(index[v], feature, 4);
        }
        const __m512 x = _mm512_i32gather_ps(_mm512_add_epi32(row_start[v], f), rows, 4);
        const __mmask16 right = _mm512_cmp_ps_mask(x, b, _CMP_NLE_UQ);  // !(x <= b)
        const __m512i next = _mm512_add_epi32(_mm512_add_epi32(index[v], index[v]), one);
        index[v] = _mm512_mask_add_epi32(next, right, next, one);
      }
    }
    const double* values = leaf_.data() + t * (kInner + 1);
    for (size_t v = 0; v < kVectors; ++v) {
      sum[v] = AddLeaves(sum[v], _mm512_sub_epi32(index[v], _mm512_set1_epi32(kInner)), values);
    }
  }
  for (size_t v = 0; v < kVectors; ++v) Store16(acc + v * kVector, sum[v]);
}

template <size_t kVectors, typename Real>
void CompleteTrees::GatherRange(const float* rows, size_t width, Real* acc, size_t first, size_t last) const {
  switch (depth_) {
    case 0: return AccumulateGather<0, kVectors>(rows, width, acc, first, last);
    case 1: return AccumulateGather<1, kVectors>(rows, width, acc, first, last);
    case 2: return AccumulateGather<2, kVectors>(rows, width, acc, first, last);
    case 3: return AccumulateGather<3, kVectors>(rows, width, acc, first, last);
    case 4: return AccumulateGather<4, kVectors>(rows, width, acc, first, last);
    case 5: return AccumulateGather<5, kVectors>(rows, width, acc, first, last);
    case 6: return AccumulateGather<6, kVectors>(rows, width, acc, first, last);
    case 7: return AccumulateGather<7, kVectors>(rows, width, acc, first, last);
    default: return AccumulateGather<8, kVectors>(rows, width, acc, first, last);
  }
}

template void CompleteTrees::GatherRange<1>(const float*, size_t, double*, size_t, size_t) const;
template void CompleteTrees::GatherRange<1>(const float*, size_t, float*, size_t, size_t) const;
template void CompleteTrees::GatherRange<CompleteTrees::kGatherVectors>(const float*, size_t, double*, size_t, size_t) const;
template void CompleteTrees::GatherRange<CompleteTrees::kGatherVectors>(const float*, size_t, float*, size_t, size_t) const;

}  // namespace stroke

#else  // no AVX-512 kernel on this architecture or compiler

namespace stroke {

bool CpuHasAvx512Bitmask() { return false; }

template <typename Real>
void CompleteTrees::AccumulateBlock(const double*, size_t, Real*) const {}  // never called: no bitmasks built
template <typename Real>
void CompleteTrees::AccumulateBlockFloat(const double*, size_t, Real*) const {}

template void CompleteTrees::AccumulateBlockFloat(const double*, size_t, double*) const;
template void CompleteTrees::AccumulateBlockFloat(const double*, size_t, float*) const;

template void CompleteTrees::AccumulateBlock(const double*, size_t, double*) const;
template void CompleteTrees::AccumulateBlock(const double*, size_t, float*) const;

// Never called: gather_ is false.
template <size_t kVectors, typename Real>
void CompleteTrees::GatherRange(const float*, size_t, Real*, size_t, size_t) const {}

template void CompleteTrees::GatherRange<1>(const float*, size_t, double*, size_t, size_t) const;
template void CompleteTrees::GatherRange<1>(const float*, size_t, float*, size_t, size_t) const;
template void CompleteTrees::GatherRange<CompleteTrees::kGatherVectors>(const float*, size_t, double*, size_t, size_t) const;
template void CompleteTrees::GatherRange<CompleteTrees::kGatherVectors>(const float*, size_t, float*, size_t, size_t) const;

}  // namespace stroke

#endif
