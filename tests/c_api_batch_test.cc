// The C API's feature matrices (StrokeModelPredictFeatures and
// StrokeModelPredictFeaturesBatch, stroke/c_api.h) score runs of good rows
// with the batch engine, on one thread or many: every value must be what the
// one-row C++ path gives that row (Model::PredictFeatures, Ensemble::PredictRaw),
// bit for bit, and every refused row must get NaN and the same message, in
// row order, whatever the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "batch_models.h"
#include "c_api_internal.h"
#include "stroke/c_api.h"
#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {

using testing::AllBundlePaths;
using testing::LoadOrDie;
using testing::RandomForest;
using testing::RowsLikeGolden;

// What a row's answer is, from the one-row C++ path: probabilities (or the
// value) or raw margins.
std::vector<double> OneRowAnswer(const Model& model, std::span<const double> row, bool raw) {
  if (raw) {
    std::vector<double> margins(static_cast<size_t>(model.ensemble().num_outputs()));
    model.ensemble().PredictRaw(row, margins);
    return margins;
  }
  const Prediction p = model.PredictFeatures(row);
  if (model.task() == Task::kRegression) return {p.value};
  return std::vector<double>(p.probabilities.begin(), p.probabilities.begin() + p.num_classes);
}

// Spoils every 97th row (from row 5 on) with a value no model takes: an
// infinity; returns which rows are spoiled.
std::vector<bool> SpoilSomeRows(std::vector<double>& rows, size_t width) {
  const size_t n = rows.size() / width;
  std::vector<bool> spoiled(n, false);
  for (size_t r = 5; r < n; r += 97) {
    rows[r * width + r % width] = r % 2 == 0 ? INFINITY : -INFINITY;
    spoiled[r] = true;
  }
  return spoiled;
}

// Every thread count's answers and row errors for `rows`, against the
// one-row path.
void ExpectMatrixAnswersAsOneRow(const Model& model, std::vector<double> rows, const std::string& name) {
  const StrokeModel handle{model};
  const size_t width = model.num_features(), n = rows.size() / width;
  const std::vector<bool> spoiled = SpoilSomeRows(rows, width);
  for (const int kind : {STROKE_OUTPUT_PROBABILITY, STROKE_OUTPUT_RAW_MARGIN}) {
    const bool raw = kind == STROKE_OUTPUT_RAW_MARGIN;
    const size_t columns = OneRowAnswer(model, std::span<const double>(rows).first(width), raw).size();
    std::vector<std::string> first_messages;
    for (const int threads : {-1, 1, 2, 3, 0}) {  // -1: StrokeModelPredictFeatures
      const std::string where = name + (raw ? ", raw" : ", probability") + ", threads " + std::to_string(threads);
      std::vector<double> out(n * columns, 7.0);
      const int code = threads < 0
                           ? StrokeModelPredictFeatures(&handle, rows.data(), n, width, kind, out.data(), out.size())
                           : StrokeModelPredictFeaturesBatch(&handle, rows.data(), n, width, kind, threads, out.data(),
                                                             out.size());
      ASSERT_EQ(code, STROKE_ERROR_INVALID_INPUT) << where << ": " << StrokeGetLastError();
      std::vector<std::string> messages;
      for (size_t r = 0; r < n; ++r) {
        const char* message = StrokeGetLastRowError(r);
        if (spoiled[r]) {
          ASSERT_NE(message, nullptr) << where << ", row " << r;
          messages.emplace_back(message);
          for (size_t c = 0; c < columns; ++c) ASSERT_TRUE(std::isnan(out[r * columns + c])) << where << ", row " << r;
          continue;
        }
        ASSERT_EQ(message, nullptr) << where << ", row " << r << ": " << message;
        const std::vector<double> expected = OneRowAnswer(model, std::span<const double>(rows).subspan(r * width, width), raw);
        ASSERT_EQ(std::memcmp(&out[r * columns], expected.data(), columns * sizeof(double)), 0) << where << ", row " << r;
      }
      const size_t spoiled_rows = static_cast<size_t>(std::count(spoiled.begin(), spoiled.end(), true));
      EXPECT_EQ(messages.size(), spoiled_rows) << where;
      EXPECT_NE(std::string(StrokeGetLastError()).find(std::to_string(spoiled_rows) + " of " + std::to_string(n) + " rows failed"),
                std::string::npos) << where << ": " << StrokeGetLastError();
      if (first_messages.empty()) first_messages = messages;
      EXPECT_EQ(messages, first_messages) << where;
    }
  }
}

TEST(CApiBatch, EveryShippedModelAnswersAsTheOneRowPath) {
  std::mt19937 rng(23);
  for (const std::string& path : AllBundlePaths()) {
    const Model model = LoadOrDie(path);
    ExpectMatrixAnswersAsOneRow(model, RowsLikeGolden(model, 9001, rng), path);  // 2 shares of 4,096 rows and more
  }
}

TEST(CApiBatch, DeepForestsAnswerAsTheOneRowPath) {
  std::mt19937 rng(29);
  for (const bool missing : {false, true}) {
    const Model model = RandomForest(24, missing, rng);
    ASSERT_NE(model.ensemble().layout().find("blocked trees"), std::string::npos) << model.ensemble().layout();
    std::vector<double> rows(8700 * 4);
    for (double& x : rows) {
      x = std::round(std::uniform_real_distribution<double>(-3.5, 3.5)(rng) * 8) / 8;
      if (missing && rng() % 10 == 0) x = NAN;
    }
    ExpectMatrixAnswersAsOneRow(model, rows, missing ? "forest with missing values" : "forest");
  }
}

TEST(CApiBatch, AllGoodRowsSucceedAndANegativeThreadCountIsRefused) {
  const Model model = LoadOrDie(testing::ShippedBundlePath("stroke"));
  const StrokeModel handle{model};
  std::mt19937 rng(3);
  const std::vector<double> rows = RowsLikeGolden(model, 10000, rng);
  const size_t width = model.num_features(), n = rows.size() / width;
  std::vector<double> one(n * 2), two(n * 2);
  ASSERT_EQ(StrokeModelPredictFeaturesBatch(&handle, rows.data(), n, width, STROKE_OUTPUT_PROBABILITY, 1, one.data(),
                                            one.size()), STROKE_OK) << StrokeGetLastError();
  ASSERT_EQ(StrokeModelPredictFeaturesBatch(&handle, rows.data(), n, width, STROKE_OUTPUT_PROBABILITY, 2, two.data(),
                                            two.size()), STROKE_OK) << StrokeGetLastError();
  EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(double)), 0);
  std::vector<double> untouched(n * 2, 7.0);
  EXPECT_EQ(StrokeModelPredictFeaturesBatch(&handle, rows.data(), n, width, STROKE_OUTPUT_PROBABILITY, -2,
                                            untouched.data(), untouched.size()), STROKE_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(StrokeGetLastError(),
               "StrokeModelPredictFeaturesBatch: n_threads is -2; give 1 or more, or 0 for one per CPU");
  EXPECT_EQ(untouched, std::vector<double>(n * 2, 7.0));
}

}  // namespace
}  // namespace stroke
