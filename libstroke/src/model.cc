#include "stroke/model.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "model_state.h"
#include "row_chunks.h"

namespace stroke {

const char* OutputKindName(OutputKind kind) {
  switch (kind) {
    case OutputKind::kRawMargin: return "raw_margin";
    case OutputKind::kProbability: return "probability";
    case OutputKind::kClass: return "class";
  }
  return "?";
}

const char* TaskName(Task task) {
  switch (task) {
    case Task::kBinaryClassification: return "binary_classification";
    case Task::kMulticlassClassification: return "multiclass_classification";
    case Task::kRegression: return "regression";
  }
  return "?";
}

namespace {

const std::shared_ptr<const internal::ModelState>& EmptyState() {
  static const auto* empty =
      new std::shared_ptr<const internal::ModelState>(std::make_shared<const internal::ModelState>());
  return *empty;
}

// The classes of a model's Prediction with k raw outputs (regression: 0).
int NumClasses(const ModelInfo& info, size_t k) {
  if (info.task == Task::kRegression) return 0;
  return info.task == Task::kBinaryClassification ? 2 : static_cast<int>(k);
}

// One row's class probabilities (NumClasses values) from its k linked
// outputs: binary boosting links one logit to p, the classes being 1 - p and
// p; a binary forest averages the two classes itself; multiclass: the
// softmax or the forest's averages, as they are.
void ClassProbabilities(const ModelInfo& info, size_t k, const double* linked, double* proba) {
  if (info.task == Task::kBinaryClassification && k == 1) {
    proba[0] = 1.0 - linked[0];
    proba[1] = linked[0];
    return;
  }
  std::copy_n(linked, k, proba);
}

// Calls f(first, n, raw, linked) for consecutive chunks of the rows (`rows`:
// n_rows * width values): raw holds the chunk's raw accumulators, linked
// their link, k = num_outputs a row. A chunk's values fit on the stack (32
// KB): as many rows a chunk as fit, so a layout that reads the forest once a
// call (blocked trees) reads it once per kChunkValues / k rows.
template <typename F>
void ForEachLinkedChunk(const internal::ModelState& m, size_t width, Span<const double> rows, size_t n_rows, F f) {
  constexpr size_t kChunkValues = 2048;
  std::array<double, kChunkValues> raw, linked;
  const size_t chunk = kChunkValues / static_cast<size_t>(m.ensemble.num_outputs());
  for (size_t first = 0; first < n_rows; first += chunk) {
    const size_t n = std::min(chunk, n_rows - first);
    m.ensemble.PredictRawBatch(rows.subspan(first * width, n * width), n, raw);
    m.ensemble.LinkBatch(raw, n, linked);
    f(first, n, raw.data(), linked.data());
  }
}

// Sets *answer to the Prediction for one row's raw accumulators (k values) and
// their link: every field as a fresh Prediction would then hold it, but the
// probabilities past num_classes, left as they are (0 in a fresh one). In
// place: a batch fills its answers without building and copying a 300-byte
// Prediction a row.
void SetFromRaw(const ModelInfo& info, size_t k, const double* raw, const double* out,
                std::optional<double> threshold, Prediction* answer) {
  Prediction& p = *answer;
  p.prediction = 0;
  p.probability = 0;
  p.value = 0;
  p.raw_margin = 0;
  p.num_classes = NumClasses(info, k);
  switch (info.task) {
    case Task::kRegression:
      p.value = out[0];
      p.raw_margin = raw[0];
      return;
    case Task::kBinaryClassification: {
      const bool forest = k == 2;  // class probabilities, not a logit
      ClassProbabilities(info, k, out, p.probabilities.data());
      p.probability = p.probabilities[1];
      p.raw_margin = forest ? raw[1] : raw[0];
      p.prediction = p.probability > threshold.value_or(info.threshold) ? 1 : 0;
      p.value = p.probability;
      return;
    }
    case Task::kMulticlassClassification: {
      ClassProbabilities(info, k, out, p.probabilities.data());
      for (int c = 0; c < p.num_classes; ++c) {
        if (out[c] > out[p.prediction]) p.prediction = c;  // first maximum, as numpy's argmax
      }
      p.probability = out[p.prediction];
      p.raw_margin = raw[p.prediction];
      p.value = p.probability;
      return;
    }
  }
}

}  // namespace

Model::Model() : state_(EmptyState()) {}
Model::Model(std::shared_ptr<const internal::ModelState> state) : state_(std::move(state)) {}

const ModelInfo& Model::info() const { return state_->info; }
const Schema& Model::schema() const { return state_->schema; }
const FeatureProgram& Model::program() const { return state_->program; }
const Ensemble& Model::ensemble() const { return state_->ensemble; }
const FeatureDomain& Model::feature_domain() const { return state_->domain; }
const std::vector<GoldenRow>& Model::golden_rows() const { return state_->golden; }
size_t Model::num_features() const { return state_->program.num_features(); }
Task Model::task() const { return state_->info.task; }

const FeatureDistribution* Model::distribution(std::string_view name) const {
  for (const FeatureDistribution& d : state_->distributions) {
    if (d.feature == name) return &d;
  }
  return nullptr;
}

int Model::num_classes() const { return static_cast<int>(state_->info.class_labels.size()); }

CheckResult Model::Prepare(const Record& record, Span<double> features,
                           const CheckOptions& options) const {
  CheckResult result;
  if (features.size() != num_features()) {
    result.errors.push_back({"", IssueKind::kInternal, "feature buffer has the wrong size"});
    return result;
  }
  // Checked inputs live on the stack for usual schemas: no allocation per record.
  constexpr size_t kStackInputs = 64;
  double stack_inputs[kStackInputs];
  std::vector<double> heap_inputs;
  const internal::ModelState& m = *state_;
  const size_t n = m.schema.fields().size();
  if (n > kStackInputs) heap_inputs.resize(n);
  const Span<double> inputs = n > kStackInputs ? Span<double>(heap_inputs)
                                                    : Span<double>(stack_inputs, n);
  if (!m.schema.Check(record, inputs, &result, options)) return result;
  CheckResult evaluated = PrepareInputs(inputs, features);
  for (Issue& issue : evaluated.errors) result.errors.push_back(std::move(issue));
  return result;
}

CheckResult Model::PrepareInputs(Span<const double> inputs, Span<double> features) const {
  CheckResult result;
  const internal::ModelState& m = *state_;
  if (features.size() != num_features() || inputs.size() != m.schema.fields().size()) {
    result.errors.push_back({"", IssueKind::kInternal, "input or feature buffer has the wrong size"});
    return result;
  }
  Status evaluated = m.program.Evaluate(inputs, features, m.domain);
  if (!evaluated.ok()) result.errors.push_back({"", IssueKind::kFeatureNotFinite, evaluated.message()});
  return result;
}

Prediction Model::PredictFeatures(Span<const double> features,
                                  std::optional<double> threshold) const {
  const internal::ModelState& m = *state_;
  std::array<double, kMaxOutputs> raw, out;
  m.ensemble.PredictRaw(features, raw);
  m.ensemble.Link(raw, out);
  Prediction p;
  SetFromRaw(m.info, static_cast<size_t>(m.ensemble.num_outputs()), raw.data(), out.data(), threshold, &p);
  return p;
}

void Model::PredictFeaturesBatch(Span<const double> rows, Span<Prediction> out,
                                 std::optional<double> threshold) const {
  const internal::ModelState& m = *state_;
  const size_t k = static_cast<size_t>(m.ensemble.num_outputs());
  const int classes = NumClasses(m.info, k);
  ForEachLinkedChunk(m, num_features(), rows, out.size(),
                     [&](size_t first, size_t n, const double* raw, const double* linked) {
                       for (size_t r = 0; r < n; ++r) {
                         Prediction& p = out[first + r];  // the caller's: what a fresh one holds past num_classes too
                         std::fill(p.probabilities.begin() + classes, p.probabilities.end(), 0.0);
                         SetFromRaw(m.info, k, &raw[r * k], &linked[r * k], threshold, &p);
                       }
                     });
}

void Model::PredictFeaturesBatch(Span<const double> rows, Span<Prediction> out, const BatchOptions& options) const {
  const size_t width = num_features();
  ForEachRowChunk(out.size(), ThreadsFor(out.size(), options), [&](size_t first, size_t count) {
    PredictFeaturesBatch(rows.subspan(first * width, count * width), out.subspan(first, count), options.threshold);
  });
}

Status Model::PredictProbaBatch(Span<const double> rows, Span<double> proba, const BatchOptions& options) const {
  const internal::ModelState& m = *state_;
  const size_t k = static_cast<size_t>(m.ensemble.num_outputs()), width = num_features();
  const auto classes = static_cast<size_t>(NumClasses(m.info, k));
  if (classes == 0) return InvalidInputError("PredictProbaBatch: a regression model has no class probabilities");
  const size_t n = width == 0 ? 0 : rows.size() / width;
  if (rows.size() != n * width || proba.size() != n * classes) {
    return InvalidInputError("PredictProbaBatch: rows hold " + std::to_string(rows.size()) + " values and proba " +
                             std::to_string(proba.size()) + "; expected n * " + std::to_string(width) +
                             " features and n * " + std::to_string(classes) + " classes");
  }
  ForEachRowChunk(n, ThreadsFor(n, options), [&](size_t first, size_t count) {
    ForEachLinkedChunk(m, width, rows.subspan(first * width, count * width), count,
                       [&](size_t chunk_first, size_t chunk_rows, const double*, const double* linked) {
                         for (size_t r = 0; r < chunk_rows; ++r) {
                           ClassProbabilities(m.info, k, &linked[r * k], &proba[(first + chunk_first + r) * classes]);
                         }
                       });
  });
  return Status();
}

StatusOr<RecordPrediction> Model::Predict(const Record& record,
                                          const PredictOptions& options) const {
  std::vector<double> features(num_features());
  CheckResult check = Prepare(record, features, options.check);
  if (!check.ok()) return check.ToStatus();
  return PredictPrepared(features, std::move(check.warnings), options.threshold);
}

RecordPrediction Model::PredictPrepared(Span<const double> features, std::vector<Issue> warnings,
                                        std::optional<double> threshold) const {
  return Labelled(PredictFeatures(features, threshold), std::move(warnings));
}

RecordPrediction Model::Labelled(const Prediction& prediction, std::vector<Issue> warnings) const {
  const ModelInfo& info = state_->info;
  return RecordPrediction{prediction, info.task != Task::kRegression ? info.class_labels[prediction.prediction] : "",
                          std::move(warnings)};
}

}  // namespace stroke
