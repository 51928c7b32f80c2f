// Who may call stroke-serve: users from an htpasswd file (bcrypt or yescrypt
// hashes, verified with libxcrypt's crypt_r) over HTTP Basic, and API keys
// stored as SHA-256 hashes over "Authorization: Bearer". Plaintext passwords
// are refused at load. Verified credentials are cached for a short time under
// an HMAC of the header (a per-process random key), never the password.
#ifndef STROKE_APPS_SERVE_AUTH_H_
#define STROKE_APPS_SERVE_AUTH_H_

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>
#include <string>
#include <vector>

#include "stroke/status.h"

namespace stroke::apps {

class Authenticator {
 public:
  // An authenticator that knows no one (Enabled() is false: no auth).
  Authenticator();

  // Reads "user:hash" lines (# comments and blank lines ignored). kInvalidInput
  // naming the line for a plaintext password or an unknown hash scheme.
  Status LoadUsers(const std::string& path);
  // Reads "name:sha256-hex-of-the-key" lines.
  Status LoadApiKeys(const std::string& path);
  void AddAdmin(const std::string& user) { admins_.insert(user); }

  // True once users or keys are loaded: protected routes then need credentials.
  bool Enabled() const { return !users_.empty() || !keys_.empty(); }
  size_t num_users() const { return users_.size(); }
  size_t num_keys() const { return keys_.size(); }

  // The user (or key name) an Authorization header proves, or "" if none.
  // Costs one crypt_r (milliseconds) the first time a header is seen, a hash
  // lookup afterwards; concurrent requests with the same header share one
  // crypt_r (the first one runs it, the others wait for its result).
  // `cached_only`: "" unless verified before (no hashing). Thread-safe.
  std::string Verify(const std::string& authorization_header, bool cached_only = false);
  bool IsAdmin(const std::string& user) const { return admins_.count(user) > 0; }
  // Password hashes computed so far (crypt_r calls), for tests and metrics.
  uint64_t hashes_computed() const { return hashes_computed_; }

 private:
  std::string VerifyBasic(const std::string& encoded);
  std::string VerifyBearer(const std::string& key) const;

  std::map<std::string, std::string> users_;  // user -> crypt hash
  std::vector<std::pair<std::string, std::string>> keys_;  // name -> sha256 hex
  std::set<std::string> admins_;
  std::string dummy_hash_;  // a loaded user's hash, checked for unknown users: the same cost
  std::string cache_key_;   // random, per process
  std::atomic<uint64_t> hashes_computed_{0};
  // Password hashes computed at once: half the cores (at least one), so a
  // flood of wrong passwords from many addresses leaves the other half to
  // the predictions.
  std::counting_semaphore<256> hashing_;
  std::mutex cache_mutex_;
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> cache_;
  std::map<std::string, std::shared_future<std::string>> in_flight_;  // verifications running now
};

// A bcrypt hash of `password` for an htpasswd line; "" on failure.
std::string HashPassword(const std::string& password, int cost = 12);
// A new random API key (hex) and the line "name:sha256" to store for it.
std::pair<std::string, std::string> NewApiKey(const std::string& name);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_AUTH_H_
