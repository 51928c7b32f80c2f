// Internal: a batch of rows split over threads. The rows are cut into
// pieces that the threads (the calling thread one of them) take in turn as
// each finishes its last: a core that runs slower (a busy neighbour, a slower
// vCPU) takes fewer pieces instead of holding the others up. The pieces
// shrink as the batch goes (guided scheduling: each is a share of what is
// left), so the threads finish within one small piece of each other while
// the early pieces stay long. Model's threaded batches and the Python
// module's batch methods share it, so they agree on how many threads a batch
// gets (BatchOptions, stroke/model.h).
//
//   const size_t threads = ThreadsFor(n, options);
//   ForEachRowChunk(n, threads, [&](size_t first, size_t count) { Score(first, count); });
#ifndef STROKE_SRC_ROW_CHUNKS_H_
#define STROKE_SRC_ROW_CHUNKS_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "stroke/model.h"

namespace stroke {

// The threads a batch of `rows` rows gets: options.threads (<= 0: one per
// CPU this process may use, AvailableCpus()), but never so many that a thread has fewer than
// options.min_rows_per_thread rows; at least 1.
size_t ThreadsFor(size_t rows, const BatchOptions& options);

// The smallest piece of a large batch: one block of the blocked-trees
// layout, which reads a forest once for each 256 rows. Every piece but the
// last is a multiple of the smallest piece, so pieces start on a block.
inline constexpr size_t kSmallestPieceRows = 256;

// Where each piece of `rows` rows over `threads` threads starts, in order,
// and `rows` last (so piece i is [starts[i], starts[i + 1])). With one
// thread (or rows <= 1): {0, rows}. Otherwise each piece holds
// ceil(left / (2 * threads)) of the rows still left, rounded up to a
// multiple of the smallest piece (kSmallestPieceRows, or rows / (8 *
// threads) when that is less, at least 1), the last taking what remains:
// 100,000 rows on 2 threads start with 25,088 rows and end with pieces of
// 256. No piece is empty.
std::vector<size_t> PieceStarts(size_t rows, size_t threads);

// Calls work(first, count) for the pieces PieceStarts(rows, threads) gives
// (for rows == 0: once, with count 0; one piece, on the calling thread, when
// threads <= 1), on `threads` threads, the calling thread one of them;
// returns when all are done. A thread that cannot be started leaves its
// pieces to the others. `work` must write only to its own rows and may run
// on any of the threads; when it throws, the other pieces still run, and the
// exception of the first piece that threw (in row order) is rethrown here.
// With one thread (or rows <= 1) it calls work(0, rows) directly and
// allocates nothing.
template <typename Work>
void ForEachRowChunk(size_t rows, size_t threads, Work&& work);

namespace internal {
// ForEachRowChunk's threads: the pieces, a thread each but the calling one,
// the exceptions. Allocates.
void ForEachRowChunkOnThreads(size_t rows, size_t threads, const std::function<void(size_t first, size_t count)>& work);
}  // namespace internal

template <typename Work>
void ForEachRowChunk(size_t rows, size_t threads, Work&& work) {
  if (threads <= 1 || rows <= 1) {
    work(size_t{0}, rows);
    return;
  }
  internal::ForEachRowChunkOnThreads(rows, threads, work);
}

}  // namespace stroke

#endif  // STROKE_SRC_ROW_CHUNKS_H_
