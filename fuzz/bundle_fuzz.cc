// bundle_fuzz: bundle text -> Model::FromJson. A loader refuses a bad bundle
// with a Status; it never crashes, hangs or reads out of bounds. When a
// bundle loads, its golden rows go through Prepare, PredictFeatures (one row
// and the batch path, which must agree bit for bit), TreeSHAP of every
// explained output and the distributions' lookup.
//
// Input: the bundle's JSON text, as it is.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "stroke/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stroke;
  using namespace stroke::fuzz;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  StatusOr<Model> loaded = InternalError("not loaded");
  try {
    loaded = Model::FromJson(text);
  } catch (const std::exception& e) {
    Fail(std::string("an exception escaped Model::FromJson: ") + e.what());
  }
  if (!loaded.ok()) {
    Check(!loaded.status().message().empty(), "a refused bundle without a message");
    return 0;
  }
  const Model& model = *loaded;
  const size_t width = model.num_features();
  std::vector<double> features(width), rows;
  std::vector<Prediction> singles;
  CheckOptions options;
  options.allow_unknown_fields = true;
  for (const GoldenRow& golden : model.golden_rows()) {
    if (!model.Prepare(golden.inputs, features, options).ok()) continue;
    singles.push_back(model.PredictFeatures(features));
    rows.insert(rows.end(), features.begin(), features.end());
  }
  std::vector<Prediction> batch(singles.size());
  model.PredictFeaturesBatch(rows, batch);
  ExplainScratch scratch(model);
  std::vector<double> phi(width);
  for (size_t i = 0; i < singles.size(); ++i) {
    Check(SamePrediction(singles[i], batch[i]), "PredictFeaturesBatch differs from PredictFeatures");
    for (int output : model.ExplainedOutputs()) {
      model.ExplainFeatures(std::span<const double>(rows).subspan(i * width, width), output, phi, scratch);
    }
  }
  for (const std::string& name : model.program().feature_names()) (void)model.distribution(name);
  return 0;
}
