#include "stroke/explain.h"

#include <map>

#include "model_state.h"
#include "stroke/model.h"

namespace stroke {

ExplainScratch::ExplainScratch(const Model& model) : shap_(model.ensemble()) {}

std::vector<InputContribution> GroupByInput(const Model& model, Span<const double> contributions) {
  std::vector<InputContribution> groups;
  std::map<std::string, size_t> index;
  const FeatureProgram& program = model.program();
  for (size_t i = 0; i < program.num_features(); ++i) {
    const std::vector<int>& inputs = program.feature_inputs(i);
    const bool derived = inputs.size() != 1;
    const std::string name = derived ? program.feature_names()[i] : model.schema().fields()[inputs[0]].name;
    auto [it, added] = index.try_emplace((derived ? "feature:" : "input:") + name, groups.size());
    if (added) groups.push_back({name, 0.0, derived});
    groups[it->second].value += contributions[i];
  }
  return groups;
}

std::vector<int> Model::ExplainedOutputs() const {
  const Ensemble& ensemble = state_->ensemble;
  switch (state_->info.task) {
    case Task::kMulticlassClassification: {
      std::vector<int> all(static_cast<size_t>(ensemble.num_outputs()));
      for (size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int>(k);
      return all;
    }
    case Task::kBinaryClassification: return {ensemble.num_outputs() - 1};  // the logit, or a forest's P(class 1)
    case Task::kRegression: return {0};
  }
  return {0};
}

double Model::ExplainFeatures(Span<const double> features, int output, Span<double> contributions,
                              ExplainScratch& scratch) const {
  const Ensemble& ensemble = state_->ensemble;
  ensemble.Shap(features, output, contributions, scratch.shap_);
  return ensemble.ExpectedValue(output);
}

StatusOr<std::vector<Explanation>> Model::Explain(const Record& record, const PredictOptions& options) const {
  std::vector<double> features(num_features());
  CheckResult check = Prepare(record, features, options.check);
  if (!check.ok()) return check.ToStatus();
  ExplainScratch scratch(*this);
  const ModelInfo& info = state_->info;
  if (!scratch.ok()) {
    return InternalError("cannot allocate the TreeSHAP scratch memory for trees " +
                         std::to_string(state_->ensemble.max_depth()) +
                         " deep over " + std::to_string(num_features()) + " features");
  }
  std::vector<Explanation> out;
  for (int output : ExplainedOutputs()) {
    Explanation e;
    e.output = output;
    if (info.task == Task::kMulticlassClassification) e.label = info.class_labels[static_cast<size_t>(output)];
    if (info.task == Task::kBinaryClassification) e.label = info.class_labels[1];
    e.contributions.assign(num_features(), 0.0);
    e.expected_value = ExplainFeatures(features, output, e.contributions, scratch);
    e.raw_score = e.expected_value;
    for (double c : e.contributions) e.raw_score += c;
    e.by_input = GroupByInput(*this, e.contributions);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace stroke
