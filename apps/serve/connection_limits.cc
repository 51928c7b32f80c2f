// ConnectionLoop's limits, on the loop thread: the deadlines Sweep() keeps
// every 100 ms (headers and whole request from a request's first byte, the
// keep-alive timeout, the write deadline of an answer the loop finishes, the
// linger after a half-close) and EvictOne(), which makes room at
// --max-connections (connection_loop.h). Connections a worker has (kBusy)
// are never touched here.
#include <fmt/format.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include "connection_loop.h"
#include "connection_state.h"

namespace stroke::apps {
namespace {

constexpr auto kLinger = std::chrono::seconds(2);  // reading what follows a refusal

}  // namespace

void ConnectionLoop::Sweep() {
  const Clock::time_point now = Clock::now();
  std::vector<Connection*> idle, late, unwritten, lingered;
  for (auto& [fd, c] : connections_) {
    const Clock::duration age = now - c->since;
    switch (c->phase) {
      case Connection::Phase::kIdle:
        if (stopping_ || age > std::chrono::milliseconds(limits_.keep_alive_timeout_ms)) idle.push_back(c.get());
        break;
      case Connection::Phase::kReading:
        if (age > std::chrono::milliseconds(c->head_complete ? limits_.request_timeout_ms : limits_.header_timeout_ms)) {
          late.push_back(c.get());
        }
        break;
      case Connection::Phase::kWriting:
        if (now > c->write_deadline) unwritten.push_back(c.get());
        break;
      case Connection::Phase::kClosing:
        if (age > kLinger) lingered.push_back(c.get());
        break;
      case Connection::Phase::kBusy:
        break;
    }
  }
  for (Connection* c : idle) {
    if (stopping_) ReadFrom(c);  // a request that just arrived is still answered
    if (c->fd >= 0 && c->phase == Connection::Phase::kIdle) CloseGracefully(c);
  }
  for (Connection* c : late) {
    Refuse(c, 408,
           c->head_complete
               ? fmt::format("the request's body did not arrive within {:g} s (--read-timeout)",
                             limits_.request_timeout_ms / 1000.0)
               : fmt::format("the request's headers did not arrive within {:g} s (--header-timeout)",
                             limits_.header_timeout_ms / 1000.0));
  }
  for (Connection* c : unwritten) Close(c);  // the client did not read its answer in time
  for (Connection* c : lingered) Close(c);
}

void ConnectionLoop::Refuse(Connection* c, int status, const std::string& message) {
  const std::string answer = refuse_(status, message, c->remote_addr);
  // Best effort: a short answer fits the socket's buffer; a client that
  // does not read it loses it.
  SendNow(c->fd, answer.data(), answer.size());
  CloseGracefully(c);
}

bool ConnectionLoop::EvictOne() {
  Connection* oldest_idle = nullptr;
  Connection* slowest = nullptr;
  for (auto& [fd, c] : connections_) {
    if (c->phase == Connection::Phase::kIdle || c->phase == Connection::Phase::kClosing) {
      if (oldest_idle == nullptr || c->since < oldest_idle->since) oldest_idle = c.get();
    } else if (c->phase == Connection::Phase::kReading || c->phase == Connection::Phase::kWriting) {
      if (slowest == nullptr || c->since < slowest->since) slowest = c.get();
    }
  }
  if (oldest_idle != nullptr) {
    Close(oldest_idle);
  } else if (slowest != nullptr) {
    if (slowest->phase == Connection::Phase::kReading) {
      const std::string answer = refuse_(408, "closed to make room for other connections (--max-connections)",
                                         slowest->remote_addr);
      SendNow(slowest->fd, answer.data(), answer.size());
    }
    Close(slowest);
  } else {
    return false;
  }
  return true;
}

}  // namespace stroke::apps
