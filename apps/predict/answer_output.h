// Rendering stroke-predict's answers as JSON, JSON Lines or CSV - a block of
// answers at a time, so a stream is written as it is scored - and the `info`
// text.
#ifndef STROKE_APPS_PREDICT_ANSWER_OUTPUT_H_
#define STROKE_APPS_PREDICT_ANSWER_OUTPUT_H_

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli_options.h"
#include "model_json.h"
#include "stroke/model.h"
#include "stroke/span.h"

namespace stroke::apps {

// The answer for one input record, a view of what its scorer holds: the
// pointers and the span stay valid while that batch does.
struct Answer {
  size_t row = 0;
  const Value* id = nullptr;     // --id-column: the record's identifier
  std::vector<std::pair<std::string, Value>> kept;  // --keep-columns: fields the model does not read
  bool ok = false;
  const RecordPrediction* prediction = nullptr;  // when ok
  const std::vector<Issue>* errors = nullptr;    // when !ok
  Span<const double> features;   // when ok and features were asked for: num_features (NaN = missing)
  Json explanation;              // when ok and --explain (ExplanationJson)
};

struct AnswerFormat {
  OutputFormat format = OutputFormat::kJson;  // kJson, kJsonl or kCsv
  bool single_object = false;                 // kJson: one object, not an array
  bool emit_features = false;
  std::string id_name;                        // --id-column: answered under this name after "row"
  bool keep_columns = false;                  // --keep-columns: Answer::kept after the id
  std::vector<std::string> kept_columns;      // kCsv with keep_columns: the kept columns, in order
};

// The names an answer of `model` uses itself (row, probability, ..., errors,
// features): an id or kept column cannot take one of them.
std::vector<std::string> AnswerFieldNames(const Model& model);

// kCsv: the header line (with its '\n'), with the fields of the model's task
// (multiclass probabilities one column per class).
std::string CsvHeader(const Model& model, const AnswerFormat& how);

// Appends one answer in `how.format`, with the fields of the model's task
// (binary, multiclass, regression); numbers read back as the same double.
// kCsv and kJsonl: a line. kJson: the answer as an element of the
// two-space-indented array the answers make (indented, no separator), or
// with `how.single_object` the whole answer as one object.
void AppendAnswer(const Answer& answer, const Model& model, const AnswerFormat& how, std::string* out);

// `stroke-predict info` as aligned, human-readable text.
void WriteModelInfoText(const Model& model, std::ostream& out);

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_ANSWER_OUTPUT_H_
