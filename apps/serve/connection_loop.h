// ConnectionLoop: stroke-serve's connections. One thread owns every socket
// (epoll): it accepts, reads each request whole under a deadline and the
// framing limits, and hands only complete requests to a pool of workers.
// A slow or idle client therefore costs a file descriptor, never a worker;
// pipelined bytes stay in the connection's buffer for the next request.
// A worker that has answered may answer the connection's next request too,
// when it is complete at once, pipelined or already in the socket
// (connection_worker.cc); a worker never waits for a client.
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
// - a worker sends what the socket takes at once and hands the rest of an
//   answer to this thread (up to 256 MiB in all), so a client that does not
//   read holds no worker; the rest must be sent within `write_timeout_ms`;
// - connections end with a half-close (FIN), then the loop reads until the
//   client closes (2 s at most), so no reset destroys an answer in flight;
// - Stop(): no new connections; idle ones closed; every request already
//   received is answered (with Connection: close); Run returns when the last
//   connection is closed.
#ifndef STROKE_APPS_SERVE_CONNECTION_LOOP_H_
#define STROKE_APPS_SERVE_CONNECTION_LOOP_H_

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "request_framing.h"

namespace stroke::apps {

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
  // Runs on a worker thread; must not throw.
  using RequestHandler = std::function<bool(httplib::Stream& stream, bool must_close)>;
  // The complete HTTP response (status line, headers, body) that refuses a
  // request while it is read: a framing error (400, 411, 413, 414, 431) or
  // a deadline (408). Runs on the loop thread; must not throw.
  using Refusal = std::function<std::string(int status, const std::string& message, const std::string& remote_addr)>;

  ConnectionLoop(ConnectionLimits limits, int threads, RequestHandler handle, Refusal refuse);
  ~ConnectionLoop();

  // Binds host:port (0 = any free port) with a backlog of 1024. Returns the
  // port, or -1 (the reason on stderr).
  int Bind(const std::string& host, int port);
  // Serves until Stop() and the last connection closes. False if not bound.
  bool Run();
  // Safe from any thread and from a signal-handling thread; idempotent.
  void Stop();
  bool running() const { return running_; }
  // Connections open now (for /metrics and tests).
  size_t open_connections() const { return open_; }

 private:
  enum class Outcome {  // of a worker's answer
    kKeep,
    kIdleArmed,  // kept, nothing buffered, its read event armed by the worker
    kClose,
    kFailed,
  };
  // Loop thread (connection_loop.cc).
  void Accept();
  void ReadFrom(Connection* c);
  bool Advance(Connection* c);  // frame the buffer: wait, dispatch or refuse; true: dispatched
  void Dispatch(Connection* c, size_t request_bytes);  // the loop does not touch `c` after it
  void TakeBackFinished();
  void WriteTo(Connection* c);                 // the rest of an answer, as the socket takes it
  void Answered(Connection* c, bool keep);     // the answer is sent: next request, or close
  void ReleasePending(Connection* c);
  void Sweep();  // deadlines
  void Refuse(Connection* c, int status, const std::string& message);
  bool EvictOne();
  void CloseGracefully(Connection* c);  // FIN now, close when the client has closed too (or kLinger)
  void Close(Connection* c);
  void Rearm(Connection* c);  // the epoll event its phase waits for
  void ArmRead(Connection* c);
  void Watch(Connection* c, uint32_t events);  // arm `c` for one of `events` (EPOLLONESHOT); 0 = none
  // Workers (connection_worker.cc).
  void Work(Connection* c, size_t request_bytes);  // answers, then the next requests while complete
  Outcome Answer(Connection* c, size_t request_bytes);
  size_t NextRequest(Connection* c);  // the bytes of a complete next request, or 0
  void GiveBack(Connection* c, Outcome outcome);  // to the loop thread

  const ConnectionLimits limits_;
  const RequestHandler handle_;
  const Refusal refuse_;
  std::unique_ptr<httplib::ThreadPool> pool_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Stop() and finished requests
  bool accept_paused_ = false;  // out of file descriptors: accept again when one closes
  bool pool_stopped_ = false;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_{0};
  // Workers minus the requests dispatched and not given back: below 0, requests wait for a worker.
  std::atomic<int> free_workers_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;  // loop thread only
  std::vector<std::unique_ptr<Connection>> closed_;  // freed after the current batch of events
  std::mutex finished_mutex_;
  std::vector<std::pair<Connection*, Outcome>> finished_;  // answered by workers, for the loop
  std::atomic<size_t> pending_bytes_{0};  // answer bytes waiting for slow readers, all connections
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_CONNECTION_LOOP_H_
