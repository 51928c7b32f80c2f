#include "redis_log_store.h"

#include <fmt/format.h>
#include <hiredis.h>

#include <algorithm>
#include <iterator>

namespace stroke::apps {
namespace {

using namespace std::chrono_literals;

constexpr size_t kBatch = 256;                  // events pipelined in one round trip
constexpr size_t kChunk = 500;                  // entries read per XREVRANGE
constexpr auto kFirstBackoff = 50ms;            // then doubling to max_backoff
constexpr auto kIdlePing = 1s;                  // an idle writer checks its connection
constexpr auto kReaderRetry = 250ms;            // a failed reader connects again after

std::string_view Text(const redisReply& reply) {
  const bool text = reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS;
  return text ? std::string_view(reply.str, reply.len) : std::string_view();
}

// A stream entry's fields as a LogEntry: missing fields "", data that is not
// JSON (someone else's entry) as a JSON string, so that /logs stays JSON.
LogEntry EntryOf(const redisReply& fields) {
  LogEntry entry;
  bool has_data = false;
  for (size_t i = 0; fields.type == REDIS_REPLY_ARRAY && i + 1 < fields.elements; i += 2) {
    const std::string_view name = Text(*fields.element[i]), value = Text(*fields.element[i + 1]);
    if (name == "timestamp") entry.timestamp = value;
    if (name == "level") entry.level = value;
    if (name == "message") entry.message = value;
    if (name == "data") {
      entry.data = Json::accept(value) ? std::string(value) : JsonText(Json(value));
      has_data = true;
    }
  }
  if (!has_data) entry.data = "null";
  return entry;
}

}  // namespace

RedisLogStore::RedisLogStore(RedisLogStoreOptions options)
    : options_(std::move(options)),
      capacity_text_(std::to_string(options_.capacity)),
      reader_(options_.address, options_.connect_timeout, options_.read_timeout),
      writer_([this] { WriterLoop(); }) {}

RedisLogStore::~RedisLogStore() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
    stop_by_ = Clock::now() + options_.shutdown_grace;
  }
  wake_.notify_one();
  writer_.join();
}

void RedisLogStore::Append(LogEntry entry) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (queue_.size() >= options_.queue_capacity || stopping_) {
      lost_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.push_back(std::move(entry));
    ++appended_;
    wake = writer_sleeps_;
  }
  if (wake) wake_.notify_one();
}

void RedisLogStore::WriterLoop() {
  RedisConnection redis(options_.address, options_.connect_timeout, options_.write_timeout);
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  Clock::time_point next_attempt = Clock::now();
  std::vector<LogEntry> batch;
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      writer_sleeps_ = true;
      wake_.wait_until(lock, redis.connected() ? Clock::now() + kIdlePing : next_attempt,
                       [this] { return stopping_ || !queue_.empty(); });
      writer_sleeps_ = false;
      if (stopping_ && (queue_.empty() || !redis.connected() || Clock::now() >= stop_by_)) {
        const size_t dropped = queue_.size();
        queue_.clear();
        done_ += dropped;
        lock.unlock();
        lost_.fetch_add(dropped);
        drained_.notify_all();
        return;
      }
      stopping = stopping_;
      const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), kBatch));
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
    }
    if (redis.connected() && !redis.Alive()) next_attempt = Clock::now();  // Redis went away while idle: try at once
    if (!redis.connected() && !stopping && Clock::now() >= next_attempt) {
      const Status connected = redis.Connect();
      SetState(connected.ok(), connected.ok() ? "" : "unreachable: " + connected.message());
      next_attempt = Clock::now() + backoff;
      backoff = connected.ok() ? std::chrono::milliseconds(kFirstBackoff) : std::min(backoff * 2, options_.max_backoff);
    }
    if (!redis.connected()) {
      lost_.fetch_add(batch.size());  // the state says why
    } else if (batch.empty()) {
      StatusOr<RedisReply> pong = redis.Command({"PING"});
      if (!pong.ok()) SetState(false, "unreachable: " + pong.status().message());
    } else {
      Write(redis, batch);
    }
    if (!redis.connected()) next_attempt = std::min(next_attempt, Clock::now() + kFirstBackoff);
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      done_ += batch.size();
    }
    drained_.notify_all();
    batch.clear();
  }
}

void RedisLogStore::Write(RedisConnection& redis, const std::vector<LogEntry>& batch) {
  size_t queued = 0;
  for (const LogEntry& e : batch) {
    const Status s = redis.Append({"XADD", options_.key, "MAXLEN", "~", capacity_text_, "*", "timestamp", e.timestamp,
                                   "level", e.level, "message", e.message, "data", e.data});
    if (!s.ok()) break;
    ++queued;
  }
  size_t kept = 0;
  std::string refusal, failure;
  for (size_t i = 0; i < queued && failure.empty(); ++i) {
    StatusOr<RedisReply> reply = redis.Reply();
    if (!reply.ok()) {
      failure = "unreachable: " + reply.status().message();
    } else if (IsRedisError(**reply)) {
      refusal = "Redis refused an event: " + RedisErrorText(**reply);
    } else {
      ++kept;
    }
  }
  if (failure.empty() && queued < batch.size()) failure = "cannot send to Redis";
  lost_.fetch_add(batch.size() - kept);
  const std::string reason = !failure.empty() ? failure : refusal;
  SetState(reason.empty(), reason);
}

void RedisLogStore::SetState(bool up, const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (up_ == up && reason_ == reason) return;
    up_ = up;
    reason_ = reason;
  }
  if (options_.report) {
    options_.report(fmt::format("log store {} key \"{}\": {}", options_.address.Url(), options_.key,
                                up ? "connected, events are kept" : reason + "; events are dropped and counted"));
  }
}

LogStoreHealth RedisLogStore::Health() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return {up_, lost_.load(), reason_};
}

bool RedisLogStore::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(queue_mutex_);
  const uint64_t target = appended_;
  return drained_.wait_for(lock, timeout, [&] { return done_ >= target; });
}

Status RedisLogStore::Unavailable(const std::string& reason) const {
  return IoError(fmt::format("log store {} key \"{}\": {}", options_.address.Url(), options_.key, reason));
}

Status RedisLogStore::Reader() const {
  if (reader_.Alive()) return Status::Ok();
  if (!reader_failure_.empty() && Clock::now() - reader_failed_at_ < kReaderRetry) return Unavailable(reader_failure_);
  const Status s = reader_.Connect();
  reader_failure_ = s.ok() ? "" : s.message();
  reader_failed_at_ = Clock::now();
  return s.ok() ? s : Unavailable(s.message());
}

Status RedisLogStore::Scan(size_t chunk, const std::function<bool(const LogEntry&)>& offer) const {
  const std::string count = std::to_string(chunk);
  std::string end = "+";
  for (;;) {
    StatusOr<RedisReply> reply = reader_.Command({"XREVRANGE", options_.key, end, "-", "COUNT", count});
    if (!reply.ok()) return Unavailable(reply.status().message());
    const redisReply& items = **reply;
    if (IsRedisError(items)) return Unavailable(RedisErrorText(items));
    if (items.type != REDIS_REPLY_ARRAY) return Unavailable("XREVRANGE did not answer an array");
    for (size_t i = 0; i < items.elements; ++i) {
      const redisReply& item = *items.element[i];
      if (item.type != REDIS_REPLY_ARRAY || item.elements != 2 || Text(*item.element[0]).empty()) {
        return Unavailable("XREVRANGE answered an entry without an id");
      }
      end = "(" + std::string(Text(*item.element[0]));
      if (!offer(EntryOf(*item.element[1]))) return Status::Ok();
    }
    if (items.elements < chunk) return Status::Ok();
  }
}

StatusOr<LogPage> RedisLogStore::Read(size_t limit, size_t offset, const std::string& level) const {
  LogPageBuilder page(limit, offset, level);
  std::lock_guard<std::mutex> lock(read_mutex_);
  if (Status s = Reader(); !s.ok()) return s;
  // Without a filter the page is all that is read, and XLEN is the total.
  const size_t chunk = level.empty() ? std::clamp<size_t>(offset + limit, 1, kChunk) : kChunk;
  Status scanned = Scan(chunk, [&](const LogEntry& e) {
    page.Offer(e);
    return !(level.empty() && page.full());
  });
  if (!scanned.ok()) return scanned;
  if (level.empty()) {
    StatusOr<RedisReply> length = reader_.Command({"XLEN", options_.key});
    if (!length.ok()) return Unavailable(length.status().message());
    if (IsRedisError(**length)) return Unavailable(RedisErrorText(**length));
    page.page().total = std::max(page.page().total, static_cast<size_t>((*length)->integer));
  }
  return std::move(page.page());
}

StatusOr<Json> RedisLogStore::Stats() const {
  LogStatsBuilder stats;
  {
    std::lock_guard<std::mutex> lock(read_mutex_);
    if (Status s = Reader(); !s.ok()) return s;
    Status scanned = Scan(kChunk, [&](const LogEntry& e) {
      stats.Offer(e);
      return true;
    });
    if (!scanned.ok()) return scanned;
  }
  Json json = stats.Finish(kind(), options_.capacity);
  json["key"] = options_.key;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    json["queued"] = queue_.size();
  }
  json["lost"] = lost_.load();
  return json;
}

StatusOr<size_t> RedisLogStore::Clear() {
  std::lock_guard<std::mutex> lock(read_mutex_);
  if (Status s = Reader(); !s.ok()) return s;
  // One transaction: the count is of what DEL removed. XLEN of a key that is
  // not a stream fails inside EXEC (0 entries) and DEL still removes it.
  Status queued = reader_.Append({"MULTI"});
  if (queued.ok()) queued = reader_.Append({"XLEN", options_.key});
  if (queued.ok()) queued = reader_.Append({"DEL", options_.key});
  if (queued.ok()) queued = reader_.Append({"EXEC"});
  if (!queued.ok()) return Unavailable(queued.message());
  StatusOr<RedisReply> reply = IoError("");
  std::string refusal;
  for (int i = 0; i < 4; ++i) {  // every reply read, so that the connection stays in step
    reply = reader_.Reply();
    if (!reply.ok()) return Unavailable(reply.status().message());
    if (IsRedisError(**reply) && refusal.empty()) refusal = RedisErrorText(**reply);
  }
  if (!refusal.empty()) return Unavailable(refusal);
  const redisReply& exec = **reply;
  if (exec.type != REDIS_REPLY_ARRAY || exec.elements != 2) return Unavailable("EXEC did not answer two replies");
  return exec.element[0]->type == REDIS_REPLY_INTEGER ? static_cast<size_t>(exec.element[0]->integer) : 0;
}

}  // namespace stroke::apps
