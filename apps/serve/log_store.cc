#include "log_store.h"

namespace stroke::apps {

void LogPageBuilder::Offer(const LogEntry& entry) {
  if (!level_.empty() && entry.level != level_) return;
  if (page_.total >= offset_ && !full()) page_.entries.push_back(entry);
  ++page_.total;
}

void LogStatsBuilder::Offer(const LogEntry& entry) {
  if (total_++ == 0) newest_ = entry.timestamp;
  oldest_ = entry.timestamp;
  ++by_level_[entry.level];
}

Json LogStatsBuilder::Finish(const char* store, size_t capacity) const {
  Json levels = Json::object();
  for (const auto& [level, count] : by_level_) levels[level] = count;
  return {{"store", store},
          {"total", total_},
          {"capacity", capacity},
          {"by_level", levels},
          {"oldest", total_ == 0 ? Json() : Json(oldest_)},
          {"newest", total_ == 0 ? Json() : Json(newest_)}};
}

void MemoryLogStore::Append(LogEntry entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.push_front(std::move(entry));
  if (entries_.size() > capacity_) entries_.pop_back();
}

StatusOr<LogPage> MemoryLogStore::Read(size_t limit, size_t offset, const std::string& level) const {
  LogPageBuilder page(limit, offset, level);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const LogEntry& e : entries_) page.Offer(e);
  return std::move(page.page());
}

StatusOr<Json> MemoryLogStore::Stats() const {
  LogStatsBuilder stats;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const LogEntry& e : entries_) stats.Offer(e);
  return stats.Finish(kind(), capacity_);
}

StatusOr<size_t> MemoryLogStore::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t n = entries_.size();
  entries_.clear();
  return n;
}

Json LogStoreHealthJson(const LogStore& store) {
  const LogStoreHealth health = store.Health();
  Json json = {{"kind", store.kind()}, {"state", health.up ? "ok" : "degraded"}};
  if (!health.up) json["reason"] = health.reason;
  return json;
}

}  // namespace stroke::apps
