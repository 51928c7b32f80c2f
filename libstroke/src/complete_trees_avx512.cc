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

}  // namespace stroke

#else  // no AVX-512 kernel on this architecture or compiler

namespace stroke {

bool CpuHasAvx512Bitmask() { return false; }

template <typename Real>
void CompleteTrees::AccumulateBlock(const double*, size_t, Real*) const {}  // never called: no bitmasks built

template void CompleteTrees::AccumulateBlock(const double*, size_t, double*) const;
template void CompleteTrees::AccumulateBlock(const double*, size_t, float*) const;

}  // namespace stroke

#endif
