// What stroke-serve remembers of its predictions and errors: a bounded
// in-memory ring (GET /logs, newest first) and, optionally, an append-only
// audit file with one JSON line per prediction.
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
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "model_json.h"
#include "stroke/status.h"

namespace stroke::apps {

struct LogEntry {
  std::string timestamp;  // ISO 8601, UTC, milliseconds
  std::string level;      // INFO, WARNING, ERROR
  std::string message;
  std::string data;       // JSON text (one line), rendered when the entry was added
};

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
  explicit EventLog(size_t capacity) : capacity_(capacity) {}

  // Opens `path` for appending audit lines. kIoError if it cannot.
  Status OpenAudit(const std::string& path, bool fsync_each_line);

  void Add(std::string level, std::string message, const Json& data) {
    AddRendered(std::move(level), std::move(message), JsonText(data));
  }
  // `data`: JSON text (one line), e.g. built with JsonObjectText from parts
  // the request rendered anyway.
  void AddRendered(std::string level, std::string message, std::string data);
  // True when an audit file is open (callers skip building lines otherwise).
  bool auditing() const { return audit_.is_open(); }
  // One line of JSON text (JsonText, JsonObjectText) in the audit file (if
  // open). Returns false if writing failed.
  bool Audit(std::string_view line);
  void FlushAudit() { audit_.Sync(); }
  // Reopens the audit file (SIGHUP after logrotate).
  Status ReopenAudit() { return audit_.Reopen(); }

  struct Page {
    size_t total = 0;  // entries matching the level filter
    std::vector<LogEntry> entries;
  };
  // Newest first; `level` "" matches all.
  Page Read(size_t limit, size_t offset, const std::string& level) const;
  Json Stats() const;
  // Removes every entry; returns how many there were.
  size_t Clear();

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<LogEntry> entries_;  // newest at the front
  LogFile audit_;
  std::atomic<uint64_t> audit_lines_{0};
  std::atomic<uint64_t> audit_failures_{0};
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_EVENT_LOG_H_
