#include "metrics.h"

#include <sstream>

#include "model_json.h"

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

void Metrics::Compressed(double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  compression_seconds_ += seconds;
  ++compressions_;
}

std::string Metrics::Render() const {
  std::ostringstream out;
  out << "# HELP stroke_build_info Versions of stroke-serve and the loaded model.\n"
      << "# TYPE stroke_build_info gauge\n"
      << "stroke_build_info{version=\"" << Label(build_version_) << "\",model=\"" << Label(model_name_)
      << "\",model_version=\"" << Label(model_version_) << "\"} 1\n"
      << "# HELP stroke_http_requests_in_flight Requests being handled.\n"
      << "# TYPE stroke_http_requests_in_flight gauge\n"
      << "stroke_http_requests_in_flight " << in_flight_.load() << "\n"
      << "# HELP stroke_predictions_total Records predicted.\n"
      << "# TYPE stroke_predictions_total counter\n"
      << "stroke_predictions_total{model=\"" << Label(model_name_) << "\",model_version=\""
      << Label(model_version_) << "\"} " << predictions_.load() << "\n"
      << "# HELP stroke_http_logins_throttled_total Requests refused (429) after repeated failed logins.\n"
      << "# TYPE stroke_http_logins_throttled_total counter\n"
      << "stroke_http_logins_throttled_total " << logins_throttled_.load() << "\n";
  if (open_connections_) {
    out << "# HELP stroke_http_open_connections Client connections open now.\n"
        << "# TYPE stroke_http_open_connections gauge\n"
        << "stroke_http_open_connections " << open_connections_() << "\n";
  }
  std::lock_guard<std::mutex> lock(mutex_);
  out << "# HELP stroke_http_compression_seconds_total Time spent compressing answers.\n"
      << "# TYPE stroke_http_compression_seconds_total counter\n"
      << "stroke_http_compression_seconds_total " << FormatNumber(compression_seconds_) << "\n"
      << "# HELP stroke_http_compressed_answers_total Answers compressed on the fly (gzip level 1).\n"
      << "# TYPE stroke_http_compressed_answers_total counter\n"
      << "stroke_http_compressed_answers_total " << compressions_ << "\n";
  out << "# HELP stroke_http_requests_total HTTP requests by route template, method and status code.\n"
      << "# TYPE stroke_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, code] = key;
    out << "stroke_http_requests_total{route=\"" << Label(route) << "\",method=\"" << Label(method)
        << "\",code=\"" << code << "\"} " << count << "\n";
  }
  out << "# HELP stroke_http_request_duration_seconds Time to answer a request, by route template.\n"
      << "# TYPE stroke_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    uint64_t cumulative = 0;
    const std::string name = "stroke_http_request_duration_seconds";
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += h.counts[b];
      out << name << "_bucket{route=\"" << Label(route) << "\",le=\"" << FormatNumber(kBuckets[b]) << "\"} "
          << cumulative << "\n";
    }
    out << name << "_bucket{route=\"" << Label(route) << "\",le=\"+Inf\"} " << h.count << "\n"
        << name << "_sum{route=\"" << Label(route) << "\"} " << FormatNumber(h.sum) << "\n"
        << name << "_count{route=\"" << Label(route) << "\"} " << h.count << "\n";
  }
  return out.str();
}

}  // namespace stroke::apps
