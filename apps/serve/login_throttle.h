// LoginThrottle: slows down online password guessing and keeps the password
// hash (milliseconds of CPU by design) from being used to burn the CPU. A
// client address that failed to log in `max_failures` times within
// `window` gets 429 with Retry-After until that window has passed.
#ifndef STROKE_APPS_SERVE_LOGIN_THROTTLE_H_
#define STROKE_APPS_SERVE_LOGIN_THROTTLE_H_

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace stroke::apps {

class LoginThrottle {
 public:
  // max_failures 0: never throttles.
  LoginThrottle(int max_failures, std::chrono::seconds window) : max_failures_(max_failures), window_(window) {}

  // Whole seconds `client` must wait before trying again (>= 1), or 0 if it
  // may try now. Thread-safe.
  int RetryAfter(const std::string& client);
  // Counts a failed login of `client`.
  void Failed(const std::string& client);
  // Forgets the failures of `client` (it proved who it is).
  void Succeeded(const std::string& client);

 private:
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point first;  // of the current window
  };
  static constexpr size_t kMaxClients = 100000;  // addresses remembered at most

  const int max_failures_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, Failures> clients_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_LOGIN_THROTTLE_H_
