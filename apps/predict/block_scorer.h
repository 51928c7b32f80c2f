// One block of input text -> its rendered answers: what each of
// stroke-predict's scorer threads does (predict_stream.h).
#ifndef STROKE_APPS_PREDICT_BLOCK_SCORER_H_
#define STROKE_APPS_PREDICT_BLOCK_SCORER_H_

#include <optional>
#include <string>

#include "cli_options.h"
#include "record_chunker.h"
#include "stroke/explain.h"
#include "stroke/model.h"

namespace stroke::apps {

// A block's answers, rendered.
struct ScoredBlock {
  std::string failure;       // non-empty: the input cannot be read (the stderr message, without prefix)
  OutputFormat format = OutputFormat::kJson;  // the answers' format (all blocks of an input agree)
  bool array_elements = false;  // kJson: `out` holds elements of the answers' array, joined by ",\n"
  std::string prologue;      // kCsv: the header line
  std::string out;           // the answers
  std::string err;           // one line per record that failed
  size_t rows = 0;           // records answered
  size_t failed = 0;         // of which failed
};

// Reads, checks, predicts and renders blocks for one model and one
// command line. Thread-compatible: one per scorer thread (each owns its
// TreeSHAP scratch memory).
class BlockScorer {
 public:
  BlockScorer(const Model& model, const CliOptions& options);

  // `format`: the input's format, kAuto for a whole input still to be
  // detected (JSON read whole).
  ScoredBlock Score(const RecordBlock& block, InputFormat format);

 private:
  const Model& model_;
  const CliOptions& options_;
  std::optional<ExplainScratch> scratch_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_BLOCK_SCORER_H_
