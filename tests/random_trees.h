// Random trees for tests that compare layouts and thread counts bit for bit:
// ragged trees over a few features with coarse thresholds, so that rows hit
// thresholds exactly.
#ifndef STROKE_TESTS_RANDOM_TREES_H_
#define STROKE_TESTS_RANDOM_TREES_H_

#include <cmath>
#include <cstdint>
#include <random>

#include "stroke/ensemble.h"

namespace stroke::testing {

// Appends to `t` a random tree of at most `depth` levels over `features`
// features (one value per node; missing values go right); leaves stop early
// with some probability, so trees are ragged.
inline void GrowRandomTree(TreeArrays& t, int depth, int features, std::mt19937& rng) {
  std::uniform_real_distribution<double> uniform(-3, 3);
  const int32_t node = static_cast<int32_t>(t.left.size());
  t.left.push_back(-1), t.right.push_back(-1), t.feature.push_back(-2), t.threshold.push_back(-2);
  t.value.push_back(uniform(rng)), t.cover.push_back(1), t.missing_left.push_back(0);
  if (depth == 0 || rng() % 5 == 0) return;
  t.feature[node] = static_cast<int32_t>(rng() % features);
  t.threshold[node] = std::round(uniform(rng) * 8) / 8;  // coarse: rows hit thresholds exactly
  t.left[node] = static_cast<int32_t>(t.left.size());
  GrowRandomTree(t, depth - 1, features, rng);
  t.right[node] = static_cast<int32_t>(t.left.size());
  GrowRandomTree(t, depth - 1, features, rng);
}

}  // namespace stroke::testing

#endif  // STROKE_TESTS_RANDOM_TREES_H_
