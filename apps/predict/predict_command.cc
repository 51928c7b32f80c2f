#include "predict_command.h"

#include <fmt/format.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "answer_output.h"
#include "model_json.h"
#include "model_path.h"
#include "record_input.h"
#include "stroke/model.h"

namespace stroke::apps {
namespace {

int Fail(std::ostream& err, const std::string& message) {
  err << "stroke-predict: " << message << '\n';
  return kExitUsage;
}

StatusOr<std::string> ReadInput(const std::string& path, std::istream& in) {
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

// `scratch` is null unless options.explain.
Answer AnswerRow(const Model& model, const InputRow& row, const CliOptions& options,
                 std::vector<double>* features, ExplainScratch* scratch) {
  Answer answer;
  answer.row = row.row;
  answer.id = row.id;
  if (!row.record.ok()) {
    answer.errors.push_back({"", IssueKind::kParse, row.record.status().message()});
    return answer;
  }
  CheckOptions check;
  check.allow_unknown_fields = options.allow_unknown_fields;
  check.refuse_unknown_categories = options.refuse_unknown_categories;
  CheckResult result = model.Prepare(*row.record, *features, check);
  if (!result.ok()) {
    answer.errors = std::move(result.errors);
    return answer;
  }
  answer.ok = true;
  answer.prediction = model.PredictPrepared(*features, std::move(result.warnings), options.threshold);
  if (options.emit_features) answer.features = *features;
  if (options.explain) answer.explanation = ExplanationJson(model, *features, *scratch);
  return answer;
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

  StatusOr<std::string> text = ReadInput(options.input, in);
  if (!text.ok()) return Fail(err, text.status().message());
  const InputOptions read{options.input_format, options.input == "-" ? "" : options.input, options.id_column};
  StatusOr<RecordInput> input = ReadInput(*text, read, model->schema());
  if (!input.ok()) return Fail(err, "cannot read input: " + input.status().message());

  std::vector<Answer> answers;
  answers.reserve(input->rows.size());
  std::vector<double> features(model->num_features());
  std::optional<ExplainScratch> scratch;  // its size grows with the trees' depth: only to explain
  if (options.explain) {
    scratch.emplace(*model);
    if (!scratch->ok()) return Fail(err, "--explain: cannot allocate the TreeSHAP scratch memory for this model");
  }
  size_t failed = 0;
  for (const InputRow& row : input->rows) {
    answers.push_back(AnswerRow(*model, row, options, &features, scratch ? &*scratch : nullptr));
    if (answers.back().ok) continue;
    ++failed;
    err << "stroke-predict: " << Where(row) << ": " << JoinIssues(answers.back().errors) << '\n';
  }
  AnswerFormat how;
  how.format = options.output_format != OutputFormat::kAuto ? options.output_format : DefaultOutput(input->format);
  if (options.explain && how.format == OutputFormat::kCsv) how.format = OutputFormat::kJsonl;  // nested values
  how.single_object = input->single_object;
  how.emit_features = options.emit_features;
  how.with_id = !options.id_column.empty();
  WriteAnswers(answers, *model, how, out);
  if (failed > 0) {
    err << "stroke-predict: " << failed << " of " << answers.size() << " records failed\n";
    return kExitRowsFailed;
  }
  return kExitOk;
}

}  // namespace stroke::apps
