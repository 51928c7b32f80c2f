// Internal: one reader per section of a bundle (docs/bundle-format.md), each
// in the file named for its section (read_<section>.cc); bundle_reader.cc
// drives them and checks the sections against each other. Each reports
// kCorruptBundle naming the JSON path of the first problem, including sizes
// over `limits`; readers that fill an output record the problem in the
// JsonReader's error slot instead.
#ifndef STROKE_SRC_SECTION_READERS_H_
#define STROKE_SRC_SECTION_READERS_H_

#include <vector>

#include "json_reader.h"
#include "stroke/ensemble.h"
#include "stroke/features.h"
#include "stroke/load_options.h"
#include "stroke/model.h"
#include "stroke/schema.h"

namespace stroke {

// "model": name, version, metrics, threshold, class labels (read_model_info.cc).
void ReadModelInfo(const JsonReader& model, ModelInfo* info);

// "inputs": the schema's field list (read_inputs.cc).
StatusOr<Schema> ReadInputs(const JsonReader& inputs, const LoadOptions& limits);

// "features": compiles each feature's expression against `schema` (read_features.cc).
StatusOr<FeatureProgram> ReadFeatures(const JsonReader& features, const Schema& schema, const LoadOptions& limits);

// "ensemble": reads the settings and flat tree arrays, validates them, and
// reports the model's task (read_ensemble.cc).
StatusOr<Ensemble> ReadEnsemble(const JsonReader& ensemble, int num_features, Task* task, const LoadOptions& limits);

// "golden": the export-time answers, for `task` (read_golden.cc).
void ReadGolden(const JsonReader& golden, Task task, const LoadOptions& limits, std::vector<GoldenRow>* out);

// "distributions": per-feature training histograms of `program`'s features (read_distributions.cc).
void ReadDistributions(const JsonReader& list, const FeatureProgram& program, std::vector<FeatureDistribution>* out);

}  // namespace stroke

#endif  // STROKE_SRC_SECTION_READERS_H_
