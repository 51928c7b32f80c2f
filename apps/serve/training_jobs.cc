#include "training_jobs.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model_json.h"

extern char** environ;

namespace stroke::apps {
namespace {

namespace fs = std::filesystem;

// The held-out metric promotion compares, higher is better: the first of
// these the bundle's "test" metrics hold.
constexpr const char* kPromotionMetrics[] = {"test.roc_auc", "test.f1_macro", "test.r2", "test.accuracy", "test.f1"};

std::map<std::string, double> HeldOutMetrics(const Model& model) {
  std::map<std::string, double> metrics;
  for (const auto& [name, value] : model.info().metrics) {
    if (name.rfind("test.", 0) == 0) metrics[name] = value;
  }
  return metrics;
}

// The last `n` lines of a file: a failed trainer's reason.
std::string Tail(const fs::path& file, size_t n) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(ToValidUtf8(line));
  std::string tail;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) tail += (tail.empty() ? "" : " | ") + lines[i];
  return tail;
}

}  // namespace

TrainingJobs::TrainingJobs(TrainerConfig config, ModelRepository* models, std::function<void()> reload)
    : config_(std::move(config)), models_(models), reload_(std::move(reload)), worker_([this] { Work(); }) {}

TrainingJobs::~TrainingJobs() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (running_pid_ > 0) kill(running_pid_, SIGKILL);
  }
  wake_.notify_all();
  worker_.join();
}

std::string TrainingJobs::SpecPath(const std::string& model) const {
  StatusOr<ServedVersionPtr> served = models_->Resolve(model, "");
  if (!served.ok()) return "";
  const fs::path spec = fs::path(config_.trainer_dir) / "specs" / ((*served)->model.info().name + ".json");
  std::error_code error;
  return fs::is_regular_file(spec, error) ? spec.string() : "";
}

StatusOr<std::string> TrainingJobs::Submit(const std::string& model, std::string csv, const std::string& promote,
                                           Refusal* refusal) {
  auto refuse = [refusal](Refusal why, Status status) {
    if (refusal != nullptr) *refusal = why;
    return status;
  };
  if (!models_->Index()->count(model)) {
    return refuse(Refusal::kUnknownModel, NotFoundError(fmt::format("no model \"{}\"", ToValidUtf8(model))));
  }
  if (config_.trainer_dir.empty()) {
    return refuse(Refusal::kNotConfigured,
                  InvalidInputError("retraining is not configured: start stroke-serve with --model-repository "
                                    "DIR and --trainer DIR (python_export/); --trainer-python names a Python "
                                    "with scikit-learn (default /usr/bin/python3)"));
  }
  if (models_->directory().empty()) {
    return refuse(Refusal::kNotConfigured,
                  InvalidInputError("retraining writes a new version: it needs --model-repository"));
  }
  if (SpecPath(model).empty()) {
    return refuse(Refusal::kNotTrainable,
                  InvalidInputError(fmt::format("model \"{}\" has no training spec under {}/specs (a bundle "
                                                "converted by export.py is retrained where it was made)",
                                                model, config_.trainer_dir)));
  }
  if (csv.empty()) {
    return refuse(Refusal::kNotTrainable,
                  InvalidInputError("the body is empty: send the labelled training data as text/csv"));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.size() >= config_.max_queued) {
    return refuse(Refusal::kBusy,
                  InvalidInputError(fmt::format("{} training jobs already wait: try again later", queue_.size())));
  }
  TrainingJob job;
  job.id = fmt::format("job-{}", next_id_++);
  job.model = model;
  job.promote = promote;
  job.submitted_at = NowIso8601();
  jobs_[job.id] = job;
  order_.push_back(job.id);
  if (order_.size() > 100) {  // keep the last 100
    jobs_.erase(order_.front());
    order_.erase(order_.begin());
  }
  queue_.emplace_back(job.id, std::move(csv));
  wake_.notify_all();
  return job.id;
}

std::optional<TrainingJob> TrainingJobs::Get(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = jobs_.find(id);
  if (found == jobs_.end()) return std::nullopt;
  return found->second;
}

std::vector<TrainingJob> TrainingJobs::List() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<TrainingJob> list;
  for (const std::string& id : order_) list.push_back(jobs_.at(id));
  return list;
}

void TrainingJobs::Work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto [id, csv] = std::move(queue_.front());
    queue_.pop_front();
    if (!jobs_.count(id)) continue;
    TrainingJob job = jobs_[id];
    job.state = "running";
    jobs_[id] = job;
    lock.unlock();
    Run(job, csv);
    job.finished_at = NowIso8601();
    lock.lock();
    if (jobs_.count(id)) jobs_[id] = job;
  }
}

void TrainingJobs::Run(TrainingJob& job, const std::string& csv) {
  auto fail = [&job](std::string reason) {
    job.state = "failed";
    job.reason = std::move(reason);
  };
  const std::string spec = SpecPath(job.model);
  int version = 1;
  const std::shared_ptr<const RepositoryIndex> before = models_->Index();  // held while read
  if (!before->count(job.model)) return fail("the model left the repository before its job ran");
  for (const auto& [v, state] : before->at(job.model).versions) version = std::max(version, v + 1);
  std::string work = (fs::temp_directory_path() / "stroke-train-XXXXXX").string();
  if (spec.empty() || mkdtemp(work.data()) == nullptr) return fail("cannot prepare the job (spec or temporary directory)");
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::error_code e; fs::remove_all(dir, e); }
  } cleanup{work};
  std::ofstream(fs::path(work) / "data.csv", std::ios::binary) << csv;

  // The trainer: python train.py SPEC --data CSV --out WORK --version N, its output in WORK/log.txt.
  const std::string train = (fs::path(config_.trainer_dir) / "train.py").string(), data = work + "/data.csv",
                    log = work + "/log.txt", version_text = std::to_string(version);
  std::vector<const char*> argv = {config_.python.c_str(), train.c_str(), spec.c_str(), "--data", data.c_str(),
                                   "--out", work.c_str(), "--version", version_text.c_str(), nullptr};
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, config_.python.c_str(), &files, nullptr, const_cast<char**>(argv.data()), environ);
  posix_spawn_file_actions_destroy(&files);
  if (spawned != 0) return fail(fmt::format("cannot run {}: {}", config_.python, std::strerror(spawned)));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_pid_ = pid;
    if (stopping_) kill(pid, SIGKILL);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config_.timeout_s);
  int status = 0;
  bool timed_out = false;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (!timed_out && std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      timed_out = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_pid_ = 0;
  }
  if (timed_out) return fail(fmt::format("the trainer ran over {} s (--train-timeout-s) and was stopped", config_.timeout_s));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return fail("the trainer failed: " + Tail(log, 3));

  // Its bundle into DIR/<model>/<version>/, renamed into place whole.
  fs::path bundle;
  for (const auto& entry : fs::directory_iterator(work)) {
    if (entry.path().string().ends_with(".bundle.json")) bundle = entry.path();
  }
  if (bundle.empty()) return fail("the trainer wrote no bundle: " + Tail(log, 3));
  const fs::path target = fs::path(models_->directory()) / job.model / version_text;
  std::error_code error;
  fs::create_directories(target, error);
  fs::copy_file(bundle, target / ".model.bundle.json.part", fs::copy_options::overwrite_existing, error);
  if (!error) fs::rename(target / ".model.bundle.json.part", target / "model.bundle.json", error);
  if (error) return fail(fmt::format("cannot write {}: {}", target.string(), error.message()));
  reload_();
  StatusOr<ServedVersionPtr> served = models_->Resolve(job.model, version_text);
  if (!served.ok()) {
    fs::remove_all(target, error);  // never left behind as an unservable version
    reload_();
    return fail("the new version was refused: " + served.status().message());
  }
  job.state = "done";
  job.version = version;
  job.metrics = HeldOutMetrics((*served)->model);
  if (job.promote.empty()) return;
  const std::shared_ptr<const RepositoryIndex> index = models_->Index();  // held while read
  if (!index->count(job.model)) return;
  const auto& aliases = index->at(job.model).aliases;
  const auto current = aliases.find(job.promote);
  if (current != aliases.end()) {
    StatusOr<ServedVersionPtr> before = models_->Resolve(job.model, std::to_string(current->second));
    if (before.ok()) {
      const std::map<std::string, double> old_metrics = HeldOutMetrics((*before)->model);
      for (const char* metric : kPromotionMetrics) {
        if (!job.metrics.count(metric) || !old_metrics.count(metric)) continue;
        if (job.metrics.at(metric) < old_metrics.at(metric)) {
          job.promotion = fmt::format("kept {} on version {}: {} {} < {}", job.promote, current->second, metric,
                                      job.metrics.at(metric), old_metrics.at(metric));
          return;
        }
        break;
      }
    }
  }
  const Status moved = models_->SetAlias(job.model, job.promote, version);
  job.promotion = moved.ok() ? fmt::format("moved {} to version {}", job.promote, version)
                             : "not promoted: " + moved.message();
}

}  // namespace stroke::apps
