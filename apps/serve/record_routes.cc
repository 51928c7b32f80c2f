// The record routes (/prediction, /predict, /predict_proba, /explain): each
// reads its body and answers it through Run, the one path of routes.h.
#include <fmt/format.h>

#include <cstdlib>

#include "media_type.h"
#include "routes.h"
#include "stroke/record_input.h"
#include "stroke/scoring.h"
#include "validation_detail.h"

namespace stroke::apps {
namespace {

// Python's round(x, 4) for the original API: the exact binary value, correctly rounded.
double Round4(double x) { return std::strtod(fmt::format("{:.4f}", x).c_str(), nullptr); }

}  // namespace

struct Routes::Outcome {
  bool ok = false;
  Reply reply;                  // when !ok
  bool single = false;          // the body was one object
  BatchScore scored;            // when ok: every row ok; features with RunOptions::keep_features
  std::vector<std::string> rendered;  // when ok: AnswerText of every answer (render_all) or of the first
  std::vector<std::string> ids;       // with an id column: each answer's id as JSON text

  const RecordPrediction& answer(size_t i) const { return scored.rows[i].prediction; }
  size_t size() const { return scored.rows.size(); }
};

Routes::Outcome Routes::Run(const RequestInfo& who, const std::string& body, const std::string& content_type,
                            const RunOptions& options) const {
  Outcome out;
  const std::string& unknown_categories = options.unknown_categories;
  const bool object_only = options.object_only;
  if (!unknown_categories.empty() && unknown_categories != "accept" && unknown_categories != "refuse") {
    out.reply = JsonReply(422, {{"detail", Json::array({DetailEntry({"query", "unknown_categories"},
                                                                    "expected \"accept\" or \"refuse\", got \"" +
                                                                        ToValidUtf8(unknown_categories) + "\"",
                                                                    IssueKind::kEnum)})}});
    return out;
  }
  const MediaType media = ParseMediaType(content_type);
  const std::string& type = media.type;
  if (!media.charset.empty() && media.charset != "utf-8" && media.charset != "us-ascii") {
    out.reply = ErrorReply(415, "unsupported charset \"" + media.charset + "\": send UTF-8", who.id);
    return out;
  }
  // JSON also when the type is missing, "+json", or curl -d's default form type.
  const bool json = type.empty() || type == "application/json" || type == "application/x-www-form-urlencoded" ||
                    (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
  InputFormat format = InputFormat::kJson;
  if (type == "text/csv" && !object_only) {
    format = InputFormat::kCsv;
  } else if (!json) {
    out.reply = ErrorReply(415, "unsupported Content-Type \"" + type + "\": send application/json" +
                                    (object_only ? "" : " or text/csv"), who.id);
    return out;
  }
  StatusOr<RecordInput> input = ReadInput(body, InputOptions{format, "", options.id_column}, model_.schema());
  if (!input.ok()) {
    out.reply = JsonReply(422, {{"detail", Json::array({DetailEntry({"body"}, input.status().message(), IssueKind::kParse)})}});
    return out;
  }
  out.single = format == InputFormat::kJson && input->single_object;
  if (object_only && !out.single) {
    out.reply = JsonReply(422, {{"detail", Json::array({DetailEntry({"body"}, "expected one JSON object (a record)", IssueKind::kType)})}});
    return out;
  }
  if (input->rows.size() > settings_.max_batch_rows) {
    out.reply = ErrorReply(413,
                           fmt::format("a batch of {} records exceeds the limit of {} (--max-batch-rows)",
                                       input->rows.size(), settings_.max_batch_rows),
                           who.id);
    return out;
  }
  ScoreOptions score;
  score.check.refuse_unknown_categories = settings_.refuse_unknown_categories || unknown_categories == "refuse";
  score.keep_features = options.keep_features;
  out.scored = ScoreRecords(model_, input->rows, score);
  Json detail = Json::array();
  for (size_t i = 0; i < out.size(); ++i) {
    for (const Issue& e : out.scored.rows[i].errors) {
      Json loc = out.single ? Json::array({"body"}) : Json::array({"body", i});
      if (!e.field.empty()) loc.push_back(e.field);
      detail.push_back(DetailEntry(std::move(loc), e.message, e.kind));
    }
    if (!options.id_column.empty()) out.ids.push_back(JsonText(ValueJson(input->rows[i].id)));
  }
  if (!detail.empty()) {
    // The log keeps a sample: its ring holds 1000 entries, each must stay small.
    log_->Add("WARNING", "invalid input", {{"request_id", who.id}, {"user", who.user}, {"route", who.route},
                                           {"errors", detail.size()}, {"detail", Truncated(detail, kLoggedDetail)}});
    out.reply = JsonReply(422, {{"detail", Truncated(detail, kAnsweredDetail)}});
    return out;
  }
  predicted_->fetch_add(out.size());
  const double latency_ms = MillisecondsSince(who.start);
  // Each answer is rendered once: its prediction fields (the audit line's
  // "outputs"), continued into its /predict object (the reply, the log's
  // "first").
  const bool audit = log_->auditing();
  for (size_t i = 0; i < out.size() && (audit || options.render_all || i == 0); ++i) {
    std::string outputs = OutputsText(out.answer(i));
    const std::string& id = out.ids.empty() ? "" : out.ids[i];
    if (audit) Audit(who, i, id, *input->rows[i].record, outputs, latency_ms);
    if (options.render_all || i == 0) out.rendered.push_back(AnswerText(out.answer(i), std::move(outputs), id));
  }
  log_->AddRendered("INFO", "prediction",
                    JsonObjectText()
                        .Add("request_id", who.id).Add("user", who.user).Add("route", who.route).Add("remote", who.remote)
                        .Add("records", out.size()).Raw("first", out.rendered.empty() ? "null" : out.rendered[0])
                        .Close());
  out.ok = true;
  return out;
}

void Routes::Answered(const RequestInfo& who, const std::vector<InputRow>& rows, const BatchScore& scored) const {
  predicted_->fetch_add(scored.rows.size());
  if (!log_->auditing()) return;
  const double latency_ms = MillisecondsSince(who.start);
  for (size_t i = 0; i < rows.size() && i < scored.rows.size(); ++i) {
    if (!scored.rows[i].ok || !rows[i].record.ok()) continue;
    Audit(who, i, "", *rows[i].record, OutputsText(scored.rows[i].prediction), latency_ms);
  }
}

std::string Routes::OutputsText(const RecordPrediction& p) const {
  Json fields = Json::object();
  for (auto& [name, value] : PredictionFields(model_, p)) fields[name] = std::move(value);
  return JsonText(fields);
}

void Routes::Audit(const RequestInfo& who, size_t row, const std::string& id, const Record& inputs,
                   const std::string& outputs, double latency_ms) const {
  JsonObjectText line;
  line.Add("time", NowIso8601()).Add("request_id", who.id).Add("user", who.user).Add("route", who.route).Add("row", row);
  if (!id.empty()) line.Raw("id", id);
  log_->Audit(line.Raw("inputs", RecordText(inputs)).Raw("outputs", outputs)
                  .Raw("model", model_text_).Raw("model_version", model_version_text_).Add("latency_ms", latency_ms)
                  .Close());
}

std::string Routes::Message(const RecordPrediction& p) const {
  if (model_.task() == Task::kRegression) return fmt::format("predicted value {:.4g}", p.value);
  return fmt::format("predicted \"{}\" with probability {:.3f}", p.label, p.probability);
}

std::string Routes::AnswerText(const RecordPrediction& p, std::string outputs, const std::string& id) const {
  if (!id.empty()) outputs = "{\"id\":" + id + (outputs.size() > 2 ? "," : "") + outputs.substr(1);
  return JsonObjectText(std::move(outputs))
      .Add("message", Message(p)).Add("warnings", IssuesJson(p.warnings))
      .Raw("model", model_text_).Raw("model_version", model_version_text_)
      .Close();
}

std::string Routes::BatchText(std::vector<std::string> answers) const {
  std::string predictions = "[";
  for (std::string& a : answers) {
    if (predictions.size() > 1) predictions += ',';
    predictions += a;
  }
  predictions += ']';
  return JsonObjectText()
      .Raw("model", model_text_).Raw("model_version", model_version_text_)
      .Add("n_rows", answers.size()).Raw("predictions", predictions)
      .Close();
}

Reply Routes::Prediction(const RequestInfo& who, const std::string& body, const std::string& content_type,
                         const std::string& unknown_categories) const {
  RunOptions run;
  run.object_only = true;
  run.unknown_categories = unknown_categories;
  Outcome out = Run(who, body, content_type, run);
  if (!out.ok) return out.reply;
  const RecordPrediction& p = out.answer(0);
  if (model_.task() == Task::kRegression) return JsonReply(200, {{"prediction", p.value}});
  return JsonReply(200, {{"prediction", p.prediction}, {"proba", Round4(p.probability)}});
}

Reply Routes::Predict(const RequestInfo& who, const std::string& body, const std::string& content_type,
                      const std::string& unknown_categories, const std::string& id_column) const {
  RunOptions run;
  run.render_all = true;
  run.unknown_categories = unknown_categories;
  run.id_column = id_column;
  Outcome out = Run(who, body, content_type, run);
  if (!out.ok) return out.reply;
  if (out.single) return Reply{200, std::move(out.rendered[0]), "application/json", {}};
  return Reply{200, BatchText(std::move(out.rendered)), "application/json", {}};
}

Reply Routes::PredictProba(const RequestInfo& who, const std::string& body, const std::string& content_type,
                           const std::string& unknown_categories, const std::string& id_column) const {
  if (model_.task() == Task::kRegression) {
    return ErrorReply(404, "this model is a regression: it has no class probabilities (use /predict)", who.id);
  }
  RunOptions run;
  run.unknown_categories = unknown_categories;
  run.id_column = id_column;
  Outcome out = Run(who, body, content_type, run);
  if (!out.ok) return out.reply;
  auto shape = [&](size_t i) {
    const RecordPrediction& p = out.answer(i);
    Json probabilities(std::vector<double>(p.probabilities.begin(), p.probabilities.begin() + p.num_classes));
    Json answer = out.ids.empty() ? Json::object() : Json{{"id", Json::parse(out.ids[i])}};
    answer["prediction"] = p.prediction;
    answer["probabilities"] = probabilities;
    answer["message"] = Message(p);
    return answer;
  };
  if (out.single) return JsonReply(200, shape(0));
  Json all = Json::array();
  for (size_t i = 0; i < out.size(); ++i) all.push_back(shape(i));
  return JsonReply(200, {{"predictions", all}});
}

Reply Routes::Explain(const RequestInfo& who, const std::string& body, const std::string& content_type,
                      const std::string& format, const std::string& unknown_categories,
                      const std::string& id_column) const {
  if (!format.empty() && format != "dashboard") {
    return JsonReply(422, {{"detail", Json::array({DetailEntry({"query", "format"},
                                                               "expected \"dashboard\" or nothing, got \"" + format + "\"",
                                                               IssueKind::kEnum)})}});
  }
  const bool dashboard = format == "dashboard";
  RunOptions run;
  run.render_all = !dashboard;
  run.keep_features = true;
  run.unknown_categories = unknown_categories;
  if (!dashboard) run.id_column = id_column;
  Outcome out = Run(who, body, content_type, run);
  if (!out.ok) return out.reply;
  ExplainScratch scratch(model_);
  if (!scratch.ok()) {
    return ErrorReply(500, "not enough memory to explain this model's trees (they are very deep)", who.id);
  }
  if (dashboard) {  // the credit-scoring API's shape, for its dashboard
    Json values = Json::array(), data = Json::array(), base = Json::array();
    std::vector<double> phi(model_.num_features());
    for (size_t i = 0; i < out.size(); ++i) {
      const Span<const double> row = out.scored.FeaturesOf(i);
      const int output = model_.task() == Task::kMulticlassClassification ? out.answer(i).prediction
                                                                          : model_.ExplainedOutputs()[0];
      base.push_back(model_.ExplainFeatures(row, output, phi, scratch));
      values.push_back(phi);
      data.push_back(std::vector<double>(row.begin(), row.end()));
    }
    return JsonReply(200, {{"values", values}, {"feat", model_.program().feature_names()}, {"data", data}, {"base", base}});
  }
  for (size_t i = 0; i < out.size(); ++i) {  // each /predict object, continued
    out.rendered[i] = JsonObjectText(std::move(out.rendered[i]))
                          .Add("explanation", ExplanationJson(model_, out.scored.FeaturesOf(i), scratch))
                          .Close();
  }
  if (out.single) return Reply{200, std::move(out.rendered[0]), "application/json", {}};
  return Reply{200, BatchText(std::move(out.rendered)), "application/json", {}};
}

}  // namespace stroke::apps
