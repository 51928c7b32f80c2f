// Internal: a batch of rows split over threads. The rows are cut into
// pieces, several a thread, that the threads (the calling thread one of
// them) take in turn as each finishes its last: a core that runs slower (a
// busy neighbour, a slower vCPU) takes fewer pieces instead of holding the
// others up. Model's threaded batches and the Python module's batch methods
// share it, so they agree on how many threads a batch gets (BatchOptions,
// stroke/model.h).
//
//   const size_t threads = ThreadsFor(n, options);
//   ForEachRowChunk(n, threads, [&](size_t first, size_t count) { Score(first, count); });
#ifndef STROKE_SRC_ROW_CHUNKS_H_
#define STROKE_SRC_ROW_CHUNKS_H_

#include <cstddef>
#include <functional>

#include "stroke/model.h"

namespace stroke {

// The threads a batch of `rows` rows gets: options.threads (<= 0: one per
// hardware thread), but never so many that a thread has fewer than
// options.min_rows_per_thread rows; at least 1.
size_t ThreadsFor(size_t rows, const BatchOptions& options);

// Pieces a thread's share is cut into (kPiecesPerThread * threads pieces of
// equal size, to a row): enough that threads finish within an eighth of a
// share of each other, few enough that a piece of a 4096-row share (the
// default min_rows_per_thread) still holds the 256-row blocks the
// blocked-trees layout reads a forest once for.
inline constexpr size_t kPiecesPerThread = 8;

// Calls work(first, count) for contiguous pieces that cover [0, rows) once
// each (no empty piece but for rows == 0: one; one piece, on the calling
// thread, when threads <= 1),
// on `threads` threads, the calling thread one of them; returns when all are
// done. A thread that cannot be started leaves its pieces to the others.
// `work` must write only to its own rows and may run on any of the threads;
// when it throws, the other pieces still run, and the exception of the
// first piece that threw (in row order) is rethrown here.
void ForEachRowChunk(size_t rows, size_t threads, const std::function<void(size_t first, size_t count)>& work);

}  // namespace stroke

#endif  // STROKE_SRC_ROW_CHUNKS_H_
