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

#include <cstdio>
#include <deque>
#include <mutex>
#include <string>

#include "model_json.h"
#include "stroke/status.h"

namespace stroke::apps {

struct LogEntry {
  std::string timestamp;  // ISO 8601, UTC, milliseconds
  std::string level;      // INFO, WARNING, ERROR
  std::string message;
  Json data;
};

// The current UTC time as 2026-11-24T10:05:47.123Z.
std::string NowIso8601();

class EventLog {
 public:
  explicit EventLog(size_t capacity) : capacity_(capacity) {}
  ~EventLog();

  // Opens `path` for appending audit lines. kIoError if it cannot.
  Status OpenAudit(const std::string& path, bool fsync_each_line);

  void Add(std::string level, std::string message, Json data);
  // True when an audit file is open (callers skip building lines otherwise).
  bool auditing() const { return audit_ != nullptr; }
  // One JSON line in the audit file (if open). Returns false if writing failed.
  bool Audit(const Json& line);
  void FlushAudit();

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
  std::FILE* audit_ = nullptr;
  bool fsync_ = false;
  uint64_t audit_lines_ = 0;
  uint64_t audit_failures_ = 0;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_EVENT_LOG_H_
