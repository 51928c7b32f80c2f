// What stroke-serve remembers of its predictions and errors: recent events
// (GET /logs, newest first) in a LogStore - a bounded ring in memory, or a
// Redis stream (log_store.h) - and, optionally, an append-only audit file with
// one JSON line per prediction.
//
// Durability: each audit line is written and flushed to the kernel before
// the response is sent, so it survives a crash of stroke-serve; a crash of
// the machine may lose the lines the kernel had not yet written to disk
// (--audit-fsync makes each line durable, at a cost per request).
#ifndef STROKE_APPS_SERVE_EVENT_LOG_H_
#define STROKE_APPS_SERVE_EVENT_LOG_H_

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "log_store.h"
#include "model_json.h"
#include "stroke/status.h"

namespace stroke::apps {

// The current UTC time as 2026-11-24T10:05:47.123Z.
std::string NowIso8601();

// Milliseconds since `start`, rounded to microseconds (0.529, not
// 0.5290819999999999): the durations in log lines.
double MillisecondsSince(std::chrono::steady_clock::time_point start);

// An append-only file of lines (the audit log, the access log) that can be
// reopened under the same path after logrotate moved it (SIGHUP). Each line
// is written and flushed to the kernel at once. Thread-safe.
class LogFile {
 public:
  LogFile() = default;
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  ~LogFile();

  // Opens `path` for appending. kIoError naming it if it cannot.
  Status Open(const std::string& path, bool fsync_each_line);
  bool is_open() const { return file_ != nullptr; }
  // Appends `line` and a newline; false if writing (or fsync) failed.
  bool WriteLine(std::string_view line);
  // Closes and opens the path again (a new file if it was moved away).
  // Keeps the old file open if the path cannot be opened. No-op when closed.
  Status Reopen();
  // Flushes and fsyncs.
  void Sync();

 private:
  mutable std::mutex mutex_;
  std::string path_;
  std::FILE* file_ = nullptr;
  bool fsync_ = false;
};

class EventLog {
 public:
  // Recent events in a MemoryLogStore of `capacity` entries.
  explicit EventLog(size_t capacity) : store_(std::make_unique<MemoryLogStore>(capacity)) {}
  // Keeps recent events in `store` from now on (not null). Before serving:
  // not thread-safe.
  void SetStore(std::unique_ptr<LogStore> store) { store_ = std::move(store); }
  // Where the recent events are (GET /logs reads it, DELETE /logs clears it).
  LogStore& store() const { return *store_; }

  // Opens `path` for appending audit lines. kIoError if it cannot.
  Status OpenAudit(const std::string& path, bool fsync_each_line);

  void Add(std::string level, std::string message, const Json& data) {
    AddRendered(std::move(level), std::move(message), JsonText(data));
  }
  // `data`: JSON text (one line), e.g. built with JsonObjectText from parts
  // the request rendered anyway. Stamped with NowIso8601() and appended to
  // the store (never waits on it).
  void AddRendered(std::string level, std::string message, std::string data);
  // True when an audit file is open (callers skip building lines otherwise).
  bool auditing() const { return audit_.is_open(); }
  // One line of JSON text (JsonText, JsonObjectText) in the audit file (if
  // open). Returns false if writing failed.
  bool Audit(std::string_view line);
  void FlushAudit() { audit_.Sync(); }
  // Reopens the audit file (SIGHUP after logrotate).
  Status ReopenAudit() { return audit_.Reopen(); }

  // The store's Stats plus {"audit_log", "audit_lines_written",
  // "audit_write_failures"}; the store's error when it cannot be read.
  StatusOr<Json> Stats() const;

 private:
  std::unique_ptr<LogStore> store_;
  LogFile audit_;
  std::atomic<uint64_t> audit_lines_{0};
  std::atomic<uint64_t> audit_failures_{0};
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_EVENT_LOG_H_
