// stroke-predict's command line: what to run, on what, printed how.
#ifndef STROKE_APPS_PREDICT_CLI_OPTIONS_H_
#define STROKE_APPS_PREDICT_CLI_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "stroke/record_input.h"
#include "stroke/load_options.h"
#include "stroke/status.h"

namespace stroke::apps {

enum class OutputFormat { kAuto, kJson, kJsonl, kCsv, kText };

struct CliOptions {
  bool help = false;
  bool info = false;                 // the `info` subcommand
  std::string model;                 // path or bundled name; "" = default model
  std::string input = "-";           // file path; "-" = stdin
  InputFormat input_format = InputFormat::kAuto;    // kAuto: from extension or content
  OutputFormat output_format = OutputFormat::kAuto; // kAuto: follows the input format
  std::optional<double> threshold;   // overrides the bundle's decision threshold
  bool emit_features = false;        // add the prepared feature vector to each answer
  bool explain = false;              // add TreeSHAP contributions (json, jsonl)
  bool allow_unknown_fields = false; // ignore fields/columns the model does not read
  bool refuse_unknown_categories = false;  // unknown categories are errors even where the bundle accepts them
  std::string id_column;             // --id-column: carried to each answer under its own name, not given to the model
  bool keep_columns = false;         // --keep-columns: fields the model does not read are carried to the answers
  size_t threads = 1;                // --threads: scorer threads (the parser's default: AvailableCpus())
  std::optional<bool> progress;      // --progress / --no-progress; unset: none (main: when stderr is a terminal)
  size_t block_bytes = 64 << 10;     // a block of records scored at once (no flag: tests make it small)
  size_t max_record_bytes = 16 << 20;  // --max-record-bytes: the longest CSV row or JSON line (streamed inputs)
  size_t max_json_bytes = size_t{1} << 30;  // --max-json-bytes: the largest JSON document (read whole)
  LoadOptions load;                  // bundle limits (--max-tree-depth, ...)
};

// Parses argv[1..] (CLI11). kInvalidInput with a one-line reason naming the
// flag on a bad flag, value or combination; -h/--help sets `help`.
StatusOr<CliOptions> ParseCliOptions(const std::vector<std::string>& args);

// The --help text, generated from the parser: every flag, grouped, with its
// default where it has one.
std::string CliUsage();

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_CLI_OPTIONS_H_
