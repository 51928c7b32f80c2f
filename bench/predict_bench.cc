// Latency and throughput of the library's hot paths on the shipped bundles.
// Rows are the bundle's golden records (real-looking inputs), cycled.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "stroke/stroke.h"

namespace {

const stroke::Model& LoadModel(const std::string& name) {
  static std::vector<std::pair<std::string, stroke::Model*>> loaded;
  for (auto& [n, m] : loaded) {
    if (n == name) return *m;
  }
  auto model = stroke::Model::Load(std::string(STROKE_MODELS_DIR) + "/" + name + ".bundle.json");
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    std::exit(1);
  }
  loaded.emplace_back(name, new stroke::Model(std::move(*model)));
  return *loaded.back().second;
}

// `rows` prepared feature vectors from the golden records, cycled.
std::vector<double> PreparedRows(const stroke::Model& model, size_t rows) {
  const size_t width = model.num_features();
  std::vector<double> out(rows * width);
  for (size_t r = 0; r < rows; ++r) {
    const auto& golden = model.golden_rows()[r % model.golden_rows().size()];
    if (!model.Prepare(golden.inputs, std::span<double>(out).subspan(r * width, width)).ok()) std::abort();
  }
  return out;
}

void BM_PredictFeatures(benchmark::State& state, const char* name) {
  const stroke::Model& model = LoadModel(name);
  const size_t n = model.golden_rows().size();
  const std::vector<double> rows = PreparedRows(model, n);
  const size_t width = model.num_features();
  size_t i = 0;
  for (auto _ : state) {
    stroke::Prediction p = model.PredictFeatures(std::span<const double>(rows).subspan(i * width, width));
    benchmark::DoNotOptimize(p);
    i = i + 1 == n ? 0 : i + 1;
  }
}
BENCHMARK_CAPTURE(BM_PredictFeatures, stroke, "stroke");
BENCHMARK_CAPTURE(BM_PredictFeatures, lung_cancer, "lung_cancer");
BENCHMARK_CAPTURE(BM_PredictFeatures, heart_disease, "heart_disease");  // HistGB, 5 classes, NaN
BENCHMARK_CAPTURE(BM_PredictFeatures, loan_amount, "loan_amount");      // GB regression

void BM_PredictFeaturesBatch(benchmark::State& state) {
  const stroke::Model& model = LoadModel("stroke");
  const auto rows = static_cast<size_t>(state.range(0));
  const std::vector<double> features = PreparedRows(model, rows);
  std::vector<stroke::Prediction> out(rows);
  for (auto _ : state) {
    model.PredictFeaturesBatch(features, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
}
BENCHMARK(BM_PredictFeaturesBatch)->Arg(1)->Arg(1024)->Arg(100000);

// Check + feature program, no trees.
void BM_Prepare(benchmark::State& state, const char* name) {
  const stroke::Model& model = LoadModel(name);
  std::vector<double> features(model.num_features());
  const stroke::Record& record = model.golden_rows()[0].inputs;
  for (auto _ : state) {
    stroke::CheckResult check = model.Prepare(record, features);
    benchmark::DoNotOptimize(check);
  }
}
BENCHMARK_CAPTURE(BM_Prepare, stroke, "stroke");
BENCHMARK_CAPTURE(BM_Prepare, lung_cancer, "lung_cancer");

// What a server does per request body: parse JSON, check, prepare, predict.
void BM_JsonToPrediction(benchmark::State& state) {
  const stroke::Model& model = LoadModel("stroke");
  const std::string body =
      R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "ever_married": "Yes", )"
      R"("work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6, )"
      R"("smoking_status": "formerly smoked"})";
  for (auto _ : state) {
    auto record = stroke::ParseRecordJson(body);
    auto answer = model.Predict(*record);
    benchmark::DoNotOptimize(answer);
  }
}
BENCHMARK(BM_JsonToPrediction);

// Exact TreeSHAP of one prepared row (all features), with a reused scratch.
void BM_ExplainFeatures(benchmark::State& state, const char* name) {
  const stroke::Model& model = LoadModel(name);
  const size_t n = model.golden_rows().size();
  const std::vector<double> rows = PreparedRows(model, n);
  const size_t width = model.num_features();
  stroke::ExplainScratch scratch(model);
  std::vector<double> phi(width);
  const int output = model.ExplainedOutputs()[0];
  size_t i = 0;
  for (auto _ : state) {
    double base = model.ExplainFeatures(std::span<const double>(rows).subspan(i * width, width), output, phi, scratch);
    benchmark::DoNotOptimize(base);
    benchmark::DoNotOptimize(phi.data());
    i = i + 1 == n ? 0 : i + 1;
  }
}
BENCHMARK_CAPTURE(BM_ExplainFeatures, stroke, "stroke");
BENCHMARK_CAPTURE(BM_ExplainFeatures, lung_cancer, "lung_cancer");

// A batch of 1024 explanations, row after row.
void BM_ExplainBatch(benchmark::State& state) {
  const stroke::Model& model = LoadModel("stroke");
  const size_t rows = 1024, width = model.num_features();
  const std::vector<double> features = PreparedRows(model, rows);
  stroke::ExplainScratch scratch(model);
  std::vector<double> phi(width);
  for (auto _ : state) {
    for (size_t r = 0; r < rows; ++r) {
      model.ExplainFeatures(std::span<const double>(features).subspan(r * width, width), 0, phi, scratch);
      benchmark::DoNotOptimize(phi.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
}
BENCHMARK(BM_ExplainBatch);

void BM_LoadBundle(benchmark::State& state) {
  const std::string path = std::string(STROKE_MODELS_DIR) + "/stroke.bundle.json";
  for (auto _ : state) {
    auto model = stroke::Model::Load(path);
    benchmark::DoNotOptimize(model);
  }
}
BENCHMARK(BM_LoadBundle)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
