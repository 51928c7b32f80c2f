#include "block_scorer.h"

#include <fmt/format.h>

#include <algorithm>

#include "answer_output.h"
#include "model_json.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"

namespace stroke::apps {
namespace {

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

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

BlockScorer::BlockScorer(const Model& model, const CliOptions& options) : model_(model), options_(options) {
  if (options.explain) scratch_.emplace(model);  // its size grows with the trees' depth: only to explain
}

ScoredBlock BlockScorer::Score(const RecordBlock& block, InputFormat format) {
  ScoredBlock scored;
  // A CSV header holds every model field (else the input fails), so another
  // column cannot be a misspelt field: it is not an error.
  CheckOptions csv_check;
  csv_check.allow_unknown_fields = true;
  csv_check.refuse_unknown_categories = options_.refuse_unknown_categories;
  InputOptions read{format, options_.input == "-" ? "" : options_.input, options_.id_column,
                    block.first_line, block.first_row, std::nullopt};
  if (!options_.keep_columns) read.prepare = csv_check;  // --keep-columns reads each row's Record
  StatusOr<RecordInput> input = ReadInput(block.text, read, model_.schema());
  if (!input.ok()) {
    scored.failure = "cannot read input: " + input.status().message();
    return scored;
  }
  const bool csv_in = input->format == InputFormat::kCsv;
  AnswerFormat how;
  how.format = options_.output_format != OutputFormat::kAuto ? options_.output_format : DefaultOutput(input->format);
  if (options_.explain && how.format == OutputFormat::kCsv) how.format = OutputFormat::kJsonl;  // nested values
  how.single_object = input->single_object;
  how.emit_features = options_.emit_features;
  how.id_name = options_.id_column;
  how.keep_columns = options_.keep_columns;
  const std::vector<std::string> answer_fields = AnswerFieldNames(model_);
  // CSV answers with --emit-features have a column per feature too.
  const bool csv_features = options_.emit_features && how.format == OutputFormat::kCsv;
  auto is_feature_column = [&](const std::string& name) {
    return csv_features && Contains(model_.program().feature_names(), name);
  };
  if (!options_.id_column.empty() && is_feature_column(options_.id_column)) {
    scored.failure = "--id-column \"" + options_.id_column + "\": the answers have a feature column of that name "
                     "(--emit-features): rename the input's column, or answer as JSON";
    return scored;
  }
  if (options_.keep_columns && how.format == OutputFormat::kCsv) {
    if (!csv_in) {
      scored.failure = "--keep-columns with CSV answers needs CSV input (JSON records each carry their own fields): "
                       "use --output json or jsonl";
      return scored;
    }
    for (const std::string& column : input->columns) {
      if (model_.schema().IndexOf(column) >= 0 || column == options_.id_column) continue;
      const bool feature = is_feature_column(column);
      if (feature || Contains(answer_fields, column)) {
        scored.failure = "--keep-columns: the answers have a column \"" + column + "\" of their own" +
                         (feature ? " (a feature's, --emit-features)" : "") + ": rename the input's";
        return scored;
      }
      how.kept_columns.push_back(column);
    }
  }
  scored.format = how.format;
  scored.array_elements = how.format == OutputFormat::kJson && !how.single_object;
  if (how.format == OutputFormat::kCsv) scored.prologue = CsvHeader(model_, how);

  ScoreOptions score;
  score.check.allow_unknown_fields = options_.allow_unknown_fields || options_.keep_columns || csv_in;
  score.check.refuse_unknown_categories = options_.refuse_unknown_categories;
  score.threshold = options_.threshold;
  score.keep_features = options_.emit_features || options_.explain;
  BatchScore batch = ScoreRecords(model_, *input, score);
  scored.rows = batch.rows.size();
  scored.failed = batch.failed;
  scored.out.reserve(block.text.size() + block.text.size() / 2);  // a CSV answer is about as long as its row: no regrowth
  Answer answer;
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    const InputRow& row = input->rows[i];
    RowScore& result = batch.rows[i];
    answer.row = row.row;
    answer.id = &row.id;
    answer.ok = result.ok;
    answer.kept.clear();
    answer.features = {};
    answer.explanation = Json();
    if (options_.keep_columns && row.record.ok()) {
      for (const auto& [name, value] : row.record->fields()) {
        if (model_.schema().IndexOf(name) >= 0 || name == options_.id_column) continue;
        if (!Contains(answer_fields, name)) {
          answer.kept.emplace_back(name, value);
        } else {  // JSON: the answer cannot hold it
          if (answer.ok) ++scored.failed;
          answer.ok = false;
          result.errors.push_back({name, IssueKind::kUnknownField,
                                   "cannot be kept (--keep-columns): the answer has a field \"" + name + "\" of its own"});
        }
      }
    }
    answer.prediction = &result.prediction;
    answer.errors = &result.errors;
    if (!answer.ok) {
      scored.err += "stroke-predict: " + Where(row) + ": " + JoinIssues(result.errors) + '\n';
    } else {
      if (options_.emit_features) answer.features = batch.FeaturesOf(i);
      if (options_.explain) answer.explanation = ExplanationJson(model_, batch.FeaturesOf(i), *scratch_);
    }
    if (scored.array_elements && i > 0) scored.out += ",\n";
    AppendAnswer(answer, model_, how, &scored.out);
    if (how.format == OutputFormat::kJson && how.single_object) scored.out += '\n';
  }
  return scored;
}

}  // namespace stroke::apps
