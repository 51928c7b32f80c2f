// The link functions, each as its training library computes it, operation for
// operation and in the same order, so a probability is bit-identical to the
// library's wherever the library's exp/log are the C library's (numpy's are,
// unless it dispatches its own AVX-512 exp/log: docs/models.md "Exactness").
// Internal to libstroke; EnsembleEngine::Link picks one by the bundle's `link` and
// `precision`. All take k >= 2 margins and write k probabilities; they
// allocate nothing and are thread-safe.
#ifndef STROKE_SRC_LINK_FUNCTIONS_H_
#define STROKE_SRC_LINK_FUNCTIONS_H_

namespace stroke::internal {

// The sum of a[0, n) in the order numpy's np.sum adds a contiguous row
// (numpy/core/src/umath/loops_utils.h.src, pairwise summation): below 8
// values from 0.0 in order; up to 128 with eight interleaved partial sums
// r0..r7, combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)),
// then the remainder in order; beyond, two halves (the first n/2 rounded down
// to a multiple of 8) summed the same way and added.
double NumpyPairwiseSum(const double* a, int n);

// scikit-learn's softmax (sklearn.utils.extmath.softmax), the inverse link of
// HistGradientBoostingClassifier: m = max(raw); e_i = exp(raw_i - m);
// out_i = e_i / (((e_0 + e_1) + e_2) + ...). The sum is in class order because
// HistGradientBoosting's margins are a Fortran-ordered (n_samples, n_classes)
// array, which numpy sums column after column. (scikit-learn itself answers a
// lone row - a (1, k) array, contiguous both ways - with numpy's pairwise sum,
// which differs in the last bit from 8 classes on; libstroke answers every row
// as scikit-learn answers it within a batch: docs/models.md "Exactness".)
void SoftmaxNormalized(const double* raw, int k, double* out);

// GradientBoostingClassifier's multinomial deviance (sklearn 1.2
// ensemble/_gb_losses.py): out_i = exp(raw_i - logsumexp(raw)), with scipy's
// logsumexp: m = max(raw) (0 if not finite), log(NumpyPairwiseSum(exp(raw - m))) + m
// (the margins are C-ordered, so numpy sums each row pairwise).
void SoftmaxLogSumExp(const double* raw, int k, double* out);

// XGBoost's common::Softmax: float32 exponentials of (raw_i - max) summed in
// a double in order, each divided (in float32) by the float32 sum.
void SoftmaxFloat32(const double* raw, int k, double* out);

}  // namespace stroke::internal

#endif  // STROKE_SRC_LINK_FUNCTIONS_H_
