#include "cli_options.h"

#include <cstdlib>
#include <map>

#include "load_limit_flags.h"

namespace stroke::apps {

const std::string kUsage = R"(stroke-predict - predictions from a libstroke model bundle

Usage:
  stroke-predict [options] [INPUT]     predict every record of INPUT (default: stdin)
  stroke-predict info [--model M] [--output json]
                                       print the model's metadata and input schema

INPUT holds records (field -> value) as
  a JSON object, a JSON array of objects, JSON Lines (one object per line), or
  CSV with a header row (empty cells and the field's null tokens, e.g. N/A, are null).
The format comes from the file extension (.json, .jsonl, .ndjson, .csv) or the content.

Options:
  --model M             bundle file, or the name of a bundled model (stroke, lung_cancer,
                        heart_disease, loan_amount);
                        default: $STROKE_MODEL, else the bundled stroke model
  --format F            input format: json, jsonl or csv (default: detected)
  --output F            output format: json, jsonl or csv (default: as the input;
                        info: text or json)
  --threshold T         binary models: decision threshold in [0, 1], class 1 when
                        probability > T (default: the bundle's)
  --emit-features       add each record's prepared model-feature vector, to compare
                        with the training pipeline's
  --explain             add each record's TreeSHAP explanation: the expected value,
                        each input's and each feature's contribution to the raw score
                        (json, jsonl; see docs/bundle-format.md and stroke/explain.h)
  --allow-unknown-fields
                        ignore fields the model does not read (default: an error)
  --refuse-unknown-categories
                        an unknown category is an error even where the bundle answers it
                        (as OneHotEncoder(handle_unknown="ignore") does, with a warning)
  -h, --help            this text

)" + LoadLimitsUsage() + R"(
Each answer has the record's row number (1-based), warnings (e.g. a value outside the
training range) and, by task: binary: probability (of class 1), prediction (0/1), label,
raw_margin; multiclass: prediction, label, probability, probabilities per class;
regression: value. A record
that cannot be predicted gets "errors" instead, naming each bad field; the other
records are still answered.

Exit status: 0 every record answered; 1 some records failed (see stderr);
2 bad usage, unreadable input or model.

Examples:
  stroke-predict patient.json
  stroke-predict --model lung_cancer --output csv survey.jsonl
  cat patients.csv | stroke-predict --emit-features --output jsonl
)";

namespace {

template <typename Enum>
StatusOr<Enum> ParseName(const std::string& flag, const std::string& value,
                         const std::map<std::string, Enum>& names) {
  auto it = names.find(value);
  if (it != names.end()) return it->second;
  std::string allowed;
  for (const auto& [name, _] : names) allowed += (allowed.empty() ? "" : ", ") + name;
  return InvalidInputError(flag + ": expected one of " + allowed + ", got \"" + value + "\"");
}

}  // namespace

StatusOr<CliOptions> ParseCliOptions(const std::vector<std::string>& args) {
  CliOptions options;
  bool have_input = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string* out) -> Status {
      if (i + 1 >= args.size()) return InvalidInputError(arg + " needs a value");
      *out = args[++i];
      return Status::Ok();
    };
    std::string text;
    if (arg == "-h" || arg == "--help") {
      options.help = true;
    } else if (arg == "info" && !have_input && !options.info) {  // the first positional argument
      options.info = true;
    } else if (arg == "--model") {
      if (Status s = value(&options.model); !s.ok()) return s;
    } else if (arg == "--format" || arg == "--output") {
      if (Status s = value(&text); !s.ok()) return s;
      if (arg == "--format") {
        auto format = ParseName<InputFormat>(arg, text, {{"json", InputFormat::kJson},
                                                         {"jsonl", InputFormat::kJsonl},
                                                         {"csv", InputFormat::kCsv}});
        if (!format.ok()) return format.status();
        options.input_format = *format;
      } else {
        auto format = ParseName<OutputFormat>(arg, text, {{"json", OutputFormat::kJson},
                                                          {"jsonl", OutputFormat::kJsonl},
                                                          {"csv", OutputFormat::kCsv},
                                                          {"text", OutputFormat::kText}});
        if (!format.ok()) return format.status();
        options.output_format = *format;
      }
    } else if (arg == "--threshold") {
      if (Status s = value(&text); !s.ok()) return s;
      char* end = nullptr;
      const double t = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(t >= 0 && t <= 1)) {
        return InvalidInputError("--threshold: expected a number in [0, 1], got \"" + text + "\"");
      }
      options.threshold = t;
    } else if (arg == "--emit-features") {
      options.emit_features = true;
    } else if (arg == "--explain") {
      options.explain = true;
    } else if (arg == "--allow-unknown-fields") {
      options.allow_unknown_fields = true;
    } else if (arg == "--refuse-unknown-categories") {
      options.refuse_unknown_categories = true;
    } else if (const LoadLimitFlag* limit = arg.rfind("--", 0) == 0 ? FindLoadLimitFlag(arg.substr(2)) : nullptr) {
      if (Status s = value(&text); !s.ok()) return s;
      if (Status s = SetLoadLimit(*limit, text, &options.load); !s.ok()) return s;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return InvalidInputError("unknown option " + arg + " (see --help)");
    } else if (have_input || options.info) {
      return InvalidInputError("unexpected argument \"" + arg + "\" (one INPUT at most)");
    } else {
      options.input = arg;
      have_input = true;
    }
  }
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
  return options;
}

}  // namespace stroke::apps
