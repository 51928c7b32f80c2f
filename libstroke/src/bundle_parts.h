// Internal: readers for each section of a bundle. Each returns kCorruptBundle
// naming the JSON path of the first problem, including sizes over `limits`.
#ifndef STROKE_SRC_BUNDLE_PARTS_H_
#define STROKE_SRC_BUNDLE_PARTS_H_

#include "json_reader.h"
#include "stroke/ensemble.h"
#include "stroke/features.h"
#include "stroke/load_options.h"
#include "stroke/model.h"
#include "stroke/schema.h"

namespace stroke {

// "inputs": the schema's field list.
StatusOr<Schema> ReadSchema(const JsonReader& inputs, const LoadOptions& limits);

// "features": compiles each feature's expression against `schema`.
class FeatureProgramBuilder {
 public:
  static StatusOr<FeatureProgram> Compile(const JsonReader& features, const Schema& schema,
                                          const LoadOptions& limits);
};

// "ensemble": reads the settings and flat tree arrays, validates them, and
// reports the model's task.
StatusOr<Ensemble> ReadEnsemble(const JsonReader& ensemble, int num_features, Task* task, const LoadOptions& limits);

}  // namespace stroke

#endif  // STROKE_SRC_BUNDLE_PARTS_H_
