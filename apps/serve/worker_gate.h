// WorkerGate: how many of ConnectionLoop's workers run its epoll loop at
// once. With every worker waiting in epoll_wait, each request woke a sleeping
// worker while a busy one was about to finish (measured on 2 cores: 1.7
// context switches per request with 64 workers, 0.6 with 2, 0.3 with 4). So
// only `active_target` workers run the loop (ConnectionLoop: four per core);
// the others are parked. A worker that has been answering one event for more than
// kBlockedAfter (a handler waiting on a lock, a disk, a held test hook) is
// replaced: Watch() lets one parked worker run per such worker, and once
// they are done the extra workers park again after their current event.
// A request therefore waits for a blocked handler at most about
// kBlockedAfter plus the watch interval (100 ms when no worker was busy at
// the previous watch), never for a slow client (workers never wait for one).
//
//   WorkerGate gate(workers, 4 * cores);
//   // worker i:  while (gate.Admit(i)) { epoll_wait(...); gate.Begin(i); ...; gate.End(i); }
//   // Run():     bool busy = gate.Watch();  // every 2 ms while busy, else every 100 ms
//   // stopping:  gate.Exit();
//
// Thread safety: Admit, Begin and End are worker `i`'s own; Watch and Exit
// are safe from any thread.
#ifndef STROKE_APPS_SERVE_WORKER_GATE_H_
#define STROKE_APPS_SERVE_WORKER_GATE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace stroke::apps {

class WorkerGate {
 public:
  // A worker answering one event for longer than this is replaced.
  static constexpr std::chrono::milliseconds kBlockedAfter{2};
  // How often to Watch() while a worker is busy.
  static constexpr std::chrono::milliseconds kWatchInterval{2};

  // `workers` threads, of which min(workers, max(1, active_target)) run at once.
  WorkerGate(int workers, int active_target);

  // Before each epoll_wait of worker `worker`: parks it while more workers run
  // than are allowed. False once Exit() was called: the worker returns.
  bool Admit(int worker);
  // Worker `worker` handles an event (Begin) and is done with it (End).
  void Begin(int worker);
  void End(int worker);
  // Allows active_target workers plus one per worker blocked in an event,
  // waking parked ones as needed. Returns true if some worker is busy now.
  bool Watch();
  // Admit returns false from now on; parked workers wake to see it.
  void Exit();

 private:
  const int workers_;
  const int active_target_;
  std::unique_ptr<std::atomic<int64_t>[]> busy_since_;  // steady-clock ns when the current event began; 0: none
  std::atomic<int> running_;  // workers not parked
  std::atomic<int> allowed_;  // workers allowed to run
  std::atomic<bool> exiting_{false};
  std::mutex park_mutex_;  // held to park, to change allowed_ upwards, and to exit
  std::condition_variable parked_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_WORKER_GATE_H_
