// Retraining a repository model from an uploaded, labelled CSV: the
// model's trainer (python_export/train.py with the model's spec) runs as a
// background job; its bundle, verified by the exporter, becomes the model's
// next version once the repository has loaded it and its golden rows pass.
//
// Contract:
//  - Jobs run one at a time, in order; at most `max_queued` wait (more: the
//    submission is refused). Each is bounded by `timeout_s` (then killed) and
//    by the upload limit (--max-body-bytes).
//  - A job changes nothing that serves until it is done: a failed or killed
//    job leaves the repository as it was (its files are in a temporary
//    directory until the bundle is renamed into DIR/<model>/<version>/).
//  - Promotion is explicit (PUT .../aliases/...) or asked for at submission
//    (`promote`): the alias then moves to the new version only when its
//    held-out metric is not worse than the alias's current version's.
//  - Thread-safe. The destructor kills a running trainer and waits for it.
#ifndef STROKE_APPS_SERVE_TRAINING_JOBS_H_
#define STROKE_APPS_SERVE_TRAINING_JOBS_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model_repository.h"

namespace stroke::apps {

struct TrainerConfig {
  std::string python;          // the interpreter with scikit-learn (--trainer-python)
  std::string trainer_dir;     // python_export/: train.py and specs/ (--trainer); "" = no retraining
  int timeout_s = 600;         // a job's wall time (--train-timeout-s)
  size_t max_queued = 4;       // jobs waiting behind the running one
};

struct TrainingJob {
  std::string id;
  std::string model;           // the repository's model name
  std::string state = "queued";  // queued, running, done, failed
  std::string reason;          // failed: why (the trainer's last lines, or the check that refused)
  int version = 0;             // done: the new version
  std::map<std::string, double> metrics;  // done: the new version's held-out ("test.*") metrics
  std::string promote;         // the alias asked for, or ""
  std::string promotion;       // what happened to it ("moved production from 1 to 2", "kept ...: ...")
  std::string submitted_at, finished_at;
};

class TrainingJobs {
 public:
  // `reload`: rescans the repository (and logs what changed), after a bundle is written.
  TrainingJobs(TrainerConfig config, ModelRepository* models, std::function<void()> reload);
  ~TrainingJobs();
  TrainingJobs(const TrainingJobs&) = delete;
  TrainingJobs& operator=(const TrainingJobs&) = delete;

  // Why Submit refused (the HTTP status follows from it: 404, 501, 422, 503).
  enum class Refusal {
    kUnknownModel,   // no such model
    kNotConfigured,  // no --trainer, or no repository directory to write to
    kNotTrainable,   // a model without a training spec (converted by export.py), an empty upload, a bad alias
    kBusy,           // the queue is full: try again later
  };
  // Queues a job training `model` on `csv`. Returns the job's id, or an
  // error saying why (kNotFound for kUnknownModel, else kInvalidInput) with
  // *refusal set when given.
  StatusOr<std::string> Submit(const std::string& model, std::string csv, const std::string& promote,
                               Refusal* refusal = nullptr);

  std::optional<TrainingJob> Get(const std::string& id) const;
  std::vector<TrainingJob> List() const;  // oldest first, at most the last 100

 private:
  void Work();                          // the worker thread
  void Run(TrainingJob& job, const std::string& csv);  // one job, outside the lock
  std::string SpecPath(const std::string& model) const;  // the trainer spec of a model, or ""

  const TrainerConfig config_;
  ModelRepository* const models_;
  const std::function<void()> reload_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, std::string>> queue_;  // (job id, csv)
  std::map<std::string, TrainingJob> jobs_;
  std::vector<std::string> order_;      // job ids, oldest first
  size_t next_id_ = 1;
  bool stopping_ = false;
  int running_pid_ = 0;                 // the trainer's process, while one runs
  std::thread worker_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_TRAINING_JOBS_H_
