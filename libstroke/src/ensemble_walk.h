// Internal: the split decision shared by prediction (ensemble.cc) and
// TreeSHAP (ensemble_shap.cc), so both follow a row the same way.
#ifndef STROKE_SRC_ENSEMBLE_WALK_H_
#define STROKE_SRC_ENSEMBLE_WALK_H_

#include <cmath>

#include "ensemble_engine.h"

namespace stroke::internal {

inline bool InBitset(const std::array<uint32_t, 8>& bits, uint32_t category) {
  return (bits[category / 32] >> (category % 32)) & 1u;
}

template <SplitRule kRule, bool kSpecial>
inline bool EnsembleEngine::GoesLeft(const Node& node, double x) const {
  if (kSpecial && std::isnan(x)) return node.missing_left != 0;
  if (kSpecial && node.bitset >= 0) {
    // As scikit-learn's HistGradientBoosting: known categories left or
    // right by the bitset; unknown ones (and negatives) like a missing value.
    const bool in_range = x >= 0 && x < 256;
    const auto category = in_range ? static_cast<uint32_t>(x) : 0u;
    if (in_range && InBitset(bitsets_[node.bitset], category)) return true;
    if (in_range && InBitset(bitsets_[known_bitset_[node.feature]], category)) return false;
    return node.missing_left != 0;
  }
  if constexpr (kRule == SplitRule::kLessEqualFloat64) return x <= node.threshold;
  if constexpr (kRule == SplitRule::kLessFloat32) return static_cast<double>(static_cast<float>(x)) < node.threshold;
  return static_cast<double>(static_cast<float>(x)) <= node.threshold;
}

}  // namespace stroke::internal

#endif  // STROKE_SRC_ENSEMBLE_WALK_H_
