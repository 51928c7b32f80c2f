// ConnectionLoop's limits: the deadlines Sweep() keeps every 100 ms on Run()'s
// thread (headers and whole request from a request's first byte, the
// keep-alive timeout, the write deadline of an answer a slow reader takes,
// the linger after a half-close), and EvictOne(), which makes room at
// --max-connections for the thread that accepts (connection_loop.h). Both
// only try_lock a connection: one a worker is handling is skipped, as it is
// neither idle nor slow.
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <chrono>
#include <string>

#include "connection_loop.h"
#include "connection_state.h"

namespace stroke::apps {
namespace {

constexpr auto kLinger = std::chrono::seconds(2);  // reading what follows a refusal

}  // namespace

void ConnectionLoop::Sweep() {
  ResumeAccept();  // out of descriptors at the last accept: try again
  const size_t used = slots_used_;
  for (size_t i = 0; i < used; ++i) {
    Connection* c = SlotConnection(i);
    std::unique_lock<std::mutex> lock(c->mutex, std::try_to_lock);
    if (!lock.owns_lock() || c->fd < 0) continue;  // a worker's now, or closed
    const Clock::time_point now = Clock::now();
    const Clock::duration age = now - c->since;
    switch (c->phase) {
      case Connection::Phase::kIdle:
        if (stopping_) {
          ReadFrom(c);  // a request that just arrived is still answered (it closes the connection)
          if (c->fd >= 0 && c->phase == Connection::Phase::kIdle) CloseGracefully(c);
          if (c->fd >= 0) Rearm(c);
        } else if (age > std::chrono::milliseconds(limits_.keep_alive_timeout_ms)) {
          CloseGracefully(c);
        }
        break;
      case Connection::Phase::kReading:
        if (age > std::chrono::milliseconds(c->head_complete ? limits_.request_timeout_ms : limits_.header_timeout_ms)) {
          Refuse(c, 408,
                 c->head_complete
                     ? fmt::format("the request's body did not arrive within {:g} s (--read-timeout)",
                                   limits_.request_timeout_ms / 1000.0)
                     : fmt::format("the request's headers did not arrive within {:g} s (--header-timeout)",
                                   limits_.header_timeout_ms / 1000.0));
        }
        break;
      case Connection::Phase::kWriting:
        if (now > c->write_deadline) Close(c);  // the client did not read its answer in time
        break;
      case Connection::Phase::kClosing:
        if (age > kLinger) Close(c);
        break;
    }
  }
}

void ConnectionLoop::Refuse(Connection* c, int status, const std::string& message) {
  const std::string answer = refuse_(status, message, c->remote_addr);
  // Best effort: a short answer fits the socket's buffer; a client that
  // does not read it loses it.
  SendNow(c->fd, answer.data(), answer.size());
  CloseGracefully(c);
}

void ConnectionLoop::CloseGracefully(Connection* c) {
  // Half-close and read what the client still sends until it closes too (or
  // kLinger passes): closing with unread input would reset the connection and
  // destroy answer bytes the client has not read yet.
  ::shutdown(c->fd, SHUT_WR);
  c->buffer.clear();
  c->buffer.shrink_to_fit();
  c->phase = Connection::Phase::kClosing;
  c->since = Clock::now();
  Watch(c, EPOLLIN | EPOLLRDHUP);
}

bool ConnectionLoop::EvictOne() {
  // The longest-idle connection, else the one whose request or answer has
  // taken longest; each as (connection, generation), checked again under its
  // lock before it is closed.
  struct Candidate {
    Connection* c = nullptr;
    uint32_t generation = 0;
    Clock::time_point since;
  } idle, slow;
  const size_t used = slots_used_;
  for (size_t i = 0; i < used; ++i) {
    Connection* c = SlotConnection(i);
    std::unique_lock<std::mutex> lock(c->mutex, std::try_to_lock);
    if (!lock.owns_lock() || c->fd < 0) continue;
    const bool is_idle = c->phase == Connection::Phase::kIdle || c->phase == Connection::Phase::kClosing;
    Candidate& best = is_idle ? idle : slow;
    if (best.c == nullptr || c->since < best.since) best = {c, c->generation, c->since};
  }
  for (const Candidate& candidate : {idle, slow}) {
    if (candidate.c == nullptr) continue;
    Connection* c = candidate.c;
    std::unique_lock<std::mutex> lock(c->mutex, std::try_to_lock);
    if (!lock.owns_lock() || c->fd < 0 || c->generation != candidate.generation) continue;
    if (c->phase == Connection::Phase::kReading) {
      const std::string answer = refuse_(408, "closed to make room for other connections (--max-connections)",
                                         c->remote_addr);
      SendNow(c->fd, answer.data(), answer.size());
    }
    Close(c);
    return true;
  }
  return false;
}

}  // namespace stroke::apps
