#include "worker_gate.h"

#include <algorithm>

namespace stroke::apps {
namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WorkerGate::WorkerGate(int workers, int active_target)
    : workers_(std::max(1, workers)), active_target_(std::clamp(active_target, 1, workers_)),
      busy_since_(new std::atomic<int64_t>[static_cast<size_t>(workers_)]), running_(workers_),
      allowed_(active_target_) {
  for (int i = 0; i < workers_; ++i) busy_since_[i].store(0);
}

bool WorkerGate::Admit(int /*worker*/) {
  if (running_.load(std::memory_order_relaxed) <= allowed_.load(std::memory_order_relaxed)) return !exiting_;
  std::unique_lock<std::mutex> lock(park_mutex_);
  if (running_ <= allowed_ || exiting_) return !exiting_;  // another worker has parked meanwhile
  --running_;
  parked_.wait(lock, [this] { return exiting_ || running_ < allowed_; });
  ++running_;
  return !exiting_;
}

void WorkerGate::Begin(int worker) { busy_since_[worker].store(NowNanos(), std::memory_order_relaxed); }

void WorkerGate::End(int worker) { busy_since_[worker].store(0, std::memory_order_relaxed); }

bool WorkerGate::Watch() {
  const int64_t now = NowNanos();
  const int64_t blocked_after = std::chrono::nanoseconds(kBlockedAfter).count();
  int busy = 0, blocked = 0;
  for (int i = 0; i < workers_; ++i) {
    const int64_t since = busy_since_[i].load(std::memory_order_relaxed);
    if (since == 0) continue;
    ++busy;
    if (now - since > blocked_after) ++blocked;
  }
  const int allowed = std::min(workers_, active_target_ + blocked);
  const int before = allowed_;
  if (allowed > before) {  // rare: only when handlers block
    std::lock_guard<std::mutex> lock(park_mutex_);
    allowed_ = allowed;
    for (int i = before; i < allowed; ++i) parked_.notify_one();
  } else {
    allowed_ = allowed;  // the extra workers park after their current event
  }
  return busy > 0;
}

void WorkerGate::Exit() {
  std::lock_guard<std::mutex> lock(park_mutex_);
  exiting_ = true;
  parked_.notify_all();
}

}  // namespace stroke::apps
