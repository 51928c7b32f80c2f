#include "routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <span>
#include <sstream>

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

// A request's Content-Type: the media type and its charset, both lower case
// (RFC 9110 §8.3: case-insensitive).
struct MediaType {
  std::string type;
  std::string charset;
};

MediaType ParseMediaType(const std::string& header) {
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
    return text;
  };
  MediaType media;
  media.type = lower(header.substr(0, header.find(';')));
  const std::string params = lower(header.substr(std::min(header.size(), header.find(';'))));
  const size_t at = params.find("charset=");
  if (at != std::string::npos) {
    media.charset = params.substr(at + 8, params.find(';', at) - at - 8);
    if (media.charset.size() >= 2 && media.charset.front() == '"' && media.charset.back() == '"') {
      media.charset = media.charset.substr(1, media.charset.size() - 2);
    }
  }
  return media;
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
  std::vector<double> features;  // when ok: num_features() per record, row after row
};

Routes::Routes(const Model& model, RouteSettings settings, Metrics* metrics, EventLog* log)
    : model_(model), settings_(std::move(settings)), metrics_(metrics), log_(log),
      started_(std::chrono::steady_clock::now()), started_at_(NowIso8601()) {
  if (!settings_.docs_dir.empty()) {
    swagger_js_ = MakeStaticAsset(ReadFileOrEmpty(settings_.docs_dir + "/swagger-ui-bundle.js"), "application/javascript");
    swagger_css_ = MakeStaticAsset(ReadFileOrEmpty(settings_.docs_dir + "/swagger-ui.css"), "text/css");
  }
}

Routes::Outcome Routes::Run(const RequestInfo& who, const std::string& body, const std::string& content_type,
                            bool object_only, const std::string& unknown_categories) const {
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
  StatusOr<RecordInput> input = ReadInput(body, InputOptions{format, "", ""}, model_.schema());
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
  // With no error, answers[i] is the answer to input->rows[i].
  for (size_t i = 0; log_->auditing() && i < out.answers.size(); ++i) {
    Json outputs = Json::object();
    for (auto& [name, value] : PredictionFields(model_, out.answers[i])) outputs[name] = std::move(value);
    log_->Audit({{"time", NowIso8601()}, {"request_id", who.id}, {"user", who.user}, {"route", who.route},
                 {"row", i}, {"inputs", RecordJson(*input->rows[i].record)}, {"outputs", outputs},
                 {"model", model_.info().name}, {"model_version", model_.info().version},
                 {"latency_ms", latency_ms}});
  }
  log_->Add("INFO", "prediction", {{"request_id", who.id}, {"user", who.user}, {"route", who.route},
                                   {"remote", who.remote},
                                   {"records", out.answers.size()},
                                   {"first", out.answers.empty() ? Json() : Answer(out.answers[0])}});
  out.ok = true;
  return out;
}

std::string Routes::Message(const RecordPrediction& p) const {
  if (model_.task() == Task::kRegression) return fmt::format("predicted value {:.4g}", p.value);
  return fmt::format("predicted \"{}\" with probability {:.3f}", p.label, p.probability);
}

Json Routes::Answer(const RecordPrediction& p) const {
  Json answer = Json::object();
  for (auto& [name, value] : PredictionFields(model_, p)) answer[name] = std::move(value);
  answer["message"] = Message(p);
  answer["warnings"] = IssuesJson(p.warnings);
  answer["model"] = model_.info().name;
  answer["model_version"] = model_.info().version;
  return answer;
}

Reply Routes::Prediction(const RequestInfo& who, const std::string& body, const std::string& content_type,
                         const std::string& unknown_categories) const {
  Outcome out = Run(who, body, content_type, /*object_only=*/true, unknown_categories);
  if (!out.ok) return out.reply;
  const RecordPrediction& p = out.answers[0];
  if (model_.task() == Task::kRegression) return JsonReply(200, {{"prediction", p.value}});
  return JsonReply(200, {{"prediction", p.prediction}, {"proba", Round4(p.probability)}});
}

Reply Routes::Predict(const RequestInfo& who, const std::string& body, const std::string& content_type,
                      const std::string& unknown_categories) const {
  Outcome out = Run(who, body, content_type, /*object_only=*/false, unknown_categories);
  if (!out.ok) return out.reply;
  if (out.single) return JsonReply(200, Answer(out.answers[0]));
  Json predictions = Json::array();
  for (const RecordPrediction& p : out.answers) predictions.push_back(Answer(p));
  return JsonReply(200, {{"model", model_.info().name}, {"model_version", model_.info().version},
                         {"n_rows", out.answers.size()}, {"predictions", predictions}});
}

Reply Routes::PredictProba(const RequestInfo& who, const std::string& body, const std::string& content_type,
                           const std::string& unknown_categories) const {
  if (model_.task() == Task::kRegression) {
    return ErrorReply(404, "this model is a regression: it has no class probabilities (use /predict)", who.id);
  }
  Outcome out = Run(who, body, content_type, /*object_only=*/false, unknown_categories);
  if (!out.ok) return out.reply;
  auto shape = [&](const RecordPrediction& p) {
    Json probabilities(std::vector<double>(p.probabilities.begin(), p.probabilities.begin() + p.num_classes));
    return Json{{"prediction", p.prediction}, {"probabilities", probabilities}, {"message", Message(p)}};
  };
  if (out.single) return JsonReply(200, shape(out.answers[0]));
  Json all = Json::array();
  for (const RecordPrediction& p : out.answers) all.push_back(shape(p));
  return JsonReply(200, {{"predictions", all}});
}

Reply Routes::Explain(const RequestInfo& who, const std::string& body, const std::string& content_type,
                      const std::string& format, const std::string& unknown_categories) const {
  if (!format.empty() && format != "dashboard") {
    return JsonReply(422, {{"detail", Json::array({DetailEntry({"query", "format"},
                                                               "expected \"dashboard\" or nothing, got \"" + format + "\"",
                                                               IssueKind::kEnum)})}});
  }
  Outcome out = Run(who, body, content_type, /*object_only=*/false, unknown_categories);
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
  auto answer = [&](size_t i) {
    Json a = Answer(out.answers[i]);
    a["explanation"] = ExplanationJson(model_, std::span<const double>(out.features.data() + i * width, width), scratch);
    return a;
  };
  if (out.single) return JsonReply(200, answer(0));
  Json all = Json::array();
  for (size_t i = 0; i < out.answers.size(); ++i) all.push_back(answer(i));
  return JsonReply(200, {{"model", model_.info().name}, {"model_version", model_.info().version},
                         {"n_rows", out.answers.size()}, {"predictions", all}});
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
  Json logs = Json::array();
  for (const LogEntry& e : page.entries) {
    logs.push_back({{"timestamp", e.timestamp}, {"level", e.level}, {"message", e.message}, {"data", e.data}});
  }
  return JsonReply(200, {{"total", page.total}, {"limit", limit}, {"offset", offset}, {"logs", logs}});
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
