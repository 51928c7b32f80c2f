// Batches split over threads (BatchOptions, src/row_chunks.h) must answer
// exactly as one thread: every shipped model and random deep forests, with
// even and odd thread counts and more threads than rows; PredictProbaBatch's
// probabilities are PredictFeaturesBatch's, bit for bit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <map>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "batch_models.h"
#include "row_chunks.h"
#include "stroke/model.h"
#include "test_util.h"

namespace stroke {
namespace {

using testing::AllBundlePaths;
using testing::LoadOrDie;
using testing::RandomForest;
using testing::RowsLikeGolden;

TEST(RowChunks, ThreadsForKeepsEnoughRowsPerThread) {
  BatchOptions options;
  EXPECT_EQ(ThreadsFor(1'000'000, options), 1u);  // the default: one thread
  options.threads = 2;
  EXPECT_EQ(ThreadsFor(0, options), 1u);
  EXPECT_EQ(ThreadsFor(8191, options), 1u);  // two threads need 2 x 4096 rows
  EXPECT_EQ(ThreadsFor(8192, options), 2u);
  options.threads = 3;
  options.min_rows_per_thread = 10;
  EXPECT_EQ(ThreadsFor(29, options), 2u);
  EXPECT_EQ(ThreadsFor(30, options), 3u);
  EXPECT_EQ(ThreadsFor(1000, options), 3u);
  options.min_rows_per_thread = 0;  // read as 1
  EXPECT_EQ(ThreadsFor(2, options), 2u);
  options.threads = 0;  // one per hardware thread
  EXPECT_GE(ThreadsFor(1'000'000, options), 1u);
}

TEST(RowChunks, PiecesCoverEveryRowOnce) {
  for (size_t rows : {0, 1, 2, 5, 7, 100, 10'000, 100'000}) {
    for (size_t threads : {1, 2, 3, 7, 500}) {
      const std::string where = std::to_string(rows) + " rows, " + std::to_string(threads) + " threads";
      std::mutex mutex;
      std::vector<std::pair<size_t, size_t>> pieces;
      std::set<std::thread::id> ids;
      ForEachRowChunk(rows, threads, [&](size_t first, size_t count) {
        std::lock_guard<std::mutex> lock(mutex);
        pieces.emplace_back(first, count);
        ids.insert(std::this_thread::get_id());
      });
      const size_t used = std::max<size_t>(1, std::min(threads, rows));
      EXPECT_LE(ids.size(), used) << where;
      const std::vector<size_t> starts = PieceStarts(rows, threads);
      ASSERT_EQ(pieces.size() + 1, starts.size()) << where;
      if (used == 1) {
        ASSERT_EQ(pieces.size(), 1u) << where;
        EXPECT_EQ(*ids.begin(), std::this_thread::get_id()) << where;
      } else {
        EXPECT_GE(pieces.size(), used) << where;  // a piece for every thread at least
      }
      std::sort(pieces.begin(), pieces.end());
      size_t next = 0;
      for (size_t i = 0; i < pieces.size(); ++i) {
        const auto [first, count] = pieces[i];
        EXPECT_EQ(first, starts[i]) << where;
        EXPECT_EQ(first, next) << where;
        EXPECT_TRUE(count > 0 || rows == 0) << where;
        // Each piece holds at most a 2 * threads-th of what is left, to the smallest piece.
        if (used > 1) {
          EXPECT_LE(count, (rows - first + 2 * used - 1) / (2 * used) + kSmallestPieceRows) << where;
        }
        if (i > 0) {
          EXPECT_LE(count, pieces[i - 1].second) << where;  // pieces shrink
        }
        next = first + count;
      }
      EXPECT_EQ(next, rows) << where;
    }
  }
}

TEST(RowChunks, LargeBatchesEndInSmallPiecesThatStartOnABlock) {
  const std::vector<size_t> starts = PieceStarts(100'000, 2);
  EXPECT_EQ(starts[1], 25'088u);  // ceil(100,000 / 4), rounded up to 256 rows
  EXPECT_EQ(starts.back(), 100'000u);
  for (size_t i = 0; i + 2 < starts.size(); ++i) EXPECT_EQ(starts[i + 1] % kSmallestPieceRows, 0u) << i;
  const size_t last = starts[starts.size() - 1] - starts[starts.size() - 2];
  EXPECT_LE(last, kSmallestPieceRows);  // the threads finish within one block of each other
  EXPECT_LT(starts.size(), 40u);        // few pieces: each costs a shared counter's update
}

TEST(RowChunks, PieceStartsWorkedExamples) {
  // 1,600 rows on 2 threads: the smallest piece is an eighth of a share (100
  // rows); each piece a quarter of what is left, rounded up to 100.
  EXPECT_EQ(PieceStarts(1600, 2), (std::vector<size_t>{0, 400, 700, 1000, 1200, 1300, 1400, 1500, 1600}));
  EXPECT_EQ(PieceStarts(7, 500), (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7}));  // a row a thread, 7 threads
  EXPECT_EQ(PieceStarts(5, 1), (std::vector<size_t>{0, 5}));
  EXPECT_EQ(PieceStarts(0, 3), (std::vector<size_t>{0, 0}));
}

TEST(RowChunks, ASlowThreadTakesFewerPieces) {
  // The thread that takes the first piece is held up until the other pieces
  // are done (or 10 s pass): the other thread takes them all meanwhile.
  std::mutex mutex;
  std::map<std::thread::id, size_t> pieces_of;
  std::atomic<size_t> done{0};
  const size_t pieces = PieceStarts(1600, 2).size() - 1;
  ForEachRowChunk(1600, 2, [&](size_t first, size_t) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (first == 0 && done < pieces - 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++pieces_of[std::this_thread::get_id()];
    ++done;
  });
  ASSERT_EQ(pieces_of.size(), 2u);
  const size_t a = pieces_of.begin()->second, b = std::next(pieces_of.begin())->second;
  EXPECT_EQ(std::min(a, b), 1u);
  EXPECT_EQ(std::max(a, b), pieces - 1);
}

TEST(RowChunks, OneChunkRunsOnTheCallingThread) {
  std::thread::id ran_on;
  ForEachRowChunk(1000, 1, [&](size_t, size_t) { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(RowChunks, TheFirstPiecesExceptionReachesTheCaller) {
  // Every piece from row 50 on throws; all run, and the one nearest row 50 is rethrown.
  std::mutex mutex;
  size_t pieces = 0, first_thrower = SIZE_MAX;
  try {
    ForEachRowChunk(100, 4, [&](size_t first, size_t count) {
      std::lock_guard<std::mutex> lock(mutex);
      ++pieces;
      if (first + count <= 50) return;
      first_thrower = std::min(first_thrower, first);
      throw std::runtime_error("piece at " + std::to_string(first));
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(e.what(), "piece at " + std::to_string(first_thrower));
  }
  EXPECT_EQ(pieces, 16u);  // 100 rows on 4 threads: 15, 12, 12, 9, 9, 6, ... 3, 1 (the smallest piece: 3 rows)
}

// Every value of two predictions, compared as bits.
void ExpectSameBits(const Prediction& a, const Prediction& b, const std::string& where) {
  ASSERT_EQ(a.prediction, b.prediction) << where;
  ASSERT_EQ(a.num_classes, b.num_classes) << where;
  ASSERT_EQ(std::memcmp(&a.probability, &b.probability, sizeof(double)), 0) << where;
  ASSERT_EQ(std::memcmp(&a.value, &b.value, sizeof(double)), 0) << where;
  ASSERT_EQ(std::memcmp(&a.raw_margin, &b.raw_margin, sizeof(double)), 0) << where;
  ASSERT_EQ(std::memcmp(a.probabilities.data(), b.probabilities.data(), sizeof(a.probabilities)), 0) << where;
}

// PredictProbaBatch on `rows`, one thread and 2, 3, 7 and more threads than
// rows: the bits of `predictions`' probabilities (PredictFeaturesBatch's),
// or for a regression model kInvalidInput, the output untouched.
void ExpectProbaAsPredictions(const Model& model, const std::vector<double>& rows,
                              const std::vector<Prediction>& predictions, const std::string& name) {
  const size_t n = predictions.size(), classes = static_cast<size_t>(model.num_classes());
  if (classes == 0) {
    std::vector<double> proba(n, 7.0);
    const Status status = model.PredictProbaBatch(rows, proba);
    EXPECT_EQ(status.code(), StatusCode::kInvalidInput) << name;
    EXPECT_EQ(status.message(), "PredictProbaBatch: a regression model has no class probabilities") << name;
    EXPECT_EQ(proba, std::vector<double>(n, 7.0)) << name;
    return;
  }
  for (int threads : {1, 2, 3, 7, static_cast<int>(n) + 5}) {
    BatchOptions options;
    options.threads = threads;
    options.min_rows_per_thread = 1;
    std::vector<double> proba(n * classes, NAN);
    ASSERT_TRUE(model.PredictProbaBatch(rows, proba, options).ok()) << name;
    for (size_t r = 0; r < n; ++r) {
      ASSERT_EQ(std::memcmp(&proba[r * classes], predictions[r].probabilities.data(), classes * sizeof(double)), 0)
          << name << ", " << threads << " threads, row " << r;
    }
  }
}

// Scores `rows` with one thread and with 2, 3, 7 and more threads than rows
// (every thread count allowed by min_rows_per_thread = 1), and compares.
void ExpectThreadsChangeNothing(const Model& model, const std::vector<double>& rows, const std::string& name) {
  const size_t n = rows.size() / model.num_features();
  std::vector<Prediction> one(n), many(n);
  model.PredictFeaturesBatch(rows, one);
  model.PredictFeaturesBatch(rows, many, BatchOptions{});  // one thread, the default
  for (size_t r = 0; r < n; ++r) ExpectSameBits(one[r], many[r], name + ", default options, row " + std::to_string(r));
  for (int threads : {2, 3, 7, static_cast<int>(n) + 5}) {
    BatchOptions options;
    options.threads = threads;
    options.min_rows_per_thread = 1;
    model.PredictFeaturesBatch(rows, many, options);
    for (size_t r = 0; r < n; ++r) {
      ExpectSameBits(one[r], many[r], name + ", " + std::to_string(threads) + " threads, row " + std::to_string(r));
    }
  }
  ExpectProbaAsPredictions(model, rows, one, name);
}

TEST(BatchThreads, PredictProbaBatchRefusesSizesThatDisagree) {
  const Model model = LoadOrDie(testing::ShippedBundlePath("stroke"));
  const size_t width = model.num_features();
  std::vector<double> rows(3 * width, 0.0);
  for (const auto& [rows_given, proba_size] : std::vector<std::pair<size_t, size_t>>{
           {3 * width, 5}, {3 * width, 7}, {3 * width - 1, 6}, {0, 2}}) {
    std::vector<double> proba(proba_size, 7.0);
    const Status status = model.PredictProbaBatch(std::span<const double>(rows).first(rows_given), proba);
    EXPECT_EQ(status.code(), StatusCode::kInvalidInput) << rows_given << " values, " << proba_size;
    EXPECT_NE(status.message().find("expected n * " + std::to_string(width) + " features and n * 2 classes"),
              std::string::npos) << status.message();
    EXPECT_EQ(proba, std::vector<double>(proba_size, 7.0));
  }
  std::vector<double> none;
  EXPECT_TRUE(model.PredictProbaBatch(std::span<const double>(), none).ok());  // no rows, no classes
}

TEST(BatchThreads, EveryShippedModelAnswersAsOneThread) {
  std::mt19937 rng(5);
  for (const std::string& path : AllBundlePaths()) {
    const Model model = LoadOrDie(path);
    ExpectThreadsChangeNothing(model, RowsLikeGolden(model, 1001, rng), path);
  }
}

TEST(BatchThreads, RandomDeepForestsAnswerAsOneThread) {
  std::mt19937 rng(17);
  for (int trial = 0; trial < 6; ++trial) {
    const bool missing = trial % 2 == 1;
    const Model model = RandomForest(20 + trial * 7, missing, rng);
    ASSERT_NE(model.ensemble().layout().find("blocked trees"), std::string::npos) << model.ensemble().layout();
    const size_t n = 2000 + trial * 333;  // several blocks of 256 rows a thread, and a ragged end
    std::vector<double> rows(n * 4);
    for (double& x : rows) {
      x = std::round(std::uniform_real_distribution<double>(-3.5, 3.5)(rng) * 8) / 8;
      if (missing && rng() % 10 == 0) x = NAN;
    }
    ExpectThreadsChangeNothing(model, rows, "forest trial " + std::to_string(trial));
  }
}

}  // namespace
}  // namespace stroke
