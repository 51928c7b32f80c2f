// Writing stroke-predict's answers as JSON, JSON Lines or CSV, and the
// `info` text.
#ifndef STROKE_APPS_PREDICT_ANSWER_OUTPUT_H_
#define STROKE_APPS_PREDICT_ANSWER_OUTPUT_H_

#include <ostream>
#include <vector>

#include "cli_options.h"
#include "model_json.h"
#include "stroke/model.h"

namespace stroke::apps {

// The answer for one input record: a prediction, or the errors that prevented one.
struct Answer {
  size_t row = 0;
  Value id;                      // the record's identifier (--id-column)
  bool ok = false;
  RecordPrediction prediction;  // when ok
  std::vector<Issue> errors;    // when !ok
  std::vector<double> features;  // when ok and features were asked for (NaN = missing)
  Json explanation;              // when ok and --explain (ExplanationJson)
};

struct AnswerFormat {
  OutputFormat format = OutputFormat::kJson;  // kJson, kJsonl or kCsv
  bool single_object = false;                 // kJson: one object, not an array
  bool emit_features = false;
  bool with_id = false;                       // --id-column: an "id" after "row"
};

// Writes every answer in `how.format`, with the fields of the model's task
// (binary, multiclass, regression). Numbers read back as the same double.
void WriteAnswers(const std::vector<Answer>& answers, const Model& model, const AnswerFormat& how,
                  std::ostream& out);

// `stroke-predict info` as aligned, human-readable text.
void WriteModelInfoText(const Model& model, std::ostream& out);

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_ANSWER_OUTPUT_H_
