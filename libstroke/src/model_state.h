// Internal: what a Model holds (model.h keeps only a pointer to one). Filled
// once by the bundle reader (bundle_reader.cc), immutable once wrapped in a
// Model, shared by its copies.
#ifndef STROKE_SRC_MODEL_STATE_H_
#define STROKE_SRC_MODEL_STATE_H_

#include <vector>

#include "stroke/ensemble.h"
#include "stroke/features.h"
#include "stroke/model.h"
#include "stroke/schema.h"

namespace stroke::internal {

struct ModelState {
  ModelInfo info;
  Schema schema;
  FeatureProgram program;
  Ensemble ensemble;
  std::vector<GoldenRow> golden;
  std::vector<FeatureDistribution> distributions;
  FeatureDomain domain;  // what the ensemble accepts as features
};

}  // namespace stroke::internal

#endif  // STROKE_SRC_MODEL_STATE_H_
