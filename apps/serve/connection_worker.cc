// ConnectionLoop's worker side: answering a complete request, then keeping
// the connection for the next one while that costs nothing.
//
// After an answer that keeps the connection open and fits the socket, the
// worker answers the next request itself when it is complete already: one
// pipelined in the buffer, or one the socket holds when the worker reads it
// once, without waiting. It does so only while no other request waits for a
// worker (else the next request queues behind them, as it would have). A
// worker never waits for a client: an incomplete request, an idle
// connection, a failure, a close and the rest of a large answer go back to
// the loop thread, which alone waits for bytes, keeps the deadlines and
// finishes answers for slow readers.
// An idle connection goes back without waking the loop: the worker arms its
// read event itself, and the loop takes the connection back before it
// handles that event (or at its next sweep, within 100 ms).
//
// Measured (wrk, 2 cores): waiting 0.1-3 ms for the next request, as a
// thread per connection does, won no throughput and cost p99 latency.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "connection_loop.h"
#include "connection_state.h"

namespace stroke::apps {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Answers that wait for slow readers, in all: beyond it a worker finishes its
// answer itself (within --write-timeout) instead of handing it to the loop.
constexpr size_t kMaxPendingBytes = size_t{256} << 20;

// One request's bytes for httplib's parser, and its whole answer, kept in
// memory: the worker sends it in one go (a write per header line would be a
// packet per line) and hands what the socket does not take to the loop.
class RequestStream final : public httplib::Stream {
 public:
  RequestStream(const Connection& c, size_t request_bytes) : c_(c), size_(request_bytes) {}

  bool is_readable() const override { return offset_ < size_; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, size_ - offset_);
    std::memcpy(ptr, c_.buffer.data() + offset_, n);
    offset_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.remote_addr;
    port = c_.remote_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.local_addr;
    port = c_.local_port;
  }
  // httplib's compiled parser answers 500 for descriptors >= FD_SETSIZE (it
  // would select() on them); this stream never lets it, so it sees none.
  socket_t socket() const override { return c_.fd < FD_SETSIZE ? c_.fd : INVALID_SOCKET; }

  std::string TakeAnswer() { return std::move(out_); }

 private:
  const Connection& c_;
  const size_t size_;
  size_t offset_ = 0;
  std::string out_;
};

// Appends what the socket holds now to c->buffer (up to `cap` bytes in all),
// without waiting. Sets c->peer_closed at the end of input. False if the
// connection failed.
bool ReceiveNow(Connection* c, size_t cap) {
  char chunk[kReadChunk];
  while (c->buffer.size() < cap) {
    const ssize_t n = ::recv(c->fd, chunk, std::min(sizeof chunk, cap - c->buffer.size()), MSG_DONTWAIT);
    if (n > 0) {
      c->buffer.append(chunk, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof chunk) return true;
      continue;
    }
    if (n == 0) {
      c->peer_closed = true;
      return true;
    }
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
  return true;
}

}  // namespace

size_t SendNow(int fd, const char* data, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      return std::string::npos;
    }
  }
  return sent;
}

bool SendAll(int fd, const char* data, size_t size, Clock::time_point deadline) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    const int wait = Millis(deadline - Clock::now());
    if (wait <= 0) return false;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, wait) <= 0) return false;
  }
  return true;
}

void ConnectionLoop::Work(Connection* c, size_t request_bytes) {
  for (;;) {
    const Outcome outcome = Answer(c, request_bytes);
    if (outcome != Outcome::kKeep || !c->pending.empty() || c->peer_closed || stopping_ || free_workers_.load() < 0) {
      return GiveBack(c, outcome);  // free_workers_ < 0: requests wait for a worker
    }
    request_bytes = NextRequest(c);
    if (request_bytes == 0) return GiveBack(c, Outcome::kKeep);
  }
}

ConnectionLoop::Outcome ConnectionLoop::Answer(Connection* c, size_t request_bytes) {
  const bool must_close = stopping_ || c->peer_closed || c->served + 1 >= limits_.keep_alive_max;
  RequestStream stream(*c, request_bytes);
  bool keep = false;
  try {
    keep = handle_(stream, must_close);
  } catch (...) {  // the handler promises not to throw; if it does, only this connection ends
    keep = false;
  }
  keep = keep && !must_close;
  c->buffer.erase(0, request_bytes);
  ++c->served;
  // Send what the socket takes now; the loop sends the rest, so that a client
  // that does not read its answers never holds a worker.
  std::string answer = stream.TakeAnswer();
  const size_t sent = SendNow(c->fd, answer.data(), answer.size());
  c->answered = Clock::now();
  if (sent == std::string::npos) return Outcome::kFailed;
  if (sent < answer.size()) {
    const size_t rest = answer.size() - sent;
    if (pending_bytes_.fetch_add(rest) + rest > kMaxPendingBytes) {  // too much waits already: finish it here
      pending_bytes_.fetch_sub(rest);
      if (!SendAll(c->fd, answer.data() + sent, rest, c->answered + std::chrono::milliseconds(limits_.write_timeout_ms))) {
        return Outcome::kFailed;
      }
    } else {
      c->pending = std::move(answer);
      c->pending_offset = sent;
      c->write_deadline = c->answered + std::chrono::milliseconds(limits_.write_timeout_ms);
    }
  }
  return keep ? Outcome::kKeep : Outcome::kClose;
}

size_t ConnectionLoop::NextRequest(Connection* c) {
  c->buffer.erase(0, LeadingBlankBytes(c->buffer));
  if (c->buffer.empty()) {
    const size_t cap = limits_.framing.max_header_bytes + limits_.framing.max_body_bytes + kReadChunk;
    if (!ReceiveNow(c, cap)) {
      c->peer_closed = true;  // the connection failed: the loop closes it
      return 0;
    }
    c->buffer.erase(0, LeadingBlankBytes(c->buffer));
    if (c->buffer.empty()) return 0;
  }
  const Framing f = FrameRequest(c->buffer, limits_.framing);
  return f.state == Framing::State::kComplete ? f.total() : 0;  // incomplete or refused: the loop's part
}

void ConnectionLoop::GiveBack(Connection* c, Outcome outcome) {
  ++free_workers_;
  const bool idle = outcome == Outcome::kKeep && c->pending.empty() && c->buffer.empty() && !c->peer_closed;
  {
    std::lock_guard<std::mutex> lock(finished_mutex_);
    if (idle) {
      // Armed under the lock: the loop takes the connection back (under the
      // same lock) before it can handle the event.
      ArmRead(c);
      outcome = Outcome::kIdleArmed;
    }
    finished_.emplace_back(c, outcome);
  }
  if (idle && !stopping_) return;  // the loop need not wake: the connection's next event will
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

}  // namespace stroke::apps
