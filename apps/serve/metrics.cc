#include "metrics.h"

#include <fmt/format.h>

#include <iterator>

namespace stroke::apps {
namespace {

// A label value with \, " and newlines escaped.
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Metrics::Metrics(std::string build_version, std::string model_name, std::string model_version)
    : build_version_(std::move(build_version)),
      model_name_(std::move(model_name)),
      model_version_(std::move(model_version)) {}

void Metrics::RequestFinished(const std::string& route, const std::string& method, int code, double seconds) {
  in_flight_.fetch_sub(1);
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, method, code}];
  Histogram& h = latency_[route];
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  if (bucket < kBuckets.size()) ++h.counts[bucket];
  ++h.count;
  h.sum += seconds;
}

std::shared_ptr<std::atomic<uint64_t>> Metrics::PredictionCounter(const std::string& model, const std::string& version) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<std::atomic<uint64_t>>& counter = predictions_[{model, version}];
  if (!counter) counter = std::make_shared<std::atomic<uint64_t>>(0);
  return counter;  // a version loaded again counts on where it left off
}

void Metrics::Compressed(double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  compression_seconds_ += seconds;
  ++compressions_;
}

std::string Metrics::Render() const {
  std::string text;
  auto out = std::back_inserter(text);
  fmt::format_to(out,
                 "# HELP stroke_build_info Versions of stroke-serve and the loaded model.\n"
                 "# TYPE stroke_build_info gauge\n"
                 "stroke_build_info{{version=\"{}\",model=\"{}\",model_version=\"{}\"}} 1\n"
                 "# HELP stroke_http_requests_in_flight Requests being handled.\n"
                 "# TYPE stroke_http_requests_in_flight gauge\n"
                 "stroke_http_requests_in_flight {}\n"
                 "# HELP stroke_http_logins_throttled_total Requests refused (429) after repeated failed logins.\n"
                 "# TYPE stroke_http_logins_throttled_total counter\n"
                 "stroke_http_logins_throttled_total {}\n",
                 Label(build_version_), Label(model_name_), Label(model_version_), in_flight_.load(),
                 logins_throttled_.load());
  if (open_connections_) {
    fmt::format_to(out,
                   "# HELP stroke_http_open_connections Client connections open now.\n"
                   "# TYPE stroke_http_open_connections gauge\n"
                   "stroke_http_open_connections {}\n",
                   open_connections_());
  }
  if (log_store_) {
    const LogStoreGauges store = log_store_();
    fmt::format_to(out,
                   "# HELP stroke_log_store_up Whether the log store (GET /logs) keeps events: 1, or 0 while it "
                   "cannot (Redis unreachable or refusing).\n"
                   "# TYPE stroke_log_store_up gauge\n"
                   "stroke_log_store_up {}\n"
                   "# HELP stroke_log_events_lost_total Events the log store dropped (queue full, Redis "
                   "unreachable or refusing).\n"
                   "# TYPE stroke_log_events_lost_total counter\n"
                   "stroke_log_events_lost_total {}\n",
                   store.up ? 1 : 0, store.lost);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  text += "# HELP stroke_predictions_total Records predicted, per model and version.\n"
          "# TYPE stroke_predictions_total counter\n";
  // Every loaded version has its counter (Routes takes it), so each is listed, 0 before its first answer.
  for (const auto& [key, rows] : predictions_) {
    fmt::format_to(out, "stroke_predictions_total{{model=\"{}\",model_version=\"{}\"}} {}\n", Label(key.first),
                   Label(key.second), rows->load());
  }
  fmt::format_to(out,
                 "# HELP stroke_http_compression_seconds_total Time spent compressing answers.\n"
                 "# TYPE stroke_http_compression_seconds_total counter\n"
                 "stroke_http_compression_seconds_total {}\n"
                 "# HELP stroke_http_compressed_answers_total Answers compressed on the fly (gzip level 1).\n"
                 "# TYPE stroke_http_compressed_answers_total counter\n"
                 "stroke_http_compressed_answers_total {}\n"
                 "# HELP stroke_http_requests_total HTTP requests by route template, method and status code.\n"
                 "# TYPE stroke_http_requests_total counter\n",
                 compression_seconds_, compressions_);
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, code] = key;
    fmt::format_to(out, "stroke_http_requests_total{{route=\"{}\",method=\"{}\",code=\"{}\"}} {}\n", Label(route),
                   Label(method), code, count);
  }
  fmt::format_to(out,
                 "# HELP stroke_http_request_duration_seconds Time to answer a request, by route template.\n"
                 "# TYPE stroke_http_request_duration_seconds histogram\n");
  for (const auto& [route, h] : latency_) {
    const std::string label = Label(route);
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += h.counts[b];
      fmt::format_to(out, "stroke_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
                     kBuckets[b], cumulative);
    }
    fmt::format_to(out,
                   "stroke_http_request_duration_seconds_bucket{{route=\"{0}\",le=\"+Inf\"}} {1}\n"
                   "stroke_http_request_duration_seconds_sum{{route=\"{0}\"}} {2}\n"
                   "stroke_http_request_duration_seconds_count{{route=\"{0}\"}} {1}\n",
                   label, h.count, h.sum);
  }
  return text;
}

}  // namespace stroke::apps
