#include "event_log.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <map>

namespace stroke::apps {

std::string NowIso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return text;
}

EventLog::~EventLog() {
  if (audit_ != nullptr) std::fclose(audit_);
}

Status EventLog::OpenAudit(const std::string& path, bool fsync_each_line) {
  audit_ = std::fopen(path.c_str(), "a");
  if (audit_ == nullptr) return IoError("cannot open audit log \"" + path + "\" for appending");
  fsync_ = fsync_each_line;
  return Status::Ok();
}

void EventLog::Add(std::string level, std::string message, Json data) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.push_front({NowIso8601(), std::move(level), std::move(message), std::move(data)});
  if (entries_.size() > capacity_) entries_.pop_back();
}

bool EventLog::Audit(const Json& line) {
  if (audit_ == nullptr) return true;
  const std::string text = JsonText(line) + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  bool ok = std::fwrite(text.data(), 1, text.size(), audit_) == text.size() && std::fflush(audit_) == 0;
  if (ok && fsync_) ok = fsync(fileno(audit_)) == 0;
  ++(ok ? audit_lines_ : audit_failures_);
  return ok;
}

void EventLog::FlushAudit() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (audit_ != nullptr) {
    std::fflush(audit_);
    fsync(fileno(audit_));
  }
}

EventLog::Page EventLog::Read(size_t limit, size_t offset, const std::string& level) const {
  std::lock_guard<std::mutex> lock(mutex_);
  Page page;
  for (const LogEntry& e : entries_) {
    if (!level.empty() && e.level != level) continue;
    if (page.total >= offset && page.entries.size() < limit) page.entries.push_back(e);
    ++page.total;
  }
  return page;
}

Json EventLog::Stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, size_t> by_level;
  for (const LogEntry& e : entries_) ++by_level[e.level];
  Json levels = Json::object();
  for (const auto& [level, count] : by_level) levels[level] = count;
  return {{"total", entries_.size()},
          {"capacity", capacity_},
          {"by_level", levels},
          {"oldest", entries_.empty() ? Json() : Json(entries_.back().timestamp)},
          {"newest", entries_.empty() ? Json() : Json(entries_.front().timestamp)},
          {"audit_log", audit_ != nullptr},
          {"audit_lines_written", audit_lines_},
          {"audit_write_failures", audit_failures_}};
}

size_t EventLog::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t n = entries_.size();
  entries_.clear();
  return n;
}

}  // namespace stroke::apps
