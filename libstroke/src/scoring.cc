#include "stroke/scoring.h"

#include <algorithm>
#include <limits>

namespace stroke {

BatchScore ScoreRecords(const Model& model, const std::vector<InputRow>& rows, const ScoreOptions& options) {
  BatchScore out;
  const size_t width = model.num_features();
  out.num_features = width;
  out.rows.resize(rows.size());
  if (options.keep_features) out.features.assign(rows.size() * width, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> scratch(options.keep_features ? 0 : width);
  for (size_t i = 0; i < rows.size(); ++i) {
    RowScore& answer = out.rows[i];
    const Span<double> features = options.keep_features ? Span<double>(out.features.data() + i * width, width)
                                                        : Span<double>(scratch.data(), width);
    if (!rows[i].record.ok()) {
      answer.errors.push_back({"", IssueKind::kParse, rows[i].record.status().message()});
    } else if (CheckResult check = model.Prepare(*rows[i].record, features, options.check); !check.ok()) {
      answer.errors = std::move(check.errors);
    } else {
      answer.ok = true;
      answer.prediction = model.PredictPrepared(features, std::move(check.warnings), options.threshold);
      continue;
    }
    ++out.failed;
    if (options.keep_features) std::fill(features.begin(), features.end(), std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

}  // namespace stroke
