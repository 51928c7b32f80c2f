#include "login_throttle.h"

namespace stroke::apps {

int LoginThrottle::RetryAfter(const std::string& client) {
  if (max_failures_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end() || it->second.count < max_failures_) return 0;
  const auto left = it->second.first + window_ - std::chrono::steady_clock::now();
  if (left <= std::chrono::steady_clock::duration::zero()) {
    clients_.erase(it);
    return 0;
  }
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(left).count()) + 1;
}

void LoginThrottle::Failed(const std::string& client) {
  if (max_failures_ <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  if (clients_.size() >= kMaxClients) {
    for (auto it = clients_.begin(); it != clients_.end();) {
      it = it->second.first + window_ < now ? clients_.erase(it) : std::next(it);
    }
  }
  if (clients_.size() >= kMaxClients) clients_.clear();  // a flood of addresses: start over
  Failures& f = clients_[client];
  if (f.count == 0 || f.first + window_ < now) f = Failures{0, now};
  ++f.count;
}

void LoginThrottle::Succeeded(const std::string& client) {
  if (max_failures_ <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  clients_.erase(client);
}

}  // namespace stroke::apps
