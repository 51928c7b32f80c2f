#include "row_chunks.h"

#include "stroke/cpus.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace stroke {

size_t ThreadsFor(size_t rows, const BatchOptions& options) {
  const size_t wanted = options.threads > 0 ? static_cast<size_t>(options.threads)
                                            : static_cast<size_t>(AvailableCpus());
  const size_t affordable = rows / std::max<size_t>(1, options.min_rows_per_thread);
  return std::max<size_t>(1, std::min(wanted, affordable));
}

std::vector<size_t> PieceStarts(size_t rows, size_t threads) {
  threads = std::max<size_t>(1, std::min(threads, rows));
  if (threads == 1) return {0, rows};
  const size_t smallest = std::clamp<size_t>(rows / (8 * threads), 1, kSmallestPieceRows);
  std::vector<size_t> starts{0};
  for (size_t first = 0; first < rows;) {
    const size_t left = rows - first, share = (left + 2 * threads - 1) / (2 * threads);
    first += std::min(left, (share + smallest - 1) / smallest * smallest);
    starts.push_back(first);
  }
  return starts;
}

namespace internal {

void ForEachRowChunkOnThreads(size_t rows, size_t threads, const std::function<void(size_t first, size_t count)>& work) {
  threads = std::max<size_t>(1, std::min(threads, rows));
  const std::vector<size_t> starts = PieceStarts(rows, threads);
  const size_t pieces = starts.size() - 1;
  std::vector<std::exception_ptr> failed(pieces);
  std::atomic<size_t> next{0};
  auto take_pieces = [&] {
    for (size_t piece = next++; piece < pieces; piece = next++) {
      try {
        work(starts[piece], starts[piece + 1] - starts[piece]);
      } catch (...) {
        failed[piece] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> started;
  started.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) {
    try {
      started.emplace_back(take_pieces);
    } catch (const std::system_error&) {
      break;  // the threads started, the calling one included, take every piece
    }
  }
  take_pieces();
  for (std::thread& thread : started) thread.join();
  for (const std::exception_ptr& e : failed) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace internal

}  // namespace stroke
