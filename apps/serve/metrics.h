// Prometheus metrics of stroke-serve (text format 0.0.4): requests by route
// template, method and code; latency histograms in seconds; predictions by
// model; requests in flight; the log store; build info. Thread-safe.
#ifndef STROKE_APPS_SERVE_METRICS_H_
#define STROKE_APPS_SERVE_METRICS_H_

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

namespace stroke::apps {

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets; +Inf is implied.
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    2.5};

  explicit Metrics(std::string build_version) : build_version_(std::move(build_version)) {}
  Metrics(std::string build_version, std::string model_name, std::string model_version);
  // The model stroke_build_info names (the default one); set before serving.
  void SetDefaultModel(std::string name, std::string version) {
    model_name_ = std::move(name);
    model_version_ = std::move(version);
  }

  void RequestStarted() { in_flight_.fetch_add(1); }
  // `route` is the route template ("/predict"), never the raw path.
  void RequestFinished(const std::string& route, const std::string& method, int code, double seconds);
  // The counter of records answered by `model` version `version` (the labels
  // of stroke_predictions_total): taken once per model version, then added
  // to without a lock on every request.
  std::shared_ptr<std::atomic<uint64_t>> PredictionCounter(const std::string& model, const std::string& version);
  // Time spent compressing answers (seconds of one thread's CPU, wall clock).
  void Compressed(double seconds);
  // A request refused with 429 because its client failed to log in too often.
  void LoginThrottled() { logins_throttled_.fetch_add(1); }
  // Reads the number of open connections when rendering (set once, before serving).
  void SetOpenConnectionsGauge(std::function<size_t()> gauge) { open_connections_ = std::move(gauge); }
  // The log store's state, read when rendering (set once, before serving):
  // whether it keeps events (stroke_log_store_up 1/0) and how many it
  // dropped since start (stroke_log_events_lost_total).
  struct LogStoreGauges {
    bool up = true;
    uint64_t lost = 0;
  };
  void SetLogStoreGauges(std::function<LogStoreGauges()> gauges) { log_store_ = std::move(gauges); }

  // The whole exposition, ready to serve as text/plain; version=0.0.4.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // per bucket, not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  const std::string build_version_;
  std::string model_name_, model_version_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<uint64_t> logins_throttled_{0};
  std::function<size_t()> open_connections_;
  std::function<LogStoreGauges()> log_store_;
  double compression_seconds_ = 0;  // under mutex_
  uint64_t compressions_ = 0;       // under mutex_
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  // (model, version) -> records answered; the counters outlive the Routes that add to them.
  std::map<std::pair<std::string, std::string>, std::shared_ptr<std::atomic<uint64_t>>> predictions_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_METRICS_H_
