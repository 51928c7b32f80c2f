// Internal: a batch of rows split over threads in contiguous chunks, one
// chunk a thread, the calling thread taking the first. Model's threaded
// PredictFeaturesBatch and the Python module's batch methods share it, so
// they agree on how many threads a batch gets (BatchOptions, stroke/model.h).
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

// Calls work(first, count) once for each of `threads` contiguous chunks that
// cover [0, rows) in order (sizes differ by at most one row; no empty chunk:
// fewer chunks when rows < threads), each on its own thread, the first on
// the calling thread; returns when all are done. A thread that cannot be
// started leaves its chunk to the calling thread. `work` must write only to
// its own rows; when it throws, the first exception (in chunk order) is
// rethrown here once every chunk is done.
void ForEachRowChunk(size_t rows, size_t threads, const std::function<void(size_t first, size_t count)>& work);

}  // namespace stroke

#endif  // STROKE_SRC_ROW_CHUNKS_H_
