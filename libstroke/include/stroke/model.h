// Model: a loaded bundle - schema, feature program, ensemble and metadata -
// immutable after Load and safe to share between threads.
//
//   auto model = stroke::Model::Load("models/stroke.bundle.json");
//   if (!model.ok()) return Fail(model.status());
//   auto record = stroke::ParseRecordJson(R"({"gender": "Male", "age": 67, ...})");
//   auto answer = model->Predict(*record);       // validate + prepare + predict
//   if (answer.ok()) std::printf("%.4f\n", answer->probability);
//
// The hot path splits in two: Prepare (check a record, write its features)
// and PredictFeatures (no allocation), for callers who keep buffers.
#ifndef STROKE_MODEL_H_
#define STROKE_MODEL_H_

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stroke/ensemble.h"
#include "stroke/explain.h"
#include "stroke/export.h"
#include "stroke/span.h"
#include "stroke/features.h"
#include "stroke/load_options.h"
#include "stroke/record.h"
#include "stroke/schema.h"
#include "stroke/status.h"

namespace stroke {

// Bundle format this library reads (docs/bundle-format.md).
inline constexpr std::string_view kBundleFormat = "libstroke-bundle";
inline constexpr int kBundleFormatVersion = 1;

// What a model predicts.
enum class Task { kBinaryClassification, kMulticlassClassification, kRegression };
// "binary_classification", "multiclass_classification", "regression".
STROKE_EXPORT const char* TaskName(Task task);

// What a prediction returns (one helper, OutputKindName, names them).
enum class OutputKind { kRawMargin, kProbability, kClass };
STROKE_EXPORT const char* OutputKindName(OutputKind kind);  // "raw_margin", ...

// Where the training data came from.
struct STROKE_EXPORT TrainingData {
  std::string description;
  bool synthetic = false;  // true: generated, not the public dataset
  long rows = 0;
};

// The bundle's "model" section.
struct STROKE_EXPORT ModelInfo {
  std::string name;
  std::string version;
  std::string created;  // ISO 8601
  std::string description;
  std::string library;  // the training library and version, e.g. "scikit-learn 1.2.1"
  std::string estimator;  // e.g. "GradientBoostingClassifier"
  TrainingData training_data;
  std::vector<std::pair<std::string, double>> metrics;  // flattened: "test.f1" -> 0.21
  Task task = Task::kBinaryClassification;  // from the ensemble section
  double threshold = 0.5;  // binary: class 1 when probability > threshold
  std::vector<std::string> class_labels;  // classification: label of class i; regression: empty
};

// A row whose answer the training library computed at export time.
struct STROKE_EXPORT GoldenRow {
  Record inputs;
  double raw_margin = 0;               // binary boosting: the logit (else unused)
  double probability = 0;              // binary: P(class 1)
  std::vector<double> probabilities;   // multiclass: P(class i)
  double value = 0;                    // regression
  int prediction = 0;                  // classification: the class index
};

// Where the training rows fall for one feature, per class (regression:
// "all"): counts[label][b] rows had a value in [edges[b], edges[b+1]).
struct STROKE_EXPORT FeatureDistribution {
  std::string feature;
  std::vector<double> edges;
  std::vector<std::pair<std::string, std::vector<double>>> counts;
};

// One row's answer. Fixed size (no allocation), whatever the task.
struct STROKE_EXPORT Prediction {
  int prediction = 0;      // classification: the class index (binary: 1 when probability > threshold)
  double probability = 0;  // binary: P(class 1); multiclass: P(predicted class); regression: 0
  double value = 0;        // regression: the predicted value; classification: = probability
  double raw_margin = 0;   // the raw score behind `probability`/`value` (boosting: before the link)
  int num_classes = 0;     // classification: number of classes; regression: 0
  std::array<double, kMaxOutputs> probabilities{};  // classification: P(class i), i < num_classes
};

// A prediction for a raw record, with what validation noticed.
struct STROKE_EXPORT RecordPrediction : Prediction {
  std::string label;             // classification: class_labels[prediction]
  std::vector<Issue> warnings;   // e.g. a value outside the training range
};

// How a batch call spreads its rows over threads. The rows are cut into
// contiguous pieces, each a 2 x threads-th of the rows left down to 256
// rows (or an eighth of a thread's share, when less), which the threads (the
// calling thread one of them) take in turn as they finish, so that a slower
// core takes fewer and the threads finish within one small piece of each
// other; each piece is scored as a one-thread call
// would, so the answers are the same bit for bit whatever the number of
// threads.
struct STROKE_EXPORT BatchOptions {
  // Overrides the bundle's decision threshold (binary classification only).
  std::optional<double> threshold;
  // Threads that score the batch, the calling thread included: 1 (the
  // default) scores on the calling thread alone, starting no thread; <= 0
  // one per CPU this process may use (AvailableCpus(), stroke/cpus.h: its
  // affinity mask and cgroup CPU quota). Each call starts its threads and
  // joins them before returning (tens of microseconds each).
  int threads = 1;
  // The fewest rows a thread is given: a batch of n rows gets at most
  // n / min_rows_per_thread threads (at least 1), so that small batches do
  // not pay for starting threads and the pieces are long enough for the
  // blocked-trees layout (src/blocked_trees.h) to read the forest once per
  // 256 rows. The default suits the shipped models (~0.1 us a row, so
  // ~0.4 ms a thread); a deep forest (~10 us a row) gains from less.
  size_t min_rows_per_thread = 4096;
};

struct STROKE_EXPORT PredictOptions {
  std::optional<double> threshold;  // overrides the bundle's decision threshold
  CheckOptions check;               // how strictly records are checked
};

namespace internal {
struct ModelState;  // src/model_state.h
}  // namespace internal

// A loaded bundle. A handle: copies share one immutable model, so a copy is
// cheap and every method is const and thread-safe.
class STROKE_EXPORT Model {
 public:
  // An empty model (no inputs, no features); use Load or FromJson.
  Model();
  // Copies share the loaded model; a moved-from Model stays valid (a copy).
  Model(const Model&) = default;
  Model& operator=(const Model&) = default;

  // Reads and validates a bundle file. kIoError if unreadable, kCorruptBundle
  // (with the JSON path of the problem) if invalid or bigger than `options`
  // allow (stroke/load_options.h). Loading takes time and memory linear in
  // the bundle's size, whatever its trees' shapes.
  static StatusOr<Model> Load(const std::string& path, const LoadOptions& options = {});
  // Same, from the bundle's JSON text.
  static StatusOr<Model> FromJson(std::string_view bundle_json, const LoadOptions& options = {});

  // The bundle's "model" section (task, threshold, labels, metadata).
  const ModelInfo& info() const;
  // The input fields records are checked against.
  const Schema& schema() const;
  // The feature program that turns checked inputs into features.
  const FeatureProgram& program() const;
  // The tree ensemble that reads the features.
  const Ensemble& ensemble() const;
  // The feature values the ensemble takes (FeatureValueProblem says why not).
  const FeatureDomain& feature_domain() const;
  // The rows whose answers the training library computed at export time.
  const std::vector<GoldenRow>& golden_rows() const;
  // The training distribution of feature `name`, or nullptr (unknown
  // feature, or a bundle without "distributions").
  const FeatureDistribution* distribution(std::string_view name) const;
  // Length of the feature vector (program().num_features()).
  size_t num_features() const;
  Task task() const;
  // Number of classes (classification) or 0 (regression).
  int num_classes() const;

  // Checks `record` and writes its feature vector (num_features() values;
  // NaN = missing, only for models that handle missing values).
  // The result lists every error and warning; features are valid only if ok().
  // Allocates only to report issues (or for schemas of more than 64 fields).
  CheckResult Prepare(const Record& record, Span<double> features,
                      const CheckOptions& options = {}) const;
  // The features of checked inputs: `inputs` holds one value per schema
  // field, as Schema::Check writes them (or ReadInput's prepared rows);
  // writes num_features() values. Errors only for a feature that evaluates
  // to NaN or infinity (kFeatureNotFinite), or buffers of the wrong size
  // (kInternal). Allocates only to report; thread-safe.
  CheckResult PrepareInputs(Span<const double> inputs, Span<double> features) const;
  // Predicts from a prepared feature vector. Allocates nothing; thread-safe.
  // `threshold` (binary only) overrides the bundle's.
  Prediction PredictFeatures(Span<const double> features,
                             std::optional<double> threshold = std::nullopt) const;
  // Batch of contiguous prepared rows (rows: out.size() * num_features()
  // values, row-major); writes out[i] for row i, as PredictFeatures would.
  // On the calling thread only. Allocates nothing; thread-safe.
  void PredictFeaturesBatch(Span<const double> rows, Span<Prediction> out,
                            std::optional<double> threshold = std::nullopt) const;
  // The same answers, the rows split over options.threads threads (see
  // BatchOptions: never fewer than options.min_rows_per_thread rows a
  // thread). Allocates the started threads' bookkeeping; thread-safe.
  void PredictFeaturesBatch(Span<const double> rows, Span<Prediction> out, const BatchOptions& options) const;
  // predict_proba on prepared rows, in scikit-learn's layout: `rows` holds
  // n * num_features() values, row-major; writes proba[i * num_classes() + c]
  // = P(class c) of row i, n * num_classes() doubles - the
  // Prediction::probabilities PredictFeaturesBatch gives, bit for bit, in 8
  // bytes a class instead of a 300-byte Prediction a row, so that a large
  // batch on several threads is not held back by writing its answers. Rows
  // are split over options.threads as PredictFeaturesBatch's are.
  // kInvalidInput, writing nothing, for a regression model or when the sizes
  // disagree (rows.size() not a multiple of num_features(), proba.size() not
  // n * num_classes()). Allocates the started threads' bookkeeping only;
  // thread-safe.
  Status PredictProbaBatch(Span<const double> rows, Span<double> proba, const BatchOptions& options = {}) const;
  // PredictFeatures plus the class label, carrying the warnings Prepare
  // found: the answer for a record whose features are prepared.
  RecordPrediction PredictPrepared(Span<const double> features, std::vector<Issue> warnings,
                                   std::optional<double> threshold = std::nullopt) const;
  // `prediction` (from PredictFeatures or PredictFeaturesBatch) with its
  // class label and `warnings`: what PredictPrepared returns.
  RecordPrediction Labelled(const Prediction& prediction, std::vector<Issue> warnings) const;

  // The outputs an explanation covers: binary: the class-1 score; multiclass:
  // every class; regression: the value.
  std::vector<int> ExplainedOutputs() const;
  // TreeSHAP of output `output` for prepared features: writes num_features()
  // contributions (NaN when !scratch.ok()) and returns the expected value.
  // Allocates nothing; thread-safe with one scratch per thread.
  double ExplainFeatures(Span<const double> features, int output, Span<double> contributions,
                         ExplainScratch& scratch) const;
  // Prepare + ExplainFeatures for every explained output, grouped by input.
  // kInternal when the scratch memory cannot be allocated.
  StatusOr<std::vector<Explanation>> Explain(const Record& record, const PredictOptions& options = {}) const;

  // Prepare + PredictFeatures in one call (allocates the feature vector).
  // kInvalidInput names every bad field.
  StatusOr<RecordPrediction> Predict(const Record& record, const PredictOptions& options = {}) const;

 private:
  explicit Model(std::shared_ptr<const internal::ModelState> state);
  std::shared_ptr<const internal::ModelState> state_;  // never null
};

}  // namespace stroke

#endif  // STROKE_MODEL_H_
