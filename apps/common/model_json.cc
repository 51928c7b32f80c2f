#include "model_json.h"

#include <charconv>
#include <cmath>

namespace stroke::apps {

Json IssuesJson(const std::vector<Issue>& issues) {
  Json out = Json::array();
  for (const Issue& issue : issues) {
    out.push_back({{"field", issue.field}, {"type", issue.type}, {"message", issue.message}});
  }
  return out;
}

Json FieldJson(const FieldSpec& f) {
  Json field = {{"name", f.name}, {"type", FieldTypeName(f.type)}};
  if (!f.description.empty()) field["description"] = f.description;
  if (f.type == FieldType::kCategory) field["categories"] = f.categories;
  field["nullable"] = f.nullable;
  if (f.nullable) {
    if (f.type == FieldType::kCategory) {
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

std::string FormatNumber(double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc() ? std::string(buffer, end) : "nan";
}

}  // namespace stroke::apps
