// What the benchmark binaries share: the --data directory written by
// bench/make_bench_data.py (models, rows, JSON bodies; see its docstring), or,
// without one, the shipped bundles and their golden rows.
#ifndef STROKE_BENCH_BENCH_DATA_H_
#define STROKE_BENCH_BENCH_DATA_H_

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "stroke/stroke.h"

namespace bench {

struct BenchModel {
  std::string name;
  std::string family;      // "gb" (scikit-learn) or "xgb"
  bool shipped = false;    // one of models/*.bundle.json
  std::string bundle;      // path
  std::string xgboost;     // XGBoost model path ("" unless family is xgb)
  std::string rows_name;   // "stroke" or "lung_cancer": which rows it reads
  int trees = 0, depth = 0;
  std::shared_ptr<stroke::Model> model;  // loaded on first use
};

[[noreturn]] inline void Fail(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  std::exit(1);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Removes --data=DIR from argv (before benchmark::Initialize sees it).
inline std::string TakeDataDir(int* argc, char** argv) {
  std::string dir;
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    if (std::strncmp(argv[i], "--data=", 7) == 0) {
      dir = argv[i] + 7;
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return dir;
}

class BenchData {
 public:
  // dir "": the shipped stroke and lung bundles with their golden rows.
  explicit BenchData(std::string dir) : dir_(std::move(dir)) {
    if (dir_.empty()) {
      for (const char* name : {"stroke", "lung_cancer"}) {
        models_.push_back({name, "gb", true, std::string(STROKE_MODELS_DIR) + "/" + name + ".bundle.json", "", name, 100, 3});
      }
      return;
    }
    const auto manifest = nlohmann::json::parse(ReadFile(dir_ + "/manifest.json"));
    for (const auto& m : manifest["models"]) {
      BenchModel model{m["name"], m["family"], m["shipped"], m["bundle"], m.value("xgboost", ""),
                       m["rows"], m["trees"], m["depth"]};
      if (model.bundle[0] != '/') model.bundle = dir_ + "/" + model.bundle;
      if (!model.xgboost.empty()) model.xgboost = dir_ + "/" + model.xgboost;
      models_.push_back(model);
    }
  }

  std::vector<BenchModel>& models() { return models_; }

  static const stroke::Model& Load(BenchModel& m) {
    if (!m.model) {
      auto loaded = stroke::Model::Load(m.bundle);
      if (!loaded.ok()) Fail(loaded.status().ToString());
      m.model = std::make_shared<stroke::Model>(std::move(*loaded));
    }
    return *m.model;
  }

  // Prepared feature rows (row-major, the model's width): the data
  // directory's rows, or the golden rows cycled to 4096.
  std::vector<double> Rows(BenchModel& m) const {
    const stroke::Model& model = Load(m);
    const size_t width = model.num_features();
    if (!dir_.empty()) {
      const std::string bytes = ReadFile(dir_ + "/" + m.rows_name + ".rows.f64");
      if (bytes.size() % (width * sizeof(double)) != 0) Fail(m.rows_name + ".rows.f64: not rows of " + std::to_string(width));
      std::vector<double> rows(bytes.size() / sizeof(double));
      std::memcpy(rows.data(), bytes.data(), bytes.size());
      return rows;
    }
    std::vector<double> rows(4096 * width);
    for (size_t r = 0; r < 4096; ++r) {
      const auto& golden = model.golden_rows()[r % model.golden_rows().size()];
      if (!model.Prepare(golden.inputs, std::span<double>(rows).subspan(r * width, width)).ok()) Fail("golden row refused");
    }
    return rows;
  }

  // Request bodies: the data directory's records, or the golden inputs.
  std::vector<std::string> Bodies(BenchModel& m) const {
    std::vector<std::string> bodies;
    if (!dir_.empty()) {
      std::istringstream lines(ReadFile(dir_ + "/" + m.rows_name + ".records.jsonl"));
      for (std::string line; std::getline(lines, line);) bodies.push_back(line);
      return bodies;
    }
    const stroke::Model& model = Load(m);
    for (const auto& golden : model.golden_rows()) {
      nlohmann::json body = nlohmann::json::object();
      for (const auto& [field, v] : golden.inputs.fields()) {
        using Kind = stroke::Value::Kind;
        body[field] = v.kind == Kind::kNumber ? nlohmann::json(v.number)
                      : v.kind == Kind::kBool ? nlohmann::json(v.boolean)
                      : v.kind == Kind::kString ? nlohmann::json(v.text) : nlohmann::json();
      }
      bodies.push_back(body.dump());
    }
    return bodies;
  }

 private:
  std::string dir_;
  std::vector<BenchModel> models_;
};

}  // namespace bench

#endif  // STROKE_BENCH_BENCH_DATA_H_
