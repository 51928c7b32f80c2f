// A C++17 program using the public C++ API as README.md's "Embedding in C++"
// shows: built with -std=c++17 -pedantic -Werror, in the build tree
// (tests/CMakeLists.txt) and against the installed headers
// (tests/install_and_build_examples.cmake). The library is C++20 inside; its
// headers must not ask a consumer for more than C++17.
//
//   cxx17_consumer BUNDLE
#include <cstdio>
#include <vector>

#include "stroke/stroke.h"

#if __cplusplus != 201703L
#error "this consumer must be compiled as C++17"
#endif

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: cxx17_consumer BUNDLE\n");
    return 2;
  }
  stroke::StatusOr<stroke::Model> model = stroke::Model::Load(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  stroke::StatusOr<stroke::Record> record = stroke::ParseRecordJson(
      R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "ever_married": "Yes",
          "work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6,
          "smoking_status": "formerly smoked"})");
  if (!record.ok()) return 1;
  std::vector<double> features(model->num_features());
  stroke::CheckResult check = model->Prepare(*record, features);
  if (!check.ok()) {
    std::fprintf(stderr, "%s\n", stroke::JoinIssues(check.errors).c_str());
    return 1;
  }
  const stroke::Prediction p = model->PredictFeatures(features);
  // The same row through a pointer + size view and through the batch call.
  const stroke::Prediction q = model->PredictFeatures({features.data(), features.size()});
  std::vector<stroke::Prediction> batch(1);
  model->PredictFeaturesBatch(features, batch);
  std::printf("C++17 consumer: probability %.17g -> class %d\n", p.probability, p.prediction);
  return p.probability == q.probability && p.probability == batch[0].probability ? 0 : 1;
}
