// What the fuzz targets share: the bundled models, loaded once, and checks
// that report a broken invariant and abort, which libFuzzer (or the replay
// driver) records as a crash with its input.
#ifndef STROKE_FUZZ_FUZZ_UTIL_H_
#define STROKE_FUZZ_FUZZ_UTIL_H_

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "stroke/model.h"

namespace stroke::fuzz {

// Stops the run with `what` on stderr.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

// Bit-for-bit equal, or both NaN (a NaN's payload is not a result).
inline bool SameDouble(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

// Two answers for the same features: the same bits in every field.
inline bool SamePrediction(const Prediction& a, const Prediction& b) {
  if (a.prediction != b.prediction || a.num_classes != b.num_classes) return false;
  if (!SameDouble(a.probability, b.probability) || !SameDouble(a.value, b.value) ||
      !SameDouble(a.raw_margin, b.raw_margin)) {
    return false;
  }
  for (int k = 0; k < a.num_classes; ++k) {
    if (!SameDouble(a.probabilities[k], b.probabilities[k])) return false;
  }
  return true;
}

// A bundle of models/ (STROKE_MODELS_DIR), loaded once for the whole run.
inline const Model& ShippedModel(const std::string& name) {
  StatusOr<Model> model = Model::Load(std::string(STROKE_MODELS_DIR) + "/" + name + ".bundle.json");
  if (!model.ok()) Fail("cannot load the shipped model " + name + ": " + model.status().ToString());
  return *new Model(std::move(*model));  // never freed: shared by every input
}

}  // namespace stroke::fuzz

#endif  // STROKE_FUZZ_FUZZ_UTIL_H_
