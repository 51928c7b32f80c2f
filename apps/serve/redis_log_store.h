// RedisLogStore: stroke-serve's recent events in a Redis stream, so that they
// outlive a restart and every replica reads the same ones
// (--log-store redis://HOST:PORT[/DB], --log-store-key).
//
// Each event is one stream entry {timestamp, level, message, data}, added with
// XADD key MAXLEN ~ capacity (Redis trims whole nodes: the stream may hold up
// to ~100 entries more). Reads are XREVRANGE, XLEN; Clear is DEL.
//
// A prediction never waits on Redis: Append puts the event in a bounded queue
// that one writer thread sends, in pipelined batches, over its own
// connection. When the queue is full or Redis cannot be reached (or refuses
// the entry: WRONGTYPE, OOM), the event is dropped and counted
// (Health().lost); the writer reconnects with backoff (50 ms doubling to
// max_backoff) and pings an idle connection, so Health() follows Redis within
// about a second. Reads (GET /logs) use a second connection under a mutex,
// with short timeouts; when Redis is down they fail (503), they never hang.
//
//   RedisLogStoreOptions options;
//   options.address = *ParseRedisUrl("redis://127.0.0.1:6379");
//   RedisLogStore store(options);          // starts the writer; does not wait for Redis
//   store.Append({NowIso8601(), "INFO", "prediction", "{}"});
#ifndef STROKE_APPS_SERVE_REDIS_LOG_STORE_H_
#define STROKE_APPS_SERVE_REDIS_LOG_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log_store.h"
#include "redis_connection.h"

namespace stroke::apps {

struct RedisLogStoreOptions {
  RedisAddress address;
  std::string key = "stroke:logs";  // the stream's key
  size_t capacity = 1000;           // MAXLEN ~ of the stream (--log-capacity)
  size_t queue_capacity = 10000;    // events waiting for the writer; more are dropped and counted
  std::chrono::milliseconds connect_timeout{500};  // each connection attempt (plus name lookup)
  std::chrono::milliseconds write_timeout{1000};   // each read or write of the writer
  std::chrono::milliseconds read_timeout{500};     // each read or write of GET /logs and friends
  std::chrono::milliseconds max_backoff{1000};     // between reconnection attempts
  // On destruction: how long the writer may go on sending what is queued,
  // then the rest is dropped. Destruction takes at most about
  // shutdown_grace + write_timeout (+ connect_timeout if it was connecting).
  std::chrono::milliseconds shutdown_grace{1000};
  // Told of each change of state ("connected", "unreachable: ..."), from the
  // writer thread; may be empty.
  std::function<void(const std::string&)> report;
};

class RedisLogStore : public LogStore {
 public:
  // Starts the writer thread, which connects at once.
  explicit RedisLogStore(RedisLogStoreOptions options);
  // Stops the writer: sends what is queued for at most shutdown_grace, drops
  // (and counts) the rest, joins.
  ~RedisLogStore() override;
  RedisLogStore(const RedisLogStore&) = delete;
  RedisLogStore& operator=(const RedisLogStore&) = delete;

  // A mutex, a queue push, and a wake-up only when the writer sleeps.
  void Append(LogEntry entry) override;
  // XLEN and XREVRANGE in chunks (with a level filter the whole stream is
  // scanned to count its matches). An entry written by someone else is read
  // as far as it fits: missing fields are "", a data field that is not JSON
  // becomes a JSON string.
  StatusOr<LogPage> Read(size_t limit, size_t offset, const std::string& level) const override;
  // Scans the whole stream; adds "key", "queued" (events waiting for the
  // writer) and "lost" (LogStoreHealth::lost).
  StatusOr<Json> Stats() const override;
  // DEL of the key, whatever it holds (the key is the store's).
  StatusOr<size_t> Clear() override;
  const char* kind() const override { return "redis"; }
  LogStoreHealth Health() const override;

  // Waits until every event appended before the call was sent (or dropped),
  // at most `timeout`; false if time ran out. For tests.
  bool Flush(std::chrono::milliseconds timeout);

 private:
  using Clock = std::chrono::steady_clock;
  void WriterLoop();
  // Sends `batch` pipelined over `redis`; counts what Redis did not take.
  void Write(RedisConnection& redis, const std::vector<LogEntry>& batch);
  void SetState(bool up, const std::string& reason);
  // Calls `offer` with each entry, newest first, until it returns false:
  // XREVRANGE in chunks of `chunk` entries over the reader connection
  // (read_mutex_ held).
  Status Scan(size_t chunk, const std::function<bool(const LogEntry&)>& offer) const;
  // kIoError naming the store (its URL and key) and `reason`.
  Status Unavailable(const std::string& reason) const;
  // The reader connection, connected; kIoError when Redis cannot be reached
  // (at most one attempt per 250 ms: a down Redis answers at once).
  Status Reader() const;

  const RedisLogStoreOptions options_;
  const std::string capacity_text_;

  // The queue, between Append and the writer.
  mutable std::mutex queue_mutex_;
  std::condition_variable wake_;     // the writer: events, or stopping
  std::condition_variable drained_;  // Flush: the writer took a batch and sent it
  std::deque<LogEntry> queue_;
  uint64_t appended_ = 0, done_ = 0;  // events queued, and sent or dropped, since start
  bool writer_sleeps_ = false;
  bool stopping_ = false;
  Clock::time_point stop_by_;

  mutable std::mutex state_mutex_;
  bool up_ = false;
  std::string reason_ = "connecting";
  std::atomic<uint64_t> lost_{0};

  mutable std::mutex read_mutex_;  // the reader connection and its last failure
  mutable RedisConnection reader_;
  mutable Clock::time_point reader_failed_at_{};
  mutable std::string reader_failure_;

  std::thread writer_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_REDIS_LOG_STORE_H_
