// The one scoring loop of every front end: records read by ReadInput
// (stroke/record_input.h) -> checked -> predicted. stroke-predict,
// stroke-serve's record routes and the C API's batch call answer with it, and
// so will every protocol added later; each only renders what it returns.
//
//   StatusOr<RecordInput> input = ReadInput(text, {}, model.schema());
//   BatchScore scored = ScoreRecords(model, input->rows);
//   // scored.rows[i] answers input->rows[i]: a prediction, or its errors.
#ifndef STROKE_SCORING_H_
#define STROKE_SCORING_H_

#include <optional>
#include <vector>

#include "stroke/export.h"
#include "stroke/model.h"
#include "stroke/record_input.h"
#include "stroke/span.h"

namespace stroke {

struct STROKE_EXPORT ScoreOptions {
  CheckOptions check;               // how strictly records are checked
  std::optional<double> threshold;  // binary: overrides the bundle's decision threshold
  bool keep_features = false;       // BatchScore::features keeps every row's prepared features
};

// The answer to one input row.
struct STROKE_EXPORT RowScore {
  bool ok = false;
  RecordPrediction prediction;  // when ok: with the warnings the check found
  // When !ok: every error of the record, after InputRow::id_error for a row
  // whose identifier is bad (the one issue of that field); for a row that
  // could not be read (InputRow::record failed), one IssueKind::kParse issue
  // with field "" and the reader's message.
  std::vector<Issue> errors;
};

struct STROKE_EXPORT BatchScore {
  std::vector<RowScore> rows;  // rows[i] answers the i-th input row
  size_t failed = 0;           // rows that are not ok
  size_t num_features = 0;     // the model's feature count: the width of `features`
  // With ScoreOptions::keep_features: rows.size() x num_features float64
  // values, row-major (NaN = missing); a row that is not ok is all NaN.
  // Otherwise empty.
  std::vector<double> features;

  // Row i's prepared features (num_features values); needs keep_features.
  Span<const double> FeaturesOf(size_t i) const {
    return Span<const double>(features.data() + i * num_features, num_features);
  }
};

// Checks and predicts every row of `rows` in order, each independently: a
// bad row never stops the others; rows are predicted in chunks (one
// PredictFeaturesBatch call each), the answers identical to one row at a
// time. Time linear in rows x trees; allocates a chunk's features (or, with
// keep_features, the matrix) plus each answer's label and issues. A row
// marked InputRow::prepared needs the RecordInput overload below (here it
// answers a kInternal error). Thread-safe (Model is).
STROKE_EXPORT BatchScore ScoreRecords(const Model& model, const std::vector<InputRow>& rows,
                                      const ScoreOptions& options = {});

// ScoreRecords of input.rows, where rows ReadInput prepared (InputRow::
// prepared, InputOptions::prepare) are scored from RecordInput::inputs
// without a Record - the same answers as from their Records. `options.check`
// must be the checks they were prepared with: otherwise (a caller's bug)
// each prepared row answers a kInternal error. Thread-safe.
STROKE_EXPORT BatchScore ScoreRecords(const Model& model, const RecordInput& input, const ScoreOptions& options = {});

}  // namespace stroke

#endif  // STROKE_SCORING_H_
