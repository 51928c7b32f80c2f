#include "kserve_v1.h"

#include <fmt/format.h>

#include "protocol_input.h"
#include "stroke/scoring.h"

namespace stroke::apps {
namespace {

ProtocolReply Refuse(int status, const std::string& message) {
  return ProtocolReply{JsonReply(status, {{"error", message}}), 0};
}

}  // namespace

Reply KServeV1ModelStatus(const std::string& name, bool ready) {
  return JsonReply(ready ? 200 : 503, {{"name", name}, {"ready", ready}});
}

ProtocolReply KServeV1Predict(const Model& model, std::string_view body, const KServeV1Options& options) {
  StatusOr<Json> request = ParseProtocolJson(body);
  if (!request.ok()) return Refuse(400, "Unrecognized request format: " + request.status().message());
  if (!request->is_object()) {
    return Refuse(400, "expected a request object {\"instances\": [...]}, got " + DescribeJson(*request));
  }
  if (request->contains("inputs") && request->contains("instances")) {
    return Refuse(400, "send either \"instances\" or \"inputs\", not both");
  }
  const char* key = request->contains("inputs") ? "inputs" : "instances";
  auto instances = request->find(key);
  if (instances == request->end()) return Refuse(400, "Expected key \"instances\" in request body");
  if (!instances->is_array()) return Refuse(400, fmt::format("Expected \"{}\" to be a list", key));
  if (instances->size() > options.protocol.max_rows) {
    return Refuse(413, fmt::format("a request of {} instances exceeds the limit of {} (--max-batch-rows)",
                                   instances->size(), options.protocol.max_rows));
  }
  ScoreOptions score;
  score.check = options.protocol.check;
  const std::vector<InputRow> rows = RowsFromInstances(*instances, model.schema());
  const BatchScore scored = ScoreRecords(model, rows, score);
  if (scored.failed > 0) {
    return Refuse(400, FailedRowsMessage(scored, [&](size_t row, const Issue& issue) {
      return issue.field.empty() ? fmt::format("{}[{}]", key, row) : fmt::format("{}[{}].{}", key, row, issue.field);
    }));
  }
  if (options.protocol.answered) options.protocol.answered(rows, scored);
  Json predictions = Json::array();
  for (const RowScore& r : scored.rows) {
    const RecordPrediction& p = r.prediction;
    if (model.task() == Task::kRegression) {
      predictions.push_back(p.value);
    } else if (options.probabilities) {
      predictions.push_back(std::vector<double>(p.probabilities.begin(), p.probabilities.begin() + p.num_classes));
    } else {
      predictions.push_back(p.label);
    }
  }
  return ProtocolReply{JsonReply(200, {{"predictions", predictions}}), scored.rows.size()};
}

}  // namespace stroke::apps
