// A small closed-loop HTTP load generator for stroke-serve (or any server
// with the stroke API): C connections each POST a patient to /prediction
// back to back for D seconds; prints requests/s and latency percentiles.
//
//   http_load [--port 8000] [--connections 8] [--seconds 5] [--path /prediction]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int port = 8000, connections = 8;
  double seconds = 5;
  std::string path = "/prediction";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--port")) port = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--connections")) connections = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--path")) path = argv[i + 1];
  }
  const std::string body =
      R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "ever_married": "Yes", )"
      R"("work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6, )"
      R"("smoking_status": "formerly smoked"})";
  std::atomic<long> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      while (std::chrono::steady_clock::now() < deadline) {
        const auto start = std::chrono::steady_clock::now();
        auto res = client.Post(path, body, "application/json");
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (!res || res->status != 200) {
          if (errors.fetch_add(1) < 3) {
            const double at = std::chrono::duration<double>(std::chrono::steady_clock::now() - (deadline - std::chrono::duration<double>(seconds))).count();
            std::fprintf(stderr, "error after %.3f s on connection %d: %s\n", at, c,
                         res ? std::to_string(res->status).c_str() : httplib::to_string(res.error()).c_str());
          }
        }
        latencies[static_cast<size_t>(c)].push_back(ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  std::printf("%d connections, %.0f s: %zu requests, %.0f req/s, p50 %.3f ms, p99 %.3f ms, errors %ld\n",
              connections, seconds, all.size(), all.size() / seconds, pct(0.5), pct(0.99), errors.load());
  return errors > 0 ? 1 : 0;
}
