#include "model_json.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace stroke::apps {

Json IssuesJson(const std::vector<Issue>& issues) {
  Json out = Json::array();
  for (const Issue& issue : issues) {
    out.push_back({{"field", issue.field}, {"type", IssueKindName(issue.kind)}, {"message", issue.message}});
  }
  return out;
}

std::vector<std::pair<std::string, Json>> PredictionFields(const Model& model, const RecordPrediction& p) {
  const auto& labels = model.info().class_labels;
  switch (model.task()) {
    case Task::kRegression: return {{"value", p.value}};
    case Task::kBinaryClassification:
      return {{"probability", p.probability}, {"prediction", p.prediction}, {"label", p.label},
              {"raw_margin", p.raw_margin}};
    case Task::kMulticlassClassification: {
      Json per_class = Json::object();
      for (size_t k = 0; k < labels.size(); ++k) per_class[labels[k]] = p.probabilities[k];
      return {{"prediction", p.prediction}, {"label", p.label}, {"probability", p.probability},
              {"probabilities", per_class}};
    }
  }
  return {};
}

Json ExplanationJson(const Model& model, std::span<const double> features, ExplainScratch& scratch) {
  const auto& names = model.program().feature_names();
  std::vector<double> phi(model.num_features());
  Json all = Json::array();
  for (int output : model.ExplainedOutputs()) {
    const double base = model.ExplainFeatures(features, output, phi, scratch);
    double raw = base;
    Json contributions = Json::object();
    for (size_t i = 0; i < phi.size(); ++i) {
      contributions[names[i]] = phi[i];
      raw += phi[i];
    }
    Json by_input = Json::object();
    for (const InputContribution& c : GroupByInput(model, phi)) by_input[c.name] = c.value;
    Json one = Json::object();
    if (model.task() == Task::kMulticlassClassification) {
      one["class"] = output;
      one["label"] = model.info().class_labels[static_cast<size_t>(output)];
    }
    one["expected_value"] = base;
    one["raw_score"] = raw;
    one["by_input"] = by_input;
    one["contributions"] = contributions;
    all.push_back(one);
  }
  return model.task() == Task::kMulticlassClassification ? all : all[0];
}

Json ValueJson(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kBool: return v.boolean;
    case Value::Kind::kString: return v.text;
    case Value::Kind::kOther:
    case Value::Kind::kInvalid: return v.Describe();
    case Value::Kind::kNumber:
      if (v.is_integer && std::fabs(v.number) < 0x1p53) return static_cast<int64_t>(v.number);
      return v.number;
  }
  return nullptr;
}

namespace {

// Printable ASCII without a quote or backslash: JsonText writes it as is.
bool IsPlainText(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
}

}  // namespace

std::string RecordText(const Record& record) {
  const bool plain_keys = std::all_of(record.fields().begin(), record.fields().end(),
                                      [](const auto& field) { return IsPlainText(field.first); });
  if (!plain_keys) {  // keys that need escaping: the serializer's way
    Json out = Json::object();
    for (const auto& [name, v] : record.fields()) out[name] = ValueJson(v);
    return JsonText(out);
  }
  JsonObjectText text;
  for (const auto& [name, v] : record.fields()) {
    switch (v.kind) {
      case Value::Kind::kNull: text.Raw(name, "null"); break;
      case Value::Kind::kBool: text.Raw(name, v.boolean ? "true" : "false"); break;
      case Value::Kind::kString: text.Add(name, v.text); break;
      default: text.Raw(name, JsonText(ValueJson(v))); break;  // numbers as the serializer writes them
    }
  }
  return text.Close();
}

Json FieldJson(const FieldSpec& f) {
  Json field = {{"name", f.name}, {"type", FieldTypeName(f.type)}};
  if (!f.description.empty()) field["description"] = f.description;
  if (f.type == FieldType::kCategory) field["categories"] = f.categories;
  if (!f.known_codes.empty()) field["known_codes"] = f.known_codes;
  field["nullable"] = f.nullable;
  if (f.nullable) {
    if (std::isnan(f.impute)) {
      field["impute"] = nullptr;  // passed on as a missing value
    } else if (f.type == FieldType::kCategory) {
      field["impute"] = f.categories[static_cast<size_t>(f.impute)];
    } else {
      field["impute"] = f.impute;
    }
  }
  auto bounds = [](double lo, double hi) {
    Json b = Json::object();
    if (std::isfinite(lo)) b["min"] = lo;
    if (std::isfinite(hi)) b["max"] = hi;
    return b;
  };
  Json limits = bounds(f.hard_min, f.hard_max);
  if (!limits.empty()) field["limits"] = limits;
  Json range = bounds(f.train_min, f.train_max);
  if (!range.empty()) field["training_range"] = range;
  return field;
}

Json ModelInfoJson(const Model& model) {
  const ModelInfo& info = model.info();
  Json metrics = Json::object();
  for (const auto& [name, value] : info.metrics) metrics[name] = value;
  Json inputs = Json::array();
  for (const FieldSpec& f : model.schema().fields()) inputs.push_back(FieldJson(f));
  return {
      {"name", info.name},
      {"version", info.version},
      {"created", info.created},
      {"description", info.description},
      {"library", info.library},
      {"estimator", info.estimator},
      {"training_data",
       {{"description", info.training_data.description},
        {"synthetic", info.training_data.synthetic},
        {"rows", info.training_data.rows}}},
      {"metrics", metrics},
      {"task", TaskName(info.task)},
      {"threshold", info.threshold},
      {"class_labels", info.class_labels},
      {"trees", model.ensemble().num_trees()},
      {"inputs", inputs},
      {"features", model.program().feature_names()},
  };
}

std::string JsonText(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

JsonObjectText& JsonObjectText::Raw(std::string_view key, std::string_view json_text) {
  if (text_.size() > 1) text_ += ',';
  text_ += '"';
  text_ += key;
  text_ += "\":";
  text_ += json_text;
  return *this;
}

bool JsonObjectText::AddPlainString(std::string_view key, std::string_view value) {
  for (const char c : value) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;  // escaped, or UTF-8 checked
  }
  if (text_.size() > 1) text_ += ',';
  text_ += '"';
  text_ += key;
  text_ += "\":\"";
  text_ += value;
  text_ += '"';
  return true;
}

std::string JsonObjectText::Close() {
  text_ += '}';
  return std::move(text_);
}

}  // namespace stroke::apps
