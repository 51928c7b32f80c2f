#include "predict_command.h"

#include <fmt/format.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "answer_output.h"
#include "model_json.h"
#include "model_path.h"
#include "stroke/model.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"

namespace stroke::apps {
namespace {

int Fail(std::ostream& err, const std::string& message) {
  err << "stroke-predict: " << message << '\n';
  return kExitUsage;
}

// The whole input: standard input when `path` is "-", else the file.
StatusOr<std::string> ReadText(const std::string& path, std::istream& in) {
  std::ostringstream text;
  if (path == "-") {
    text << in.rdbuf();
    return text.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError("cannot open input \"" + path + "\"");
  text << file.rdbuf();
  if (file.bad()) return IoError("cannot read input \"" + path + "\"");
  return text.str();
}

OutputFormat DefaultOutput(InputFormat input) {
  switch (input) {
    case InputFormat::kJsonl: return OutputFormat::kJsonl;
    case InputFormat::kCsv: return OutputFormat::kCsv;
    default: return OutputFormat::kJson;
  }
}

std::string Where(const InputRow& row) {
  return row.line ? fmt::format("row {} (line {})", row.row, row.line) : fmt::format("row {}", row.row);
}

}  // namespace

int RunCommand(const CliOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string lookup_error;
  const std::string path = ResolveModelPath(options.model, &lookup_error);
  if (path.empty()) return Fail(err, lookup_error);
  StatusOr<Model> model = Model::Load(path, options.load);
  if (!model.ok()) return Fail(err, model.status().ToString());

  if (options.info) {
    if (options.output_format == OutputFormat::kJson) {
      Json info = ModelInfoJson(*model);
      info["path"] = path;
      out << JsonText(info, 2) << '\n';
    } else {
      out << "bundle      " << path << '\n';
      WriteModelInfoText(*model, out);
    }
    return kExitOk;
  }

  StatusOr<std::string> text = ReadText(options.input, in);
  if (!text.ok()) return Fail(err, text.status().message());
  const InputOptions read{options.input_format, options.input == "-" ? "" : options.input, options.id_column};
  StatusOr<RecordInput> input = ReadInput(*text, read, model->schema());
  if (!input.ok()) return Fail(err, "cannot read input: " + input.status().message());

  ScoreOptions score;
  score.check.allow_unknown_fields = options.allow_unknown_fields;
  score.check.refuse_unknown_categories = options.refuse_unknown_categories;
  score.threshold = options.threshold;
  score.keep_features = options.emit_features || options.explain;
  std::optional<ExplainScratch> scratch;  // its size grows with the trees' depth: only to explain
  if (options.explain) {
    scratch.emplace(*model);
    if (!scratch->ok()) return Fail(err, "--explain: cannot allocate the TreeSHAP scratch memory for this model");
  }
  BatchScore scored = ScoreRecords(*model, input->rows, score);
  std::vector<Answer> answers(scored.rows.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    const InputRow& row = input->rows[i];
    RowScore& result = scored.rows[i];
    Answer& answer = answers[i];
    answer.row = row.row;
    answer.id = row.id;
    answer.ok = result.ok;
    if (!result.ok) {
      err << "stroke-predict: " << Where(row) << ": " << JoinIssues(result.errors) << '\n';
      answer.errors = std::move(result.errors);
      continue;
    }
    answer.prediction = std::move(result.prediction);
    if (options.emit_features) answer.features.assign(scored.FeaturesOf(i).begin(), scored.FeaturesOf(i).end());
    if (options.explain) answer.explanation = ExplanationJson(*model, scored.FeaturesOf(i), *scratch);
  }
  AnswerFormat how;
  how.format = options.output_format != OutputFormat::kAuto ? options.output_format : DefaultOutput(input->format);
  if (options.explain && how.format == OutputFormat::kCsv) how.format = OutputFormat::kJsonl;  // nested values
  how.single_object = input->single_object;
  how.emit_features = options.emit_features;
  how.with_id = !options.id_column.empty();
  WriteAnswers(answers, *model, how, out);
  if (scored.failed > 0) {
    err << "stroke-predict: " << scored.failed << " of " << answers.size() << " records failed\n";
    return kExitRowsFailed;
  }
  return kExitOk;
}

}  // namespace stroke::apps
