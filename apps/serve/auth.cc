#include "auth.h"

#include <crypt.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <future>

#include "stroke/cpus.h"

namespace stroke::apps {
namespace {

constexpr auto kCacheTtl = std::chrono::seconds(60);
constexpr size_t kCacheMax = 10000;

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Hex(digest, sizeof digest);
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Crypt(const std::string& password, const std::string& setting) {
  struct crypt_data data {};
  const char* out = crypt_r(password.c_str(), setting.c_str(), &data);
  return out == nullptr || out[0] == '*' ? "" : out;
}

bool KnownScheme(const std::string& hash) {
  for (const char* prefix : {"$2b$", "$2y$", "$2a$", "$y$", "$gy$", "$7$"}) {
    if (hash.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n));
  return bytes;
}

template <typename LineFn>
Status ReadLines(const std::string& path, LineFn on_line) {
  std::ifstream file(path);
  if (!file) return IoError("cannot open \"" + path + "\"");
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return InvalidInputError(fmt::format("{}:{}: expected \"name:hash\"", path, number));
    }
    Status s = on_line(fmt::format("{}:{}", path, number), line.substr(0, colon), line.substr(colon + 1));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Authenticator::Authenticator()
    : cache_key_(RandomBytes(32)),
      hashing_(std::clamp<std::ptrdiff_t>(stroke::AvailableCpus() / 2, 1, 256)) {}

Status Authenticator::LoadUsers(const std::string& path) {
  return ReadLines(path, [&](const std::string& where, const std::string& user, const std::string& hash) {
    if (!KnownScheme(hash)) {
      return InvalidInputError(fmt::format(
          "{0}: user \"{1}\" has no bcrypt or yescrypt hash (plaintext passwords are refused); "
          "write the line with `htpasswd -B -n {1}` or `stroke-serve passwd {1}`",
          where, user));
    }
    users_[user] = hash;
    // Unknown users are checked against a real hash: the same cost, never a match.
    if (dummy_hash_.empty()) dummy_hash_ = hash;
    return Status::Ok();
  });
}

Status Authenticator::LoadApiKeys(const std::string& path) {
  return ReadLines(path, [&](const std::string& where, const std::string& name, const std::string& hash) {
    if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return InvalidInputError(fmt::format(
          "{0}: key \"{1}\" must be stored as its SHA-256 in lowercase hex (`stroke-serve apikey {1}` writes the line)",
          where, name));
    }
    keys_.emplace_back(name, hash);
    return Status::Ok();
  });
}

std::string Authenticator::Verify(const std::string& header, bool cached_only) {
  if (header.empty()) return "";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), cache_key_.data(), static_cast<int>(cache_key_.size()),
       reinterpret_cast<const unsigned char*>(header.data()), header.size(), mac, &mac_size);
  const std::string cache_key(reinterpret_cast<const char*>(mac), mac_size);
  // One verification per credential at a time: the first request runs
  // crypt_r, the others presenting the same header wait for its result.
  std::promise<std::string> result;
  std::shared_future<std::string> pending;
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && it->second.second > std::chrono::steady_clock::now()) return it->second.first;
    if (cached_only) return "";
    auto running = in_flight_.find(cache_key);
    if (running != in_flight_.end()) {
      pending = running->second;
    } else {
      in_flight_.emplace(cache_key, result.get_future().share());
    }
  }
  if (pending.valid()) return pending.get();
  std::string who;
  // RFC 9110 §11.1: the scheme is case-insensitive; one or more spaces follow it.
  const size_t space = header.find(' ');
  const std::string scheme = Lower(header.substr(0, space));
  const size_t start = space == std::string::npos ? header.size() : header.find_first_not_of(' ', space);
  const std::string credentials = start == std::string::npos ? "" : header.substr(start);
  if (scheme == "basic") who = VerifyBasic(credentials);
  if (scheme == "bearer") who = VerifyBearer(credentials);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (!who.empty()) {
      if (cache_.size() >= kCacheMax) cache_.clear();
      cache_[cache_key] = {who, std::chrono::steady_clock::now() + kCacheTtl};
    }
    in_flight_.erase(cache_key);
  }
  result.set_value(who);
  return who;
}

std::string Authenticator::VerifyBasic(const std::string& encoded) {
  if (encoded.size() > 1024) return "";
  std::string decoded(encoded.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(encoded.data()),
                                static_cast<int>(encoded.size()));
  if (n < 0) return "";
  decoded.resize(static_cast<size_t>(n));
  // EVP_DecodeBlock keeps the zero bytes that stand for "=" padding.
  size_t padding = 0;
  for (size_t i = encoded.size(); i > 0 && encoded[i - 1] == '='; --i) ++padding;
  decoded.resize(decoded.size() - std::min(padding, decoded.size()));
  const size_t colon = decoded.find(':');
  // crypt_r reads a C string: a NUL would cut the password short.
  if (colon == std::string::npos || decoded.find('\0') != std::string::npos) return "";
  const std::string user = decoded.substr(0, colon);
  auto it = users_.find(user);
  const std::string& hash = it == users_.end() ? dummy_hash_ : it->second;
  ++hashes_computed_;
  hashing_.acquire();  // at most half the cores hash: the others keep predicting
  const bool match = ConstantTimeEqual(Crypt(decoded.substr(colon + 1), hash), hash);
  hashing_.release();
  return match && it != users_.end() ? user : "";
}

std::string Authenticator::VerifyBearer(const std::string& key) const {
  for (char c : key) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return "";  // no key holds spaces or control bytes
  }
  const std::string digest = Sha256Hex(key);
  std::string who;
  for (const auto& [name, hash] : keys_) {
    if (ConstantTimeEqual(digest, hash)) who = name;  // no early exit: same time for every key
  }
  return who;
}

std::string HashPassword(const std::string& password, int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof setting) == nullptr) return "";
  return Crypt(password, setting);
}

std::pair<std::string, std::string> NewApiKey(const std::string& name) {
  const std::string raw = RandomBytes(24);
  const std::string key = Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  return {key, name + ":" + Sha256Hex(key)};
}

}  // namespace stroke::apps
