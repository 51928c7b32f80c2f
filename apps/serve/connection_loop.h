// ConnectionLoop: stroke-serve's connections. The worker threads all wait in
// epoll_wait on one epoll set, where every connection is armed EPOLLONESHOT:
// the thread the kernel wakes for a connection reads what its socket holds
// (never waiting), answers each request complete in the buffer, and arms the
// connection again. No thread hands a request to another (the kernel wakes the
// most recently idle waiter, whose cache is warm; measured in
// docs/architecture.md: 0.3 context switches per request). A partial request
// stays in the connection's buffer and its thread goes back to epoll_wait: a
// slow or idle client costs a file descriptor, never a worker. The listening
// socket is armed the same way (one thread accepts at a time). Four workers per
// usable CPU (kActiveWorkersPerCore) run this loop; the other `threads` are parked and replace workers
// blocked in a handler (worker_gate.h). The thread that calls Run() keeps the
// deadlines (a sweep every 100 ms), watches the workers and drives the stop; it
// is not on a request's path.
//
//   ConnectionLoop loop(limits, threads, handle, refuse);
//   int port = loop.Bind("127.0.0.1", 0);
//   loop.Run();                             // on some thread, until Stop()
//
// What it guarantees (docs/http-api.md "Limits"):
// - headers within `header_timeout_ms` of a request's first byte and the
//   whole request within `request_timeout_ms`, else 408 and close;
// - at most `max_connections` open: a new connection first closes the
//   longest-idle keep-alive connection, then the slowest unfinished request;
// - a worker sends what the socket takes at once and leaves the rest of an
//   answer armed for EPOLLOUT (up to 256 MiB in all), so a client that does
//   not read holds no worker; the rest must be sent within `write_timeout_ms`;
// - connections end with a half-close (FIN), then what the client sends is
//   read until it closes (2 s at most), so no reset destroys an answer in flight;
// - Stop(): no new connections; idle ones closed; every request already
//   received is answered (with Connection: close); Run returns when the last
//   connection is closed and the workers have ended.
#ifndef STROKE_APPS_SERVE_CONNECTION_LOOP_H_
#define STROKE_APPS_SERVE_CONNECTION_LOOP_H_

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "request_framing.h"
#include "worker_gate.h"

namespace stroke::apps {

// Workers that run the epoll loop per CPU the process may use (AvailableCpus,
// stroke/cpus.h; worker_gate.h). Measured on 2 cores shared with wrk (POST
// /prediction, 5 paired rounds against the thread-per-connection server of
// before, docs/benchmarks.md): 4 per core
// had p99 0.80-0.99 ms at 8 connections (2 per core: 1.3-3.4 ms; 3 and 6:
// up to 1.9 and 9.1 ms) and the most requests/s at 8 and 64; 1 per core
// lost to 2. A worker preempted by another process leaves its core's
// others to answer; with too many, they preempt one another.
constexpr int kActiveWorkersPerCore = 4;

struct ConnectionLimits {
  int header_timeout_ms = 3000;      // request line and headers, from the request's first byte
  int request_timeout_ms = 10000;    // the whole request (headers and body), from its first byte
  int write_timeout_ms = 5000;       // the whole answer, once a worker writes it
  int keep_alive_timeout_ms = 5000;  // an idle connection between requests
  size_t keep_alive_max = 100;       // requests per connection, then Connection: close
  size_t max_connections = 1024;     // open at once; beyond it idle then slow ones are closed
  FramingLimits framing;
};

struct Connection;  // a socket, its buffered bytes and its state (connection_state.h)

class ConnectionLoop {
 public:
  // Answers one complete request read from `stream`; `must_close`: answer
  // with Connection: close. Returns true to keep the connection open.
  // Runs on a worker thread (on Run()'s thread for a request found while
  // stopping); must not throw.
  using RequestHandler = std::function<bool(httplib::Stream& stream, bool must_close)>;
  // The complete HTTP response (status line, headers, body) that refuses a
  // request while it is read: a framing error (400, 411, 413, 414, 431) or
  // a deadline (408). Runs on a worker or on Run()'s thread, never inside
  // RequestHandler; must not throw.
  using Refusal = std::function<std::string(int status, const std::string& message, const std::string& remote_addr)>;

  ConnectionLoop(ConnectionLimits limits, int threads, RequestHandler handle, Refusal refuse);
  ~ConnectionLoop();

  // Binds host:port (0 = any free port) with a backlog of 1024. Returns the
  // port, or -1 (the reason on stderr).
  int Bind(const std::string& host, int port);
  // Starts the workers and serves until Stop() and the last connection
  // closes. False if not bound. Call once.
  bool Run();
  // Safe from any thread and from a signal handler (one atomic store and one
  // write to an eventfd); idempotent.
  void Stop();
  bool running() const { return running_; }
  // Connections open now (for /metrics and tests).
  size_t open_connections() const { return open_; }

 private:
  // Workers and slots (connection_loop.cc).
  void Work(int worker);  // one worker: epoll_wait, handle the event, again
  void Accept();
  void AddConnection(int fd, const sockaddr_storage& addr);
  void Close(Connection* c);  // c->mutex held; frees its slot
  void CloseListener();
  void ResumeAccept();  // arms the listening socket again if accepting was paused
  void Rearm(Connection* c);  // the epoll event its phase waits for
  void Watch(Connection* c, uint32_t events);  // arm `c` for `events` (EPOLLONESHOT)
  Connection* SlotConnection(size_t slot) const;
  // Events of one connection, c->mutex held (connection_worker.cc).
  void HandleEvent(Connection* c);
  void ReadFrom(Connection* c);
  void AnswerBuffered(Connection* c);  // frame the buffer: answer, wait for more, or refuse
  bool Answer(Connection* c, size_t request_bytes);  // true: sent whole and kept, idle for the next request
  bool Answered(Connection* c, bool keep);  // the answer is sent: idle (true), or closed or closing
  void WriteTo(Connection* c);  // the rest of an answer, as the socket takes it
  void ReleasePending(Connection* c);
  // Limits (connection_limits.cc).
  void Sweep();  // deadlines, and idle connections while stopping
  void Refuse(Connection* c, int status, const std::string& message);
  bool EvictOne();
  void CloseGracefully(Connection* c);  // FIN now, close when the client has closed too (or kLinger)

  const ConnectionLimits limits_;
  const int threads_;
  const RequestHandler handle_;
  const Refusal refuse_;
  WorkerGate gate_;  // two workers per core in the epoll loop, more while handlers block
  int epoll_fd_ = -1;
  int exit_fd_ = -1;  // eventfd, level-triggered in the epoll set: written once, every worker leaves
  int stop_fd_ = -1;  // eventfd: Stop() wakes Run()'s thread
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_{0};
  std::atomic<size_t> pending_bytes_{0};  // answer bytes waiting for slow readers, all connections
  std::mutex listen_mutex_;  // guards listen_fd_ and accept_paused_
  int listen_fd_ = -1;
  bool accept_paused_ = false;  // out of file descriptors: accept again when one closes
  // The slot table: max_connections entries, each null or a Connection that
  // lives until the destructor. Written under slots_mutex_; read by any thread.
  std::unique_ptr<std::atomic<Connection*>[]> slots_;
  std::mutex slots_mutex_;
  std::vector<uint32_t> free_slots_;  // slots with a closed Connection, for reuse
  std::atomic<size_t> slots_used_{0};  // slots [0, slots_used_) have been given a Connection
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_CONNECTION_LOOP_H_
