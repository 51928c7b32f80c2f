// The shortest path from C++: load a bundle, check a record, predict, print.
//
//   embed                          the bundled stroke model, a sample patient
//   embed BUNDLE '{"age": 67, ...}'  any bundle, any record (JSON object)
//
// Build against an installed libstroke with examples/CMakeLists.txt
// (find_package(stroke) + target_link_libraries(... stroke::stroke)).
#include <cstdio>
#include <string>
#include <vector>

#include "stroke/stroke.h"

#ifndef STROKE_DEFAULT_BUNDLE
#define STROKE_DEFAULT_BUNDLE "models/stroke.bundle.json"
#endif

namespace {

const char kSamplePatient[] = R"({
  "gender": "Male", "age": 67, "hypertension": false, "heart_disease": true,
  "ever_married": "Yes", "work_type": "Private", "Residence_type": "Urban",
  "avg_glucose_level": 228.69, "bmi": 36.6, "smoking_status": "formerly smoked"
})";

void PrintIssues(const char* kind, const std::vector<stroke::Issue>& issues) {
  for (const stroke::Issue& issue : issues) {
    std::printf("  %s: %s: %s\n", kind, issue.field.c_str(), issue.message.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string bundle_path = argc > 1 ? argv[1] : STROKE_DEFAULT_BUNDLE;
  const std::string record_json = argc > 2 ? argv[2] : kSamplePatient;

  // 1. Load once. The Model is immutable: share it between threads freely.
  stroke::StatusOr<stroke::Model> model = stroke::Model::Load(bundle_path);
  if (!model.ok()) {
    std::fprintf(stderr, "cannot load model: %s\n", model.status().ToString().c_str());
    return 2;
  }
  const stroke::ModelInfo& info = model->info();
  std::printf("model %s %s: %zu inputs -> %zu features, %zu trees\n", info.name.c_str(),
              info.version.c_str(), model->schema().fields().size(), model->num_features(),
              model->ensemble().num_trees());

  // 2. A record is field -> value; here from JSON, or build one with Record::Set.
  stroke::StatusOr<stroke::Record> record = stroke::ParseRecordJson(record_json);
  if (!record.ok()) {
    std::fprintf(stderr, "bad record: %s\n", record.status().message().c_str());
    return 1;
  }

  // 3. Check it and compute its features into a buffer you own (reuse it
  //    across records: PredictFeatures below allocates nothing).
  std::vector<double> features(model->num_features());
  stroke::CheckResult check = model->Prepare(*record, features);
  if (!check.ok()) {
    std::printf("record rejected:\n");
    PrintIssues("error", check.errors);
    return 1;
  }
  PrintIssues("warning", check.warnings);

  // 4. Predict. Classification: probability and class (binary: class 1 when
  //    probability > the bundle's threshold); regression: a value.
  const stroke::Prediction p = model->PredictFeatures(features);
  if (model->task() == stroke::Task::kRegression) {
    std::printf("value %.6f\n", p.value);
  } else {
    std::printf("probability %.6f -> class %d (%s)\n", p.probability, p.prediction,
                info.class_labels[p.prediction].c_str());
    for (int k = 0; k < p.num_classes && model->task() == stroke::Task::kMulticlassClassification; ++k) {
      std::printf("  P(%s) = %.6f\n", info.class_labels[k].c_str(), p.probabilities[k]);
    }
  }

  // The one-call alternative: Predict() checks, prepares and predicts.
  stroke::StatusOr<stroke::RecordPrediction> same = model->Predict(*record);
  if (!same.ok() || same->value != p.value) {
    std::fprintf(stderr, "Predict() and PredictFeatures() disagree\n");
    return 3;
  }
  return 0;
}
