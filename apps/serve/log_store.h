// Where stroke-serve keeps its recent events (GET /logs): a LogStore. Two
// kinds answer the same shapes, so that a client cannot tell them apart:
// MemoryLogStore, a ring in this process (the default), and RedisLogStore
// (redis_log_store.h), a capped stream every replica shares.
//
//   MemoryLogStore store(1000);
//   store.Append({NowIso8601(), "INFO", "prediction", R"({"request_id":"r1"})"});
//   StatusOr<LogPage> page = store.Read(/*limit=*/20, /*offset=*/0, /*level=*/"");
#ifndef STROKE_APPS_SERVE_LOG_STORE_H_
#define STROKE_APPS_SERVE_LOG_STORE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "model_json.h"
#include "stroke/status.h"

namespace stroke::apps {

struct LogEntry {
  std::string timestamp;  // ISO 8601, UTC, milliseconds
  std::string level;      // INFO, WARNING, ERROR
  std::string message;
  std::string data;       // JSON text (one line), rendered when the entry was added
};

// One page of GET /logs.
struct LogPage {
  size_t total = 0;  // entries matching the level filter
  std::vector<LogEntry> entries;  // newest first
};

// What /readyz and /metrics say of a store.
struct LogStoreHealth {
  bool up = true;      // events are being kept
  uint64_t lost = 0;   // events dropped since start (never kept anywhere)
  std::string reason;  // why not up; "" when up
};

// A store of recent events, newest first. Every method is thread-safe.
class LogStore {
 public:
  virtual ~LogStore() = default;

  // Keeps `entry`. Never waits on I/O and never fails the caller: an event
  // that cannot be kept is dropped and counted (LogStoreHealth::lost).
  virtual void Append(LogEntry entry) = 0;
  // Entries newest first from `offset` (0-based), at most `limit`; `level`
  // "" matches all. kIoError naming the store when it cannot be read.
  virtual StatusOr<LogPage> Read(size_t limit, size_t offset, const std::string& level) const = 0;
  // {"store", "total", "capacity", "by_level": {level: count}, "oldest",
  // "newest"} (times as in LogEntry, null when empty), plus what the kind
  // adds. kIoError naming the store when it cannot be read.
  virtual StatusOr<Json> Stats() const = 0;
  // Removes every entry; returns how many there were. kIoError naming the store.
  virtual StatusOr<size_t> Clear() = 0;
  // "memory" or "redis".
  virtual const char* kind() const = 0;
  virtual LogStoreHealth Health() const = 0;
};

// Collects one LogPage from entries offered newest first (the level filter,
// the offset and the limit): the one paging rule of every store.
class LogPageBuilder {
 public:
  LogPageBuilder(size_t limit, size_t offset, const std::string& level) : limit_(limit), offset_(offset), level_(level) {}
  // Counts `entry` if it matches and keeps it if it falls on the page.
  void Offer(const LogEntry& entry);
  // Whether the page has all its entries (entries further on only count).
  bool full() const { return page_.entries.size() >= limit_; }
  LogPage& page() { return page_; }

 private:
  const size_t limit_, offset_;
  const std::string& level_;
  LogPage page_;
};

// Collects Stats' counts from entries offered newest first.
class LogStatsBuilder {
 public:
  void Offer(const LogEntry& entry);
  // The shape LogStore::Stats documents, for `store` (its kind) and `capacity`.
  Json Finish(const char* store, size_t capacity) const;

 private:
  size_t total_ = 0;
  std::map<std::string, size_t> by_level_;
  std::string oldest_, newest_;
};

// The ring in this process: the newest `capacity` events, gone on restart.
class MemoryLogStore : public LogStore {
 public:
  explicit MemoryLogStore(size_t capacity) : capacity_(capacity) {}

  void Append(LogEntry entry) override;
  StatusOr<LogPage> Read(size_t limit, size_t offset, const std::string& level) const override;
  StatusOr<Json> Stats() const override;
  StatusOr<size_t> Clear() override;
  const char* kind() const override { return "memory"; }
  LogStoreHealth Health() const override { return {}; }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<LogEntry> entries_;  // newest at the front
};

// {"kind", "state": "ok" | "degraded", "reason" (when degraded)}: /readyz's
// "log_store". Names no address (/readyz is open to anyone).
Json LogStoreHealthJson(const LogStore& store);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_LOG_STORE_H_
