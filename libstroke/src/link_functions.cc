#include "link_functions.h"

#include <cmath>

namespace stroke::internal {
namespace {

double MaxOf(const double* raw, int k) {
  double max = raw[0];
  for (int i = 1; i < k; ++i) max = raw[i] > max ? raw[i] : max;
  return max;
}

}  // namespace

double NumpyPairwiseSum(const double* a, int n) {
  if (n < 8) {
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += a[i];
    return sum;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    int i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += a[i];
    return sum;
  }
  int half = n / 2;
  half -= half % 8;
  return NumpyPairwiseSum(a, half) + NumpyPairwiseSum(a + half, n - half);
}

void SoftmaxNormalized(const double* raw, int k, double* out) {
  const double max = MaxOf(raw, k);
  double sum = 0.0;
  for (int i = 0; i < k; ++i) {
    out[i] = std::exp(raw[i] - max);
    sum += out[i];
  }
  for (int i = 0; i < k; ++i) out[i] /= sum;
}

void SoftmaxLogSumExp(const double* raw, int k, double* out) {
  double max = MaxOf(raw, k);
  if (!std::isfinite(max)) max = 0;
  for (int i = 0; i < k; ++i) out[i] = std::exp(raw[i] - max);
  const double log_sum_exp = std::log(NumpyPairwiseSum(out, k)) + max;
  for (int i = 0; i < k; ++i) out[i] = std::exp(raw[i] - log_sum_exp);
}

void SoftmaxFloat32(const double* raw, int k, double* out) {
  const float max = static_cast<float>(MaxOf(raw, k));
  double sum = 0;
  for (int i = 0; i < k; ++i) sum += std::exp(static_cast<float>(raw[i]) - max);
  for (int i = 0; i < k; ++i) out[i] = std::exp(static_cast<float>(raw[i]) - max) / static_cast<float>(sum);
}

}  // namespace stroke::internal
