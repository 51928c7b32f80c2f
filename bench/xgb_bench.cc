// The XGBoost peer: XGBoost's own C API predicting the data directory's
// XGBoost models on the same rows predict_bench gives libstroke (the
// bundles exported from those models):
//   xgboost_one_row/M    one row per XGBoosterPredictFromDense call
//   xgboost_batch/M/N    N rows per call, per row (items/s)
// One thread (nthread=1), probabilities (type 0), the rows as float64 dense
// arrays. Before timing, it checks that XGBoost and libstroke give the same
// probability (as float32, XGBoost's output type) for every row.
//
//   xgb_bench --data=DIR [Google Benchmark flags]
#include <benchmark/benchmark.h>
#include <xgboost/c_api.h>

#include <cstdint>
#include <span>

#include "bench_data.h"

namespace {

void Check(int code, const char* what) {
  if (code != 0) bench::Fail(std::string(what) + ": " + XGBGetLastError());
}

BoosterHandle LoadBooster(const std::string& path) {
  BoosterHandle booster = nullptr;
  Check(XGBoosterCreate(nullptr, 0, &booster), "XGBoosterCreate");
  Check(XGBoosterLoadModel(booster, path.c_str()), "XGBoosterLoadModel");
  Check(XGBoosterSetParam(booster, "nthread", "1"), "XGBoosterSetParam");
  return booster;
}

// The __array_interface__ JSON XGBoost reads a dense matrix from.
std::string ArrayInterface(const double* rows, size_t n, size_t width) {
  return R"({"data": [)" + std::to_string(reinterpret_cast<uintptr_t>(rows)) + R"(, true], "shape": [)" +
         std::to_string(n) + ", " + std::to_string(width) + R"(], "typestr": "<f8", "version": 3})";
}

const char* const kConfig =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0})";

const float* Predict(BoosterHandle booster, const std::string& array) {
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  Check(XGBoosterPredictFromDense(booster, array.c_str(), kConfig, nullptr, &shape, &dims, &out),
        "XGBoosterPredictFromDense");
  return out;
}

void CheckParity(BoosterHandle booster, const stroke::Model& model, const std::vector<double>& rows,
                 const std::string& name) {
  const size_t width = model.num_features(), n = rows.size() / width;
  const float* theirs = Predict(booster, ArrayInterface(rows.data(), n, width));
  for (size_t r = 0; r < n; ++r) {
    const stroke::Prediction ours = model.PredictFeatures(std::span<const double>(rows).subspan(r * width, width));
    if (static_cast<float>(ours.probability) != theirs[r]) {
      bench::Fail(name + " row " + std::to_string(r) + ": XGBoost " + std::to_string(theirs[r]) + ", libstroke " +
                  std::to_string(ours.probability));
    }
  }
}

void OneRow(benchmark::State& state, BoosterHandle booster, std::vector<double> rows, size_t width) {
  const size_t n = rows.size() / width;
  std::vector<std::string> arrays;
  for (size_t r = 0; r < n; ++r) arrays.push_back(ArrayInterface(&rows[r * width], 1, width));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Predict(booster, arrays[i]));
    i = i + 1 == n ? 0 : i + 1;
  }
}

void Batch(benchmark::State& state, BoosterHandle booster, std::vector<double> rows, size_t width, size_t batch) {
  const std::string array = ArrayInterface(rows.data(), batch, width);
  for (auto _ : state) benchmark::DoNotOptimize(Predict(booster, array));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = bench::TakeDataDir(&argc, argv);
  if (dir.empty()) bench::Fail("xgb_bench needs --data=DIR (bench/make_bench_data.py)");
  bench::BenchData data(dir);
  for (bench::BenchModel& m : data.models()) {
    if (m.family != "xgb") continue;
    BoosterHandle booster = LoadBooster(m.xgboost);
    const stroke::Model& model = bench::BenchData::Load(m);
    std::vector<double> rows = data.Rows(m);
    CheckParity(booster, model, rows, m.name);
    const size_t width = model.num_features();
    benchmark::RegisterBenchmark(("xgboost_one_row/" + m.name).c_str(), OneRow, booster, rows, width);
    for (size_t batch : {1, 16, 256, 4096}) {
      benchmark::RegisterBenchmark(("xgboost_batch/" + m.name + "/" + std::to_string(batch)).c_str(), Batch, booster,
                                   rows, width, batch);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
