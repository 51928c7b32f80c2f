#include "answer_output.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>

#include "csv.h"
#include "model_json.h"

namespace stroke::apps {
namespace {

Json AnswerJson(const Answer& a, const Model& model, const AnswerFormat& how) {
  Json out = {{"row", a.row}};
  if (!how.id_name.empty()) out[how.id_name] = ValueJson(*a.id);
  // Kept names are unique and none is an answer's (BlockScorer refuses those):
  // appended without a search, so a row of 100,000 columns costs linear time.
  Json::object_t& members = out.get_ref<Json::object_t&>();
  for (const auto& [name, value] : a.kept) members.Json::object_t::Container::emplace_back(name, ValueJson(value));
  if (!a.ok) {
    out["errors"] = IssuesJson(*a.errors);
    return out;
  }
  for (auto& [name, value] : PredictionFields(model, *a.prediction)) out[name] = std::move(value);
  out["warnings"] = IssuesJson(a.prediction->warnings);
  if (!a.explanation.is_null()) out["explanation"] = a.explanation;
  if (how.emit_features) {
    Json features = Json::object();
    const auto& names = model.program().feature_names();
    for (size_t i = 0; i < names.size(); ++i) features[names[i]] = a.features[i];  // NaN -> null
    out["features"] = features;
  }
  return out;
}

// `format` (compiled: one number and at most 2 other characters) applied to
// `value`, appended to *out: formatted on the stack, then copied once, where
// a back_inserter grows and shrinks the string for every number. The
// longest number is 24 characters (a shortest round-trip double such as
// -2.2250738585072014e-308; a 64-bit integer has at most 20).
template <typename Format, typename T>
void AppendFormatted(const Format& format, T value, std::string* out) {
  char text[32];
  out->append(text, fmt::format_to(text, format, value));
}

// `value` as a CSV cell: null empty (a row without an identifier), a string
// as itself (every CSV row's identifier: no Json built), anything else as its
// JSON text (ValueJson), so that a JSON record's number identifier is the
// same text in CSV and JSON answers (1.0 stays 1.0, 7 stays 7).
void AppendCsvValue(const Value& value, std::string* out) {
  switch (value.kind) {
    case Value::Kind::kNull: return;
    case Value::Kind::kString: return AppendCsvCell(value.text, out);
    default: {
      const Json json = ValueJson(value);
      if (json.is_string()) return AppendCsvCell(json.get_ref<const std::string&>(), out);
      *out += JsonText(json);
    }
  }
}

// The prediction columns of the model's task; multiclass probabilities are
// one column per class after them.
std::vector<std::string> PredictionColumns(const Model& model) {
  std::vector<std::string> columns;
  for (const auto& [name, value] : PredictionFields(model, RecordPrediction{})) {
    if (!value.is_object()) columns.push_back(name);
  }
  return columns;
}

// ",value": the shortest text that reads back as the same double (the format compiled: no parsing per number).
void AppendNumber(double value, std::string* out) { AppendFormatted(FMT_COMPILE(",{}"), value, out); }

// The values of PredictionFields, in its order, as CSV cells (the hot path
// of CSV answers: no JSON values built).
void AppendPredictionCsv(const Model& model, const RecordPrediction& p, std::string* out) {
  switch (model.task()) {
    case Task::kRegression: return AppendNumber(p.value, out);
    case Task::kBinaryClassification:
      AppendNumber(p.probability, out);
      AppendFormatted(FMT_COMPILE(",{},"), p.prediction, out);
      AppendCsvCell(p.label, out);
      return AppendNumber(p.raw_margin, out);
    case Task::kMulticlassClassification:
      AppendFormatted(FMT_COMPILE(",{},"), p.prediction, out);
      AppendCsvCell(p.label, out);
      AppendNumber(p.probability, out);
      for (size_t k = 0; k < model.info().class_labels.size(); ++k) AppendNumber(p.probabilities[k], out);
      return;
  }
}

void AppendCsvRow(const Answer& a, const Model& model, const AnswerFormat& how, std::string* out) {
  AppendFormatted(FMT_COMPILE("{}"), a.row, out);
  if (!how.id_name.empty()) {
    *out += ',';
    AppendCsvValue(*a.id, out);
  }
  // a.kept follows the input's column order, as how.kept_columns does: one
  // pass (a row of 100,000 columns costs linear time); a column a row lacks
  // stays empty.
  size_t next = 0;
  for (const std::string& column : how.kept_columns) {
    *out += ',';
    if (next < a.kept.size() && a.kept[next].first == column) AppendCsvValue(a.kept[next++].second, out);
  }
  if (a.ok) {
    AppendPredictionCsv(model, *a.prediction, out);
    *out += ',';
    if (!a.prediction->warnings.empty()) AppendCsvCell(JoinIssues(a.prediction->warnings), out);
    *out += ',';
  } else {
    const size_t blanks = PredictionColumns(model).size() +
                          (model.task() == Task::kMulticlassClassification ? model.info().class_labels.size() : 0);
    *out += std::string(blanks + 1, ',') + ',' + CsvCell(JoinIssues(*a.errors));
  }
  for (size_t i = 0; how.emit_features && i < model.num_features(); ++i) {
    *out += ',';
    if (a.ok) AppendFormatted(FMT_COMPILE("{}"), a.features[i], out);
  }
  *out += '\n';
}

std::string Bounds(double lo, double hi) {
  if (!std::isfinite(lo) && !std::isfinite(hi)) return "";
  return fmt::format("[{}, {}]", std::isfinite(lo) ? lo : -INFINITY, std::isfinite(hi) ? hi : INFINITY);
}

}  // namespace

std::vector<std::string> AnswerFieldNames(const Model& model) {
  std::vector<std::string> names = {"row", "warnings", "errors", "explanation", "features"};
  for (const auto& [name, value] : PredictionFields(model, RecordPrediction{})) names.push_back(name);
  for (const std::string& label : model.info().class_labels) {
    if (model.task() == Task::kMulticlassClassification) names.push_back("probability_" + label);
  }
  return names;
}

std::string CsvHeader(const Model& model, const AnswerFormat& how) {
  std::string out = "row";
  if (!how.id_name.empty()) out += ',' + CsvCell(how.id_name);
  for (const std::string& c : how.kept_columns) out += ',' + CsvCell(c);
  for (const std::string& c : PredictionColumns(model)) out += ',' + c;
  for (const std::string& label : model.info().class_labels) {
    if (model.task() == Task::kMulticlassClassification) out += ',' + CsvCell("probability_" + label);
  }
  out += ",warnings,errors";
  if (how.emit_features) {
    for (const std::string& name : model.program().feature_names()) out += ',' + CsvCell(name);
  }
  return out + '\n';
}

void AppendAnswer(const Answer& answer, const Model& model, const AnswerFormat& how, std::string* out) {
  if (how.format == OutputFormat::kCsv) return AppendCsvRow(answer, model, how, out);
  if (how.format == OutputFormat::kJsonl) {
    *out += JsonText(AnswerJson(answer, model, how));
    *out += '\n';
    return;
  }
  const std::string text = JsonText(AnswerJson(answer, model, how), 2);
  if (how.single_object) {
    *out += text;
    return;
  }
  // As an element of an array dumped with indent 2: every line two spaces in.
  *out += "  ";
  for (const char c : text) {
    *out += c;
    if (c == '\n') *out += "  ";
  }
}

void WriteModelInfoText(const Model& model, std::ostream& out) {
  const ModelInfo& info = model.info();
  out << "model       " << info.name << " version " << info.version << '\n'
      << "estimator   " << info.estimator << " (" << info.library << "), "
      << model.ensemble().num_trees() << " trees\n"
      << "created     " << info.created << '\n'
      << "data        " << info.training_data.description
      << (info.training_data.rows > 0 ? fmt::format(" - {} rows", info.training_data.rows) : "")
      << (info.training_data.synthetic ? " (synthetic)" : "") << '\n'
      << "task        " << TaskName(info.task) << '\n';
  if (info.task == Task::kBinaryClassification) {
    out << "decision    class 1 (" << info.class_labels[1] << ") when probability > "
        << fmt::to_string(info.threshold) << ", else class 0 (" << info.class_labels[0] << ")\n";
  } else if (info.task == Task::kMulticlassClassification) {
    out << "classes    ";
    for (size_t k = 0; k < info.class_labels.size(); ++k) out << ' ' << k << '=' << info.class_labels[k];
    out << "  (the most probable wins)\n";
  }
  if (!info.metrics.empty()) out << "metrics    ";
  for (const auto& [name, value] : info.metrics) out << fmt::format(" {}={:.4g}", name, value);
  if (!info.metrics.empty()) out << '\n';
  out << "\ninputs (" << model.schema().fields().size() << "):\n";
  for (const FieldSpec& f : model.schema().fields()) {
    std::string line = "  " + f.name;
    line.resize(std::max<size_t>(line.size() + 1, 26), ' ');
    line += FieldTypeName(f.type);
    line.resize(std::max<size_t>(line.size() + 1, 36), ' ');
    if (f.type == FieldType::kCategory) line += fmt::format("{}", fmt::join(f.categories, " | "));
    if (const std::string b = Bounds(f.hard_min, f.hard_max); !b.empty()) line += "  limits " + b;
    if (const std::string b = Bounds(f.train_min, f.train_max); !b.empty()) line += "  trained on " + b;
    if (!f.known_codes.empty()) line += fmt::format("one of {}", fmt::join(f.known_codes, " | "));
    if (f.nullable && std::isnan(f.impute)) {
      line += "  nullable, passed on as missing";
    } else if (f.nullable) {
      line += "  nullable, imputed as " +
              (f.type == FieldType::kCategory ? f.categories[static_cast<size_t>(f.impute)] : fmt::to_string(f.impute));
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
  out << "\nfeatures (" << model.num_features() << "):";
  for (const std::string& name : model.program().feature_names()) out << "\n  " << name;
  out << '\n';
}

}  // namespace stroke::apps
