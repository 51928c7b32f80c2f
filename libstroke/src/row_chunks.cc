#include "row_chunks.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace stroke {

size_t ThreadsFor(size_t rows, const BatchOptions& options) {
  const size_t wanted = options.threads > 0 ? static_cast<size_t>(options.threads)
                                            : std::max(1u, std::thread::hardware_concurrency());
  const size_t affordable = rows / std::max<size_t>(1, options.min_rows_per_thread);
  return std::max<size_t>(1, std::min(wanted, affordable));
}

void ForEachRowChunk(size_t rows, size_t threads, const std::function<void(size_t first, size_t count)>& work) {
  threads = std::max<size_t>(1, std::min(threads, rows));
  const size_t pieces = threads == 1 ? 1 : std::min(rows, threads * kPiecesPerThread);
  auto first_of = [&](size_t piece) { return rows / pieces * piece + std::min(piece, rows % pieces); };
  std::vector<std::exception_ptr> failed(pieces);
  std::atomic<size_t> next{0};
  auto take_pieces = [&] {
    for (size_t piece = next++; piece < pieces; piece = next++) {
      try {
        work(first_of(piece), first_of(piece + 1) - first_of(piece));
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

}  // namespace stroke
