// stroke-predict's pipeline: a reader thread cuts the input into blocks of
// whole records (RecordChunker), scorer threads read, check, predict and
// render each block, and the calling thread writes the blocks in input order,
// flushing whenever it waits - so answers come out while input still
// arrives, in constant memory, and byte for byte as one whole read would.
#ifndef STROKE_APPS_PREDICT_PREDICT_STREAM_H_
#define STROKE_APPS_PREDICT_PREDICT_STREAM_H_

#include <ostream>

#include "byte_source.h"
#include "cli_options.h"
#include "stroke/model.h"

namespace stroke::apps {

// Predicts every record of `in` as `options` says (format, id and kept
// columns, --threads, --progress, block size) and writes the answers to
// `out`, row errors, the summary and the progress bar to `err`. Returns the
// exit status: kExitOk, kExitRowsFailed, or kExitUsage when the input cannot
// be read (answers of earlier blocks have then been written; it returns once
// the reader thread stops, which a pipe still open keeps waiting in read(2)).
// A JSON (not JSON Lines) input is one document: it is read whole, then
// scored as one block.
int PredictStream(const Model& model, const CliOptions& options, ByteSource& in, std::ostream& out,
                  std::ostream& err);

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_PREDICT_STREAM_H_
