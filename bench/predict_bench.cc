// libstroke's hot paths, per model:
//   one_row/M          one prepared row -> Prediction (rows cycled, so the
//                      branch predictor cannot learn them)
//   batch/M/N          PredictFeaturesBatch over N rows, per row (items/s)
//   batch_threads/M/N/T  the same over N = 100,000 rows (the data's rows
//                      cycled) split over T threads (BatchOptions); wall time
//   proba_threads/M/N/T  PredictProbaBatch (n x classes doubles) over the same
//                      100,000 rows and threads; classification models only
//   c_api_features/M/N/T  StrokeModelPredictFeaturesBatch (the C API) over the
//                      same 100,000 rows on T threads, probabilities
//   json/M             JSON text -> parse -> check -> features -> probability
//   prepare/M          check + feature program only
//   explain/M          exact TreeSHAP of one prepared row
//   load/M             Model::Load of the bundle file
//
//   predict_bench [--data=DIR] [Google Benchmark flags]
// DIR is what bench/make_bench_data.py writes (the shipped models plus the
// scale models, on 4096 fresh rows); without it, the shipped stroke and lung
// bundles on their golden rows.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <span>
#include <string>

#include "bench_data.h"
#include "stroke/c_api.h"

namespace {

void OneRow(benchmark::State& state, const stroke::Model* model, std::vector<double> rows) {
  const size_t width = model->num_features(), n = rows.size() / width;
  size_t i = 0;
  for (auto _ : state) {
    stroke::Prediction p = model->PredictFeatures(std::span<const double>(rows).subspan(i * width, width));
    benchmark::DoNotOptimize(p);
    i = i + 1 == n ? 0 : i + 1;
  }
}

// `batch` rows: the first of `rows`, cycled when there are fewer.
void Batch(benchmark::State& state, const stroke::Model* model, const std::vector<double>& rows, size_t batch,
           int threads) {
  const size_t width = model->num_features(), distinct = rows.size() / width;
  std::vector<double> cycled(batch * width);
  for (size_t r = 0; r < batch; ++r) std::copy_n(&rows[(r % distinct) * width], width, &cycled[r * width]);
  std::vector<stroke::Prediction> out(batch);
  stroke::BatchOptions options;
  options.threads = threads;
  for (auto _ : state) {
    model->PredictFeaturesBatch(cycled, out, options);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}

// Batch, answering PredictProbaBatch's n x num_classes probabilities.
void Proba(benchmark::State& state, const stroke::Model* model, const std::vector<double>& rows, size_t batch,
           int threads) {
  const size_t width = model->num_features(), distinct = rows.size() / width;
  std::vector<double> cycled(batch * width);
  for (size_t r = 0; r < batch; ++r) std::copy_n(&rows[(r % distinct) * width], width, &cycled[r * width]);
  std::vector<double> proba(batch * static_cast<size_t>(model->num_classes()));
  stroke::BatchOptions options;
  options.threads = threads;
  for (auto _ : state) {
    const stroke::Status status = model->PredictProbaBatch(cycled, proba, options);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    benchmark::DoNotOptimize(proba.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}

// The C API's feature matrix call; its own handle on the bundle, loaded on
// the first run (so a filter that skips it costs no second load).
void CApiFeatures(benchmark::State& state, const stroke::Model* model, std::string bundle,
                  const std::vector<double>& rows, size_t batch, int threads) {
  static std::map<std::string, StrokeModel*> handles;  // benchmarks run one at a time
  StrokeModel*& handle = handles[bundle];
  if (handle == nullptr && StrokeModelLoad(bundle.c_str(), &handle) != STROKE_OK) {
    state.SkipWithError(StrokeGetLastError());
    return;
  }
  const size_t width = model->num_features(), distinct = rows.size() / width;
  std::vector<double> cycled(batch * width);
  for (size_t r = 0; r < batch; ++r) std::copy_n(&rows[(r % distinct) * width], width, &cycled[r * width]);
  size_t outputs = 0;
  StrokeModelGetNumOutputs(handle, &outputs);
  std::vector<double> out(batch * outputs);
  for (auto _ : state) {
    if (StrokeModelPredictFeaturesBatch(handle, cycled.data(), batch, width, STROKE_OUTPUT_PROBABILITY, threads,
                                        out.data(), out.size()) != STROKE_OK) {
      state.SkipWithError(StrokeGetLastError());
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}

void Json(benchmark::State& state, const stroke::Model* model, std::vector<std::string> bodies) {
  size_t i = 0;
  for (auto _ : state) {
    auto record = stroke::ParseRecordJson(bodies[i]);
    auto answer = model->Predict(*record);
    benchmark::DoNotOptimize(answer);
    i = i + 1 == bodies.size() ? 0 : i + 1;
  }
}

void Prepare(benchmark::State& state, const stroke::Model* model) {
  std::vector<double> features(model->num_features());
  size_t i = 0;
  const auto& golden = model->golden_rows();
  for (auto _ : state) {
    stroke::CheckResult check = model->Prepare(golden[i].inputs, features);
    benchmark::DoNotOptimize(check);
    i = i + 1 == golden.size() ? 0 : i + 1;
  }
}

void Explain(benchmark::State& state, const stroke::Model* model, std::vector<double> rows) {
  const size_t width = model->num_features(), n = rows.size() / width;
  stroke::ExplainScratch scratch(*model);
  std::vector<double> phi(width);
  const int output = model->ExplainedOutputs()[0];
  size_t i = 0;
  for (auto _ : state) {
    double base = model->ExplainFeatures(std::span<const double>(rows).subspan(i * width, width), output, phi, scratch);
    benchmark::DoNotOptimize(base);
    benchmark::DoNotOptimize(phi.data());
    i = i + 1 == n ? 0 : i + 1;
  }
}

void Load(benchmark::State& state, std::string path) {
  for (auto _ : state) {
    auto model = stroke::Model::Load(path);
    if (!model.ok()) state.SkipWithError(model.status().ToString().c_str());
    benchmark::DoNotOptimize(model);
  }
}

void RegisterAll(bench::BenchData& data) {
  for (bench::BenchModel& m : data.models()) {
    const stroke::Model* model = &bench::BenchData::Load(m);
    const std::vector<double> rows = data.Rows(m);
    const std::string& name = m.name;
    benchmark::RegisterBenchmark(("one_row/" + name).c_str(), OneRow, model, rows);
    for (size_t batch : {1, 16, 256, 4096}) {
      benchmark::RegisterBenchmark(("batch/" + name + "/" + std::to_string(batch)).c_str(), Batch, model, rows, batch, 1);
    }
    for (int threads : {1, 2}) {
      benchmark::RegisterBenchmark(("batch_threads/" + name + "/100000/" + std::to_string(threads)).c_str(), Batch,
                                   model, rows, size_t{100'000}, threads)->UseRealTime();
      if (model->num_classes() > 0) {
        benchmark::RegisterBenchmark(("proba_threads/" + name + "/100000/" + std::to_string(threads)).c_str(), Proba,
                                     model, rows, size_t{100'000}, threads)->UseRealTime();
      }
      benchmark::RegisterBenchmark(("c_api_features/" + name + "/100000/" + std::to_string(threads)).c_str(),
                                   CApiFeatures, model, m.bundle, rows, size_t{100'000}, threads)->UseRealTime();
    }
    if (m.shipped) {
      benchmark::RegisterBenchmark(("json/" + name).c_str(), Json, model, data.Bodies(m));
      benchmark::RegisterBenchmark(("prepare/" + name).c_str(), Prepare, model);
      benchmark::RegisterBenchmark(("explain/" + name).c_str(), Explain, model, rows);
    }
    if (m.shipped || (m.trees == 1000 && m.depth == 6)) {
      benchmark::RegisterBenchmark(("load/" + name).c_str(), Load, m.bundle)->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::BenchData data(bench::TakeDataDir(&argc, argv));
  RegisterAll(data);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
