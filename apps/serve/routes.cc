#include "routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <span>
#include <sstream>

#include "media_type.h"
#include "openapi.h"
#include "record_input.h"

namespace stroke::apps {
namespace {

// Issue kinds as pydantic v1 type names, which FastAPI clients see in "type":
// the one mapping of the HTTP API.
std::string PydanticType(IssueKind kind) {
  switch (kind) {
    case IssueKind::kMissing: return "value_error.missing";
    case IssueKind::kUnknownField: return "value_error.extra";
    case IssueKind::kCategory: return "type_error.enum";
    case IssueKind::kType: return "type_error";
    case IssueKind::kParse: return "value_error.jsondecode";
    default: return std::string("value_error.") + IssueKindName(kind);
  }
}

Json DetailEntry(Json loc, const std::string& message, IssueKind kind) {
  return {{"loc", std::move(loc)}, {"msg", message}, {"type", PydanticType(kind)}};
}

// Detail entries in a 422 answer, and in its /logs entry, at most.
constexpr size_t kAnsweredDetail = 1000;
constexpr size_t kLoggedDetail = 10;

// The first `limit` entries of `detail`, and one more saying how many were left out.
Json Truncated(const Json& detail, size_t limit) {
  if (detail.size() <= limit) return detail;
  Json kept = Json::array();
  for (size_t i = 0; i < limit; ++i) kept.push_back(detail[i]);
  kept.push_back(DetailEntry({"body"}, fmt::format("... and {} more errors", detail.size() - limit),
                             IssueKind::kTruncated));
  return kept;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (file) text << file.rdbuf();
  return text.str();
}

// Python's round(x, 4) for the original API: the exact binary value, correctly rounded.
double Round4(double x) { return std::strtod(fmt::format("{:.4f}", x).c_str(), nullptr); }

}  // namespace

Reply JsonReply(int status, const Json& body) { return Reply{status, JsonText(body), "application/json", {}}; }

Reply ErrorReply(int status, const std::string& message, const std::string& request_id) {
  return JsonReply(status, {{"error", message}, {"request_id", request_id}});
}

struct Routes::Outcome {
  bool ok = false;
  Reply reply;                  // when !ok
  bool single = false;          // the body was one object
  std::vector<RecordPrediction> answers;
  std::vector<std::string> rendered;  // when ok: AnswerText of every answer (render_all) or of the first
  std::vector<std::string> ids;       // with an id column: each answer's id as JSON text
  std::vector<double> features;  // when ok: num_features() per record, row after row
};

Routes::Routes(const Model& model, RouteSettings settings, Metrics* metrics, EventLog* log)
    : model_(model), settings_(std::move(settings)), metrics_(metrics), log_(log),
      started_(std::chrono::steady_clock::now()), started_at_(NowIso8601()),
      model_text_(JsonText(model_.info().name)), model_version_text_(JsonText(model_.info().version)) {
  if (!settings_.docs_dir.empty()) {
    swagger_js_ = MakeStaticAsset(ReadFileOrEmpty(settings_.docs_dir + "/swagger-ui-bundle.js"), "application/javascript");
    swagger_css_ = MakeStaticAsset(ReadFileOrEmpty(settings_.docs_dir + "/swagger-ui.css"), "text/css");
  }
}

Routes::Outcome Routes::Run(const RequestInfo& who, const std::string& body, const std::string& content_type,
                            bool object_only, const std::string& unknown_categories, bool render_all,
                            const std::string& id_column) const {
  Outcome out;
  CheckOptions check_options;
  check_options.refuse_unknown_categories = settings_.refuse_unknown_categories || unknown_categories == "refuse";
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
  StatusOr<RecordInput> input = ReadInput(body, InputOptions{format, "", id_column}, model_.schema());
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
  Json detail = Json::array();
  std::vector<double> features(model_.num_features());
  for (size_t i = 0; i < input->rows.size(); ++i) {
    const InputRow& row = input->rows[i];
    auto loc = [&](const std::string& field) {
      Json l = out.single ? Json::array({"body"}) : Json::array({"body", i});
      if (!field.empty()) l.push_back(field);
      return l;
    };
    if (!row.record.ok()) {
      detail.push_back(DetailEntry(loc(""), row.record.status().message(), IssueKind::kParse));
      continue;
    }
    CheckResult check = model_.Prepare(*row.record, features, check_options);
    for (const Issue& e : check.errors) detail.push_back(DetailEntry(loc(e.field), e.message, e.kind));
    if (!check.ok()) continue;
    out.answers.push_back(model_.PredictPrepared(features, std::move(check.warnings)));
    if (!id_column.empty()) out.ids.push_back(JsonText(ValueJson(row.id)));
    out.features.insert(out.features.end(), features.begin(), features.end());
  }
  if (!detail.empty()) {
    // The log keeps a sample: its ring holds 1000 entries, each must stay small.
    log_->Add("WARNING", "invalid input", {{"request_id", who.id}, {"user", who.user}, {"route", who.route},
                                           {"errors", detail.size()}, {"detail", Truncated(detail, kLoggedDetail)}});
    out.reply = JsonReply(422, {{"detail", Truncated(detail, kAnsweredDetail)}});
    return out;
  }
  metrics_->Predicted(out.answers.size());
  const double latency_ms = MillisecondsSince(who.start);
  // Each answer is rendered once: its prediction fields (the audit line's
  // "outputs"), continued into its /predict object (the reply, the log's
  // "first"). With no error, answers[i] is the answer to input->rows[i].
  const bool audit = log_->auditing();
  for (size_t i = 0; i < out.answers.size() && (audit || render_all || i == 0); ++i) {
    Json fields = Json::object();
    for (auto& [name, value] : PredictionFields(model_, out.answers[i])) fields[name] = std::move(value);
    std::string outputs = JsonText(fields);
    const std::string& id = out.ids.empty() ? "" : out.ids[i];
    if (audit) {
      JsonObjectText line;
      line.Add("time", NowIso8601()).Add("request_id", who.id).Add("user", who.user).Add("route", who.route).Add("row", i);
      if (!id.empty()) line.Raw("id", id);
      log_->Audit(line.Add("inputs", RecordJson(*input->rows[i].record)).Raw("outputs", outputs)
                      .Raw("model", model_text_).Raw("model_version", model_version_text_).Add("latency_ms", latency_ms)
                      .Close());
    }
    if (render_all || i == 0) out.rendered.push_back(AnswerText(out.answers[i], std::move(outputs), id));
  }
  log_->AddRendered("INFO", "prediction",
                    JsonObjectText()
                        .Add("request_id", who.id).Add("user", who.user).Add("route", who.route).Add("remote", who.remote)
                        .Add("records", out.answers.size()).Raw("first", out.rendered.empty() ? "null" : out.rendered[0])
                        .Close());
  out.ok = true;
  return out;
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
  Outcome out = Run(who, body, content_type, /*object_only=*/true, unknown_categories, /*render_all=*/false);
  if (!out.ok) return out.reply;
  const RecordPrediction& p = out.answers[0];
  if (model_.task() == Task::kRegression) return JsonReply(200, {{"prediction", p.value}});
  return JsonReply(200, {{"prediction", p.prediction}, {"proba", Round4(p.probability)}});
}

Reply Routes::Predict(const RequestInfo& who, const std::string& body, const std::string& content_type,
                      const std::string& unknown_categories, const std::string& id_column) const {
  Outcome out =
      Run(who, body, content_type, /*object_only=*/false, unknown_categories, /*render_all=*/true, id_column);
  if (!out.ok) return out.reply;
  if (out.single) return Reply{200, std::move(out.rendered[0]), "application/json", {}};
  return Reply{200, BatchText(std::move(out.rendered)), "application/json", {}};
}

Reply Routes::PredictProba(const RequestInfo& who, const std::string& body, const std::string& content_type,
                           const std::string& unknown_categories, const std::string& id_column) const {
  if (model_.task() == Task::kRegression) {
    return ErrorReply(404, "this model is a regression: it has no class probabilities (use /predict)", who.id);
  }
  Outcome out =
      Run(who, body, content_type, /*object_only=*/false, unknown_categories, /*render_all=*/false, id_column);
  if (!out.ok) return out.reply;
  auto shape = [&](size_t i) {
    const RecordPrediction& p = out.answers[i];
    Json probabilities(std::vector<double>(p.probabilities.begin(), p.probabilities.begin() + p.num_classes));
    Json answer = out.ids.empty() ? Json::object() : Json{{"id", Json::parse(out.ids[i])}};
    answer["prediction"] = p.prediction;
    answer["probabilities"] = probabilities;
    answer["message"] = Message(p);
    return answer;
  };
  if (out.single) return JsonReply(200, shape(0));
  Json all = Json::array();
  for (size_t i = 0; i < out.answers.size(); ++i) all.push_back(shape(i));
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
  Outcome out = Run(who, body, content_type, /*object_only=*/false, unknown_categories,
                    /*render_all=*/format != "dashboard", format == "dashboard" ? "" : id_column);
  if (!out.ok) return out.reply;
  const size_t width = model_.num_features();
  ExplainScratch scratch(model_);
  if (!scratch.ok()) {
    return ErrorReply(500, "not enough memory to explain this model's trees (they are very deep)", who.id);
  }
  if (format == "dashboard") {  // the credit-scoring API's shape, for its dashboard
    Json values = Json::array(), data = Json::array(), base = Json::array();
    std::vector<double> phi(width);
    for (size_t i = 0; i < out.answers.size(); ++i) {
      const std::span<const double> row(out.features.data() + i * width, width);
      const int output = model_.task() == Task::kMulticlassClassification ? out.answers[i].prediction
                                                                          : model_.ExplainedOutputs()[0];
      base.push_back(model_.ExplainFeatures(row, output, phi, scratch));
      values.push_back(phi);
      data.push_back(std::vector<double>(row.begin(), row.end()));
    }
    return JsonReply(200, {{"values", values}, {"feat", model_.program().feature_names()}, {"data", data}, {"base", base}});
  }
  for (size_t i = 0; i < out.answers.size(); ++i) {  // each /predict object, continued
    const std::span<const double> row(out.features.data() + i * width, width);
    out.rendered[i] = JsonObjectText(std::move(out.rendered[i]))
                          .Add("explanation", ExplanationJson(model_, row, scratch))
                          .Close();
  }
  if (out.single) return Reply{200, std::move(out.rendered[0]), "application/json", {}};
  return Reply{200, BatchText(std::move(out.rendered)), "application/json", {}};
}

Reply Routes::Health() const {
  const double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return JsonReply(200, {{"status", ready_ ? "healthy" : "shutting down"}, {"model_loaded", true},
                         {"model", model_.info().name}, {"version", model_.info().version},
                         {"started_at", started_at_}, {"uptime_seconds", uptime},
                         {"build_version", settings_.server_version}});
}

Reply Routes::Livez() const { return JsonReply(200, {{"status", "alive"}}); }

Reply Routes::Readyz() const {
  if (!ready_) return JsonReply(503, {{"status", "not ready"}, {"reason", "shutting down"}});
  return JsonReply(200, {{"status", "ready"}, {"model", model_.info().name}, {"version", model_.info().version}});
}

Reply Routes::ModelMetadata() const { return JsonReply(200, ModelInfoJson(model_)); }

Reply Routes::Features() const {
  Json inputs = Json::array();
  for (const FieldSpec& f : model_.schema().fields()) inputs.push_back(FieldJson(f));
  return JsonReply(200, {{"features", model_.program().feature_names()}, {"inputs", inputs}});
}

Reply Routes::Distribution(const std::string& feature, const std::string& request_id) const {
  const FeatureDistribution* d = model_.distribution(feature);
  if (d == nullptr) {
    const auto& names = model_.program().feature_names();
    const bool known = std::find(names.begin(), names.end(), feature) != names.end();
    return ErrorReply(404, known ? "this bundle carries no distribution for \"" + feature + "\""
                                 : "no feature \"" + feature + "\" (GET /features lists them)",
                      request_id);
  }
  Json counts = Json::object();
  for (const auto& [label, c] : d->counts) counts[label] = c;
  return JsonReply(200, {{"feature", d->feature}, {"bins", d->edges.size() - 1}, {"edges", d->edges}, {"counts", counts}});
}

Reply Routes::Logs(const std::string& limit_text, const std::string& offset_text, const std::string& level) const {
  auto parse = [](const std::string& text, long fallback, long lo, long hi, long* out) {
    if (text.empty()) {
      *out = fallback;
      return true;
    }
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    *out = value;
    return *end == '\0' && value >= lo && value <= hi;
  };
  long limit = 0, offset = 0;
  Json detail = Json::array();
  if (!parse(limit_text, 100, 1, 1000, &limit)) {
    detail.push_back(DetailEntry({"query", "limit"}, "expected an integer in [1, 1000], got \"" + limit_text + "\"", IssueKind::kNumber));
  }
  if (!parse(offset_text, 0, 0, 1000000000, &offset)) {
    detail.push_back(DetailEntry({"query", "offset"}, "expected an integer >= 0, got \"" + offset_text + "\"", IssueKind::kNumber));
  }
  if (!level.empty() && level != "INFO" && level != "WARNING" && level != "ERROR") {
    detail.push_back(DetailEntry({"query", "level"}, "expected INFO, WARNING or ERROR, got \"" + level + "\"", IssueKind::kEnum));
  }
  if (!detail.empty()) return JsonReply(422, {{"detail", detail}});
  EventLog::Page page = log_->Read(static_cast<size_t>(limit), static_cast<size_t>(offset), level);
  std::string logs = "[";  // each entry's data is JSON text already
  for (const LogEntry& e : page.entries) {
    if (logs.size() > 1) logs += ',';
    logs += JsonObjectText()
                .Add("timestamp", e.timestamp).Add("level", e.level).Add("message", e.message).Raw("data", e.data)
                .Close();
  }
  logs += ']';
  return Reply{200,
               JsonObjectText().Add("total", page.total).Add("limit", limit).Add("offset", offset).Raw("logs", logs).Close(),
               "application/json", {}};
}

Reply Routes::LogStats() const { return JsonReply(200, log_->Stats()); }

Reply Routes::ClearLogs(const RequestInfo& who) const {
  const size_t n = log_->Clear();
  log_->Add("INFO", "logs cleared", {{"request_id", who.id}, {"user", who.user}, {"deleted", n}});
  return JsonReply(200, {{"deleted", n}});
}

Reply Routes::MetricsText() const {
  return Reply{200, metrics_->Render(), "text/plain; version=0.0.4; charset=utf-8", {}};
}

Reply Routes::OpenApi() const {
  return JsonReply(200, OpenApiDocument(model_, settings_.server_version, settings_.auth_enabled));
}

Reply Routes::Docs(const std::string& file, const std::string& request_id) const {
  const bool swagger = !swagger_js_.body.empty() && !swagger_css_.body.empty();
  if (file.empty()) {
    if (swagger) return Reply{200, SwaggerUiPage(), "text/html; charset=utf-8", {}};
    Json doc = OpenApiDocument(model_, settings_.server_version, settings_.auth_enabled);
    return Reply{200, PlainDocsPage(doc), "text/html; charset=utf-8", {}};
  }
  if (swagger && file == "swagger-ui-bundle.js") return Reply{200, "", swagger_js_.content_type, {}, &swagger_js_};
  if (swagger && file == "swagger-ui.css") return Reply{200, "", swagger_css_.content_type, {}, &swagger_css_};
  return ErrorReply(404, "no file \"" + file + "\" under /docs", request_id);
}

}  // namespace stroke::apps
