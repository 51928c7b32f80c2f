#include "row_chunks.h"

#include <algorithm>
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
  const size_t chunks = std::max<size_t>(1, std::min(threads, rows));
  auto first_of = [&](size_t chunk) { return rows / chunks * chunk + std::min(chunk, rows % chunks); };
  std::vector<std::exception_ptr> failed(chunks);
  auto run = [&](size_t chunk) {
    try {
      work(first_of(chunk), first_of(chunk + 1) - first_of(chunk));
    } catch (...) {
      failed[chunk] = std::current_exception();
    }
  };
  std::vector<std::thread> started;
  started.reserve(chunks);
  std::vector<size_t> left;  // chunks no thread could be started for
  left.reserve(chunks);
  for (size_t chunk = 1; chunk < chunks; ++chunk) {
    try {
      started.emplace_back(run, chunk);
    } catch (const std::system_error&) {
      left.push_back(chunk);
    }
  }
  run(0);
  for (size_t chunk : left) run(chunk);
  for (std::thread& thread : started) thread.join();
  for (const std::exception_ptr& e : failed) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace stroke
