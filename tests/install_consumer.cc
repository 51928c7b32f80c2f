// A C++ program built against the installed libstroke.a with nothing but
// pkg-config's flags (tests/install_and_build_examples.cmake): the C++ API and
// the C API give one answer for one record.
//
//   install_consumer BUNDLE
#include <cstdio>
#include <cstring>

#include "stroke/c_api.h"
#include "stroke/stroke.h"

namespace {

const char kPatient[] = R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true,
  "ever_married": "Yes", "work_type": "Private", "Residence_type": "Urban",
  "avg_glucose_level": 228.69, "bmi": 36.6, "smoking_status": "formerly smoked"})";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: install_consumer BUNDLE\n");
    return 2;
  }
  stroke::StatusOr<stroke::Model> model = stroke::Model::Load(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "C++ API: %s\n", model.status().ToString().c_str());
    return 1;
  }
  stroke::StatusOr<stroke::Record> record = stroke::ParseRecordJson(kPatient);
  if (!record.ok()) return 1;
  stroke::StatusOr<stroke::RecordPrediction> answer = model->Predict(*record);
  if (!answer.ok()) return 1;

  StrokeModel* handle = nullptr;
  double probabilities[2] = {0, 0};
  if (StrokeModelLoad(argv[1], &handle) != STROKE_OK ||
      StrokeModelPredictRecord(handle, kPatient, std::strlen(kPatient), probabilities, 2) != STROKE_OK) {
    std::fprintf(stderr, "C API: %s\n", StrokeGetLastError());
    return 1;
  }
  StrokeModelFree(handle);
  std::printf("libstroke %s: probability %.17g (C++ API), %.17g (C API)\n", StrokeVersion(),
              answer->probability, probabilities[1]);
  return answer->probability == probabilities[1] ? 0 : 1;
}
