// Helpers shared by the unit tests: bundle files, records from JSON, a
// temporary directory that cleans up after itself.
#ifndef STROKE_TESTS_TEST_UTIL_H_
#define STROKE_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "stroke/model.h"

namespace stroke::testing {

// A valid record for the stroke model (examples/patient.json).
inline constexpr char kSamplePatient[] =
    R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "ever_married": "Yes", )"
    R"("work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6, )"
    R"("smoking_status": "formerly smoked"})";

inline std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::string TinyBundlePath() { return std::string(STROKE_TEST_DATA_DIR) + "/tiny.bundle.json"; }
inline std::string ShippedBundlePath(const std::string& name) {
  return std::string(STROKE_MODELS_DIR) + "/" + name + ".bundle.json";
}

// The test bundle and every bundle in models/, sorted: what parity and
// explanation tests run over.
inline std::vector<std::string> AllBundlePaths() {
  std::vector<std::string> paths = {TinyBundlePath()};
  for (const auto& entry : std::filesystem::directory_iterator(STROKE_MODELS_DIR)) {
    if (entry.path().string().ends_with(".bundle.json")) paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Loads a bundle or fails the test.
inline Model LoadOrDie(const std::string& path) {
  StatusOr<Model> model = Model::Load(path);
  if (!model.ok()) ADD_FAILURE() << model.status().ToString();
  return model.ok() ? std::move(*model) : Model();
}

inline Record RecordOrDie(const std::string& json) {
  StatusOr<Record> record = ParseRecordJson(json);
  if (!record.ok()) ADD_FAILURE() << record.status().ToString();
  return record.ok() ? std::move(*record) : Record();
}

// A fresh directory under the system's temporary directory ($TMPDIR), removed
// with everything in it when the object is destroyed: tests leave nothing behind.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "stroke_test_") {
    std::string name = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(name.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << name << " failed";
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the directory (the file is not created).
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace stroke::testing

#endif  // STROKE_TESTS_TEST_UTIL_H_
