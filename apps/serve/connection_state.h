// Private to ConnectionLoop (connection_loop.cc, connection_worker.cc,
// connection_limits.cc): one connection's state and the socket helpers.
//
// Ownership: every access to a Connection holds its `mutex`. The thread that
// takes a connection's epoll event holds it while it handles the event
// (reading, answering the requests complete in the buffer, arming the next
// event); EPOLLONESHOT delivers a connection's event to one thread, and
// arms it again only when that thread is done, so no other worker ever waits
// for that mutex. The deadline sweep and the eviction only try_lock it: a
// connection a thread is handling is neither idle nor slow.
//
// Lifetime: Connection objects live in the loop's slot table until the loop
// is destroyed; a closed connection's slot is reused for a new socket with
// `generation` incremented. An epoll event names (slot, generation), so an
// event that was taken just before its connection was closed finds another
// generation and is dropped.
#ifndef STROKE_APPS_SERVE_CONNECTION_STATE_H_
#define STROKE_APPS_SERVE_CONNECTION_STATE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace stroke::apps {

using Clock = std::chrono::steady_clock;

struct Connection {
  enum class Phase {
    kIdle,     // between requests: no byte of the next one yet
    kReading,  // a request has begun arriving
    kWriting,  // the answer did not fit the socket at once: sent as the socket takes it
    kClosing,  // closed for writing (FIN sent); what the client still sends is discarded
  };
  std::mutex mutex;          // guards every field below
  uint32_t slot = 0;         // its index in the loop's slot table (fixed)
  uint32_t generation = 0;   // incremented when the socket is closed
  int fd = -1;               // -1: closed (the slot is free or about to be)
  std::string remote_addr, local_addr;
  int remote_port = 0, local_port = 0;
  std::string buffer;  // bytes received and not yet answered (pipelined ones too)
  Phase phase = Phase::kIdle;
  Clock::time_point since;  // idle: since the last answer; reading: the request's first byte; closing: the FIN
  bool head_complete = false;
  bool continue_sent = false;
  size_t served = 0;         // requests answered on this connection
  bool registered = false;   // added to the epoll set
  uint32_t armed = 0;        // the events armed (EPOLLONESHOT: none once one is delivered)
  std::string pending;       // kWriting: the answer's bytes not yet sent, from pending_offset
  size_t pending_offset = 0;
  bool keep_after_write = false;
  bool peer_closed = false;  // the client half-closed: answer what it sent, then close
  Clock::time_point write_deadline;
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
