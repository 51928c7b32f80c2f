#include "event_log.h"

#include <fmt/chrono.h>
#include <unistd.h>

#include <chrono>
#include <cmath>

namespace stroke::apps {

std::string NowIso8601() {
  using namespace std::chrono;
  const auto now = floor<milliseconds>(system_clock::now());
  const auto seconds = floor<std::chrono::seconds>(now);
  // fmt 9 formats a time_point in local time and without its milliseconds:
  // the date and time of the UTC std::tm, then the milliseconds.
  return fmt::format("{:%FT%T}.{:03}Z", fmt::gmtime(system_clock::to_time_t(seconds)), (now - seconds).count());
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
  return std::round(elapsed.count()) / 1000;
}

LogFile::~LogFile() {
  if (file_ != nullptr) std::fclose(file_);
}

Status LogFile::Open(const std::string& path, bool fsync_each_line) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) return IoError("cannot open \"" + path + "\" for appending");
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ != nullptr) std::fclose(file_);
  file_ = file;
  path_ = path;
  fsync_ = fsync_each_line;
  return Status::Ok();
}

bool LogFile::WriteLine(std::string_view line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ == nullptr) return false;
  bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fputc('\n', file_) != EOF &&
            std::fflush(file_) == 0;
  if (ok && fsync_) ok = fsync(fileno(file_)) == 0;
  return ok;
}

Status LogFile::Reopen() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ == nullptr) return Status::Ok();
  std::FILE* file = std::fopen(path_.c_str(), "a");
  if (file == nullptr) return IoError("cannot reopen \"" + path_ + "\" for appending (still writing the old file)");
  std::fflush(file_);
  fsync(fileno(file_));
  std::fclose(file_);
  file_ = file;
  return Status::Ok();
}

void LogFile::Sync() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ == nullptr) return;
  std::fflush(file_);
  fsync(fileno(file_));
}

Status EventLog::OpenAudit(const std::string& path, bool fsync_each_line) {
  Status s = audit_.Open(path, fsync_each_line);
  return s.ok() ? s : IoError("audit log: " + s.message());
}

void EventLog::AddRendered(std::string level, std::string message, std::string data) {
  store_->Append({NowIso8601(), std::move(level), std::move(message), std::move(data)});
}

bool EventLog::Audit(std::string_view line) {
  if (!audit_.is_open()) return true;
  const bool ok = audit_.WriteLine(line);
  ++(ok ? audit_lines_ : audit_failures_);
  return ok;
}

StatusOr<Json> EventLog::Stats() const {
  StatusOr<Json> stats = store_->Stats();
  if (!stats.ok()) return stats;
  (*stats)["audit_log"] = audit_.is_open();
  (*stats)["audit_lines_written"] = audit_lines_.load();
  (*stats)["audit_write_failures"] = audit_failures_.load();
  return stats;
}

}  // namespace stroke::apps
