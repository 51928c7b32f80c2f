// Private to ConnectionLoop (connection_loop.cc, the loop thread, and
// connection_worker.cc, the workers): one connection's state and the
// socket helpers both sides use.
//
// Ownership: a connection in Phase::kBusy belongs to the one worker that
// answers it; every other phase belongs to the loop thread. The worker gives
// it back through ConnectionLoop::finished_ (under finished_mutex_), and the
// loop takes it back before it handles any event of the batch that follows.
#ifndef STROKE_APPS_SERVE_CONNECTION_STATE_H_
#define STROKE_APPS_SERVE_CONNECTION_STATE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace stroke::apps {

using Clock = std::chrono::steady_clock;

struct Connection {
  enum class Phase {
    kIdle,     // between requests: no byte of the next one yet
    kReading,  // a request has begun arriving
    kBusy,     // a worker answers it (the loop does not touch the connection)
    kWriting,  // the answer did not fit the socket at once: the loop sends the rest
    kClosing,  // closed for writing (FIN sent); what the client still sends is discarded
  };
  int fd = -1;
  std::string remote_addr, local_addr;
  int remote_port = 0, local_port = 0;
  std::string buffer;  // bytes received and not yet answered (pipelined ones too)
  Phase phase = Phase::kIdle;
  Clock::time_point since;  // idle: since the last answer; reading: the request's first byte
  bool head_complete = false;
  bool continue_sent = false;
  size_t served = 0;  // requests answered on this connection
  bool registered = false;  // added to the epoll set
  uint32_t armed = 0;  // the events armed (EPOLLONESHOT: none once one is delivered)
  std::string pending;    // kWriting: the answer's bytes not yet sent, from pending_offset
  size_t pending_offset = 0;
  bool keep_after_write = false;
  bool peer_closed = false;  // the client half-closed: answer what it sent, then close
  Clock::time_point write_deadline;
  Clock::time_point answered;  // when a worker finished its last answer (the idle time starts there)
};

inline int Millis(Clock::duration d) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Sends what the socket takes now, without waiting. Returns the bytes sent,
// or std::string::npos when the connection failed.
size_t SendNow(int fd, const char* data, size_t size);

// Sends all of `data` before `deadline` (the socket is non-blocking).
bool SendAll(int fd, const char* data, size_t size, Clock::time_point deadline);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_CONNECTION_STATE_H_
