// record_fuzz: record text -> records (ReadInput: JSON, JSON Lines or CSV,
// as every front end reads them) -> ScoreRecords (their one scoring loop) ->
// PredictFeatures -> TreeSHAP, over the four bundled models.
//
// Input: byte 0 chooses the model (bits 0-1: stroke, lung_cancer,
// heart_disease, loan_amount), the format (bits 2-3: JSON, JSON Lines, CSV,
// detected) and whether unknown fields are allowed (bit 4); the rest is the
// text. Checked for every record that passes Prepare: the answer is finite and
// a probability lies in [0, 1]; ScoreRecords answers as PredictFeatures on
// the features it prepared; the prepared CSV route (InputOptions::prepare,
// stroke-predict's) answers every row as the record route does; the batch
// path gives the same bits as one row at a time; TreeSHAP is additive (expected value + contributions = the raw
// score, within rounding) and agrees with the prediction's raw margin.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "stroke/model.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"

namespace stroke::fuzz {
namespace {

const Model& ModelNumber(int i) {
  static const Model* models[] = {&ShippedModel("stroke"), &ShippedModel("lung_cancer"),
                                  &ShippedModel("heart_disease"), &ShippedModel("loan_amount")};
  return *models[i];
}

void CheckAnswer(const Model& model, const Prediction& p) {
  switch (model.task()) {
    case Task::kRegression:
      Check(std::isfinite(p.value) && std::isfinite(p.raw_margin), "a regression value is not finite");
      break;
    case Task::kBinaryClassification:
    case Task::kMulticlassClassification: {
      Check(p.num_classes == model.num_classes(), "num_classes differs from the model's");
      Check(p.prediction >= 0 && p.prediction < p.num_classes, "class index out of range");
      Check(std::isfinite(p.raw_margin), "raw margin not finite");
      double sum = 0;
      for (int k = 0; k < p.num_classes; ++k) {
        Check(p.probabilities[k] >= 0 && p.probabilities[k] <= 1, "a class probability outside [0, 1]");
        sum += p.probabilities[k];
      }
      Check(std::fabs(sum - 1) < 1e-9, "class probabilities do not sum to 1");
      break;
    }
  }
}

// Local accuracy of TreeSHAP: the contributions add up to the raw score the
// prediction came from (the explained output's accumulator).
void CheckExplanation(const Model& model, std::span<const double> features, const Prediction& p,
                      ExplainScratch& scratch) {
  std::vector<double> phi(model.num_features());
  for (int output : model.ExplainedOutputs()) {
    const double expected = model.ExplainFeatures(features, output, phi, scratch);
    double raw = expected, scale = std::fabs(expected) + 1;
    for (double c : phi) {
      Check(std::isfinite(c), "a SHAP contribution is not finite");
      raw += c;
      scale += std::fabs(c);
    }
    const bool explains_margin = model.task() != Task::kMulticlassClassification || output == p.prediction;
    if (explains_margin && std::fabs(raw - p.raw_margin) > 1e-9 * scale) {
      Fail("TreeSHAP not additive: expected value + contributions = " + std::to_string(raw) +
           ", raw margin = " + std::to_string(p.raw_margin));
    }
  }
}

// The rows read with InputOptions::prepare (checked cells kept as inputs,
// no Record) answer as the same text's records: the same rows, each with the
// same prediction bits or the same errors.
void CheckPreparedRoute(const Model& model, std::string_view text, InputFormat format, const ScoreOptions& score,
                        const BatchScore& expected) {
  InputOptions fast{format, "", ""};
  fast.prepare = score.check;
  const StatusOr<RecordInput> input = ReadInput(text, fast, model.schema());
  Check(input.ok(), "the prepared route refused a text the record route read");
  const BatchScore scored = ScoreRecords(model, *input, score);
  Check(scored.rows.size() == expected.rows.size(), "the prepared route lost or added a row");
  for (size_t i = 0; i < scored.rows.size(); ++i) {
    const RowScore &a = scored.rows[i], &b = expected.rows[i];
    Check(a.ok == b.ok, "the prepared route took or refused a row the record route did not");
    if (a.ok) {
      Check(SamePrediction(a.prediction, b.prediction), "the prepared route predicts otherwise");
      Check(a.prediction.warnings.size() == b.prediction.warnings.size(), "the prepared route warns otherwise");
    } else {
      Check(a.errors.size() == b.errors.size(), "the prepared route reports other errors");
      for (size_t e = 0; e < a.errors.size(); ++e) {
        Check(a.errors[e].message == b.errors[e].message, "the prepared route's error says otherwise");
      }
    }
  }
}

}  // namespace
}  // namespace stroke::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stroke;
  using namespace stroke::fuzz;
  if (size == 0) return 0;
  const Model& model = ModelNumber(data[0] & 3);
  const InputFormat formats[] = {InputFormat::kJson, InputFormat::kJsonl, InputFormat::kCsv, InputFormat::kAuto};
  CheckOptions options;
  options.allow_unknown_fields = (data[0] & 16) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  StatusOr<RecordInput> input = ReadInput(text, InputOptions{formats[(data[0] >> 2) & 3], "", ""}, model.schema());
  if (!input.ok()) return 0;
  ScoreOptions score;
  score.check = options;
  score.keep_features = true;
  const BatchScore scored = ScoreRecords(model, input->rows, score);
  Check(scored.rows.size() == input->rows.size(), "ScoreRecords lost a row");
  CheckPreparedRoute(model, text, formats[(data[0] >> 2) & 3], score, scored);
  const size_t width = model.num_features();
  std::vector<double> rows;
  std::vector<Prediction> singles;
  for (size_t i = 0; i < scored.rows.size(); ++i) {
    const RowScore& answer = scored.rows[i];
    if (!answer.ok) {
      Check(!answer.errors.empty() && (!input->rows[i].record.ok() || !answer.errors.front().message.empty()),
            "an error without a message");
      continue;
    }
    const Span<const double> features = scored.FeaturesOf(i);
    singles.push_back(model.PredictFeatures(features));
    Check(SamePrediction(singles.back(), answer.prediction), "ScoreRecords differs from PredictFeatures");
    CheckAnswer(model, singles.back());
    rows.insert(rows.end(), features.begin(), features.end());
  }
  if (singles.empty()) return 0;

  std::vector<Prediction> batch(singles.size());
  model.PredictFeaturesBatch(rows, batch);
  ExplainScratch scratch(model);
  for (size_t i = 0; i < singles.size(); ++i) {
    Check(SamePrediction(singles[i], batch[i]), "PredictFeaturesBatch differs from PredictFeatures");
    CheckExplanation(model, std::span<const double>(rows).subspan(i * width, width), singles[i], scratch);
  }
  // The allocating entry points on the first good record.
  std::vector<double> features(width);
  for (const InputRow& row : input->rows) {
    if (!row.record.ok() || !model.Prepare(*row.record, features, options).ok()) continue;
    PredictOptions predict_options;
    predict_options.check = options;
    StatusOr<RecordPrediction> answer = model.Predict(*row.record, predict_options);
    Check(answer.ok() && SamePrediction(*answer, singles[0]), "Model::Predict differs from PredictFeatures");
    StatusOr<std::vector<Explanation>> explained = model.Explain(*row.record, predict_options);
    Check(explained.ok() && explained->size() == model.ExplainedOutputs().size(), "Model::Explain failed");
    break;
  }
  return 0;
}
