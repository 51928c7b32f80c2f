#include "cli_options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>

#include "command_line.h"
#include "load_limit_flags.h"
#include "stroke/cpus.h"

namespace stroke::apps {
namespace {

const char* kDescription = R"(stroke-predict - predictions from a libstroke model bundle

Predicts every record of INPUT (default: stdin), or with `info` prints the model's
metadata and input schema. INPUT holds records (field -> value) as a JSON object, a JSON
array of objects, JSON Lines (one object per line), or CSV with a header row (empty cells
and the field's null tokens, e.g. N/A, are null). The format comes from the file
extension (.json, .jsonl, .ndjson, .csv) or the content.

CSV and JSON Lines are streamed: blocks of records are scored on --threads threads and
answered in input order as they arrive (flushed whenever the input pauses), in constant
memory. A JSON object or array is one document: it is read whole, then scored.)";

const char* kFooter = R"(
Each answer has the record's row number (1-based), warnings (e.g. a value outside the
training range) and, by task: binary: probability (of class 1), prediction (0/1), label,
raw_margin; multiclass: prediction, label, probability, probabilities per class;
regression: value. A record that cannot be predicted gets "errors" instead, naming each
bad field; the other records are still answered. A field the model does not read is such
an error in JSON (it may be a misspelt field) unless --allow-unknown-fields or
--keep-columns; a CSV column is not (the header must name every model field anyway).

Exit status: 0 every record answered; 1 some records failed (see stderr);
2 bad usage, unreadable input or model (when a streamed input turns unreadable part way,
the answers before that point have been written).

Examples:
  stroke-predict patient.json
  stroke-predict --model lung_cancer --output csv survey.jsonl
  cat patients.csv | stroke-predict --emit-features --output jsonl
  stroke-predict --id-column id --keep-columns healthcare-dataset-stroke-data.csv
  stroke-predict info --model heart_disease --output json
)";

const std::map<std::string, InputFormat> kInputFormats = {
    {"json", InputFormat::kJson}, {"jsonl", InputFormat::kJsonl}, {"csv", InputFormat::kCsv}};
const std::map<std::string, OutputFormat> kOutputFormats = {{"json", OutputFormat::kJson},
                                                            {"jsonl", OutputFormat::kJsonl},
                                                            {"csv", OutputFormat::kCsv},
                                                            {"text", OutputFormat::kText}};

// A choice among `names`: the parser refuses anything else, naming the choices.
template <typename Enum>
CLI::Option* AddChoice(CLI::App* app, const std::string& flag, Enum* out, const std::map<std::string, Enum>& names,
                       const std::string& help) {
  std::vector<std::string> keys;
  for (const auto& [name, _] : names) keys.push_back(name);
  return app
      ->add_option_function<std::string>(flag, [out, &names](const std::string& value) { *out = names.at(value); },
                                         help)
      ->check(CLI::IsMember(keys))
      ->type_name("F");
}

// stroke-predict's parser, writing into *options.
std::unique_ptr<CLI::App> MakeParser(CliOptions* options) {
  auto app = std::make_unique<CLI::App>(kDescription, "stroke-predict");
  app->footer(kFooter);
  app->get_formatter()->column_width(30);
  app->add_option("INPUT", options->input, "file of records; - or none: stdin")->type_name("");
  CLI::App* info = app->add_subcommand("info", "print the model's metadata and input schema (--output text or json)");
  info->fallthrough();  // --model and --output given after `info` belong to the main parser
  info->callback([options] { options->info = true; });

  app->add_option("--model", options->model,
                  "bundle file or bundled model: stroke (default, or $STROKE_MODEL), lung_cancer, "
                  "heart_disease, loan_amount")
      ->type_name("M")
      ->group("Model");
  app->add_option_function<double>("--threshold", [options](double t) { options->threshold = t; },
                                   "binary models: class 1 when probability > T (default: the bundle's)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            char* end = nullptr;
            const double t = std::strtod(text.c_str(), &end);
            return !text.empty() && *end == '\0' && t >= 0 && t <= 1 ? "" : "expected a number in [0, 1], got \"" + text + "\"";
          },
          "in [0, 1]"))
      ->type_name("T")
      ->group("Model");
  AddLoadLimitOptions(app.get(), &options->load, "Bundle limits (beyond one, a bundle is refused naming it)");

  AddChoice(app.get(), "--format", &options->input_format, kInputFormats,
            "input format: json, jsonl or csv (default: detected)")
      ->group("Input");
  app->add_flag("--allow-unknown-fields", options->allow_unknown_fields,
                "ignore fields the model does not read (default: an error)")
      ->group("Input");
  app->add_option("--id-column", options->id_column,
                  "field (CSV: column) identifying each record: carried to its answer under its own name, after "
                  "\"row\" (given to the model only if it reads that field)")
      ->type_name("NAME")
      ->group("Input");
  app->add_flag("--keep-columns", options->keep_columns,
                "carry every field (CSV: column) the model does not read to the answers, under its own name, "
                "so they join back to the input (CSV answers: CSV input only)")
      ->group("Input");
  app->add_flag("--refuse-unknown-categories", options->refuse_unknown_categories,
                "refuse categories unseen in training even where the bundle answers them with a warning")
      ->group("Input");

  AddChoice(app.get(), "--output", &options->output_format, kOutputFormats,
            "json, jsonl or csv (default: as the input); info: text or json")
      ->group("Output");
  app->add_flag("--emit-features", options->emit_features,
                "add each record's prepared feature vector (compare with the training pipeline)")
      ->group("Output");
  app->add_flag("--explain", options->explain,
                "add each record's TreeSHAP contributions per input and feature (json, jsonl)")
      ->group("Output");
  app->add_flag_callback("--progress", [options] { options->progress = true; },
                         "a progress line on stderr: rows, rows/s, elapsed, ETA for a file (default: when stderr "
                         "is a terminal)")
      ->group("Output");
  app->add_flag_callback("--no-progress", [options] { options->progress = false; }, "no progress line")
      ->group("Output");

  options->threads = std::clamp(stroke::AvailableCpus(), 1, 256);
  app->add_option("--threads", options->threads,
                  "threads that read, score and render blocks of records (default: the CPUs this process may use, "
                  "its affinity mask and cgroup CPU quota counted, at most 256; here as shown); one more reads the "
                  "input, another writes the answers in input order")
      ->capture_default_str()
      ->check(IntegerIn(1, 256))
      ->type_name("N")
      ->group("Performance");
  app->add_option("--max-record-bytes", options->max_record_bytes,
                  "the longest CSV row or JSON line; a longer one (a file that is not CSV, a missing line break or "
                  "closing quote) ends the run with exit 2 after the answers before it, instead of filling memory")
      ->capture_default_str()
      ->check(IntegerIn(1, 1L << 40))
      ->type_name("BYTES")
      ->group("Limits");
  app->add_option("--max-json-bytes", options->max_json_bytes,
                  "the largest JSON object or array (read whole, unlike CSV and JSON Lines, which stream)")
      ->capture_default_str()
      ->check(IntegerIn(1, 1L << 40))
      ->type_name("BYTES")
      ->group("Limits");
  return app;
}

Status CheckCombination(const CliOptions& options) {
  if (options.info && options.output_format != OutputFormat::kAuto &&
      options.output_format != OutputFormat::kText && options.output_format != OutputFormat::kJson) {
    return InvalidInputError("info prints text or json, not jsonl or csv");
  }
  if (options.explain && options.output_format == OutputFormat::kCsv) {
    return InvalidInputError("--explain writes nested contributions: use --output json or jsonl");
  }
  if (options.output_format == OutputFormat::kText && !options.info) {
    return InvalidInputError("--output text is for `info`; predictions are json, jsonl or csv");
  }
  if (options.info && options.input != "-") {
    return InvalidInputError("info takes no INPUT (got \"" + options.input + "\")");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CliOptions> ParseCliOptions(const std::vector<std::string>& args) {
  CliOptions options;
  std::unique_ptr<CLI::App> app = MakeParser(&options);
  if (Status s = ParseCommandLine(app.get(), args, &options.help); !s.ok()) return s;
  if (options.help) return options;
  if (Status s = CheckCombination(options); !s.ok()) return s;
  return options;
}

std::string CliUsage() {
  CliOptions options;
  return MakeParser(&options)->help();
}

}  // namespace stroke::apps
