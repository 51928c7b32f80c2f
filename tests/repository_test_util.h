// Model repositories on disk for the repository tests: shipped bundles
// copied into DIR/<name>/<version>/, corrupt ones, aliases files.
#ifndef STROKE_TESTS_REPOSITORY_TEST_UTIL_H_
#define STROKE_TESTS_REPOSITORY_TEST_UTIL_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_util.h"

namespace stroke::testing {

// Writes `text` to DIR/<name>/<version>/<file>, creating the directories;
// written to a temporary file, then renamed (as an operator's deploy would).
inline void WriteVersionFile(const std::filesystem::path& dir, const std::string& name, int version,
                             const std::string& text, const std::string& file = "model.bundle.json") {
  const std::filesystem::path folder = dir / name / std::to_string(version);
  std::filesystem::create_directories(folder);
  const std::filesystem::path temporary = folder / (file + ".part");
  std::ofstream(temporary, std::ios::binary) << text;
  std::filesystem::rename(temporary, folder / file);
}

// DIR/<name>/<version>/model.bundle.json: shipped bundle `shipped` ("stroke", ...).
inline void AddVersion(const std::filesystem::path& dir, const std::string& name, int version,
                       const std::string& shipped) {
  WriteVersionFile(dir, name, version, ReadFile(ShippedBundlePath(shipped)));
}

// The stroke bundle with its first golden probability one ulp off: it loads,
// but does not answer as its training library recorded.
inline std::string OffByOneUlpStrokeBundle() {
  nlohmann::json bundle = nlohmann::json::parse(ReadFile(ShippedBundlePath("stroke")));
  const double p = bundle["golden"][0]["probability"].get<double>();
  bundle["golden"][0]["probability"] = std::nextafter(p, 2.0);
  return bundle.dump();
}

inline void WriteAliases(const std::filesystem::path& dir, const std::string& name, const std::string& json) {
  std::ofstream(dir / name / "aliases.json", std::ios::binary) << json;
}

}  // namespace stroke::testing

#endif  // STROKE_TESTS_REPOSITORY_TEST_UTIL_H_
