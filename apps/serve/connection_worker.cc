// ConnectionLoop's event handling, on the worker that took a connection's
// epoll event (c->mutex held): read what the socket holds without waiting,
// answer every request complete in the buffer (pipelined ones in order),
// send what the socket takes at once, and leave the rest - a partial
// request, an answer the client reads slowly - to the connection's next
// event. No worker waits for a client (except to finish an answer once
// 256 MiB of answers already wait for slow readers, within --write-timeout).
//
// Measured (wrk, 2 cores, docs/architecture.md): a loop thread that read
// requests and handed them to a pool cost a context switch per request;
// answering on the thread epoll wakes costs none.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "connection_loop.h"
#include "connection_state.h"

namespace stroke::apps {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Answers that wait for slow readers, in all: beyond it a worker finishes its
// answer itself (within --write-timeout) instead of leaving it to EPOLLOUT.
constexpr size_t kMaxPendingBytes = size_t{256} << 20;

// One request's bytes for httplib's parser, and its whole answer, kept in
// memory: the worker sends it in one go (a write per header line would be a
// packet per line) and leaves what the socket does not take for EPOLLOUT.
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

void ConnectionLoop::HandleEvent(Connection* c) {
  if (c->phase == Connection::Phase::kWriting) return WriteTo(c);
  ReadFrom(c);
}

void ConnectionLoop::ReadFrom(Connection* c) {
  const size_t cap = limits_.framing.max_header_bytes + limits_.framing.max_body_bytes + kReadChunk;
  const bool closing = c->phase == Connection::Phase::kClosing;
  char chunk[kReadChunk];
  while (c->buffer.size() < cap) {
    const ssize_t n = ::recv(c->fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      if (!closing) c->buffer.append(chunk, static_cast<size_t>(n));  // a closing connection's bytes are discarded
      if (static_cast<size_t>(n) < sizeof chunk) break;  // drained (level-triggered: more will be signalled)
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 || closing) return Close(c);  // failed, or closed on both sides
    c->peer_closed = true;  // end of input: a request it holds is still answered
    break;
  }
  if (closing) return;
  AnswerBuffered(c);
  // The client has closed its side: nothing (more) to answer.
  if (c->fd >= 0 && c->peer_closed && c->phase != Connection::Phase::kWriting) Close(c);
}

void ConnectionLoop::AnswerBuffered(Connection* c) {
  for (;;) {
    if (c->phase == Connection::Phase::kIdle) {
      c->buffer.erase(0, LeadingBlankBytes(c->buffer));
      if (c->buffer.empty()) {
        if (stopping_) CloseGracefully(c);
        return;
      }
      c->phase = Connection::Phase::kReading;
      c->since = Clock::now();
      c->head_complete = false;
      c->continue_sent = false;
    }
    const Framing f = FrameRequest(c->buffer, limits_.framing);
    c->head_complete = f.head_complete;
    if (f.state == Framing::State::kError) return Refuse(c, f.status, f.message);
    if (f.state == Framing::State::kComplete) {
      if (!Answer(c, f.total())) return;
      continue;  // idle again: a pipelined request may be buffered already
    }
    if (f.head_complete && f.expect_continue && !c->continue_sent) {
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      c->continue_sent = true;
      if (SendNow(c->fd, kContinue, sizeof kContinue - 1) != sizeof kContinue - 1) Close(c);
    }
    return;
  }
}

bool ConnectionLoop::Answer(Connection* c, size_t request_bytes) {
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
  // Send what the socket takes now; EPOLLOUT sends the rest, so that a
  // client that does not read its answers never holds a worker.
  std::string answer = stream.TakeAnswer();
  const size_t sent = SendNow(c->fd, answer.data(), answer.size());
  if (sent == std::string::npos) {
    Close(c);  // the client is gone
    return false;
  }
  if (sent < answer.size()) {
    const size_t rest = answer.size() - sent;
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(limits_.write_timeout_ms);
    if (pending_bytes_.fetch_add(rest) + rest > kMaxPendingBytes) {  // too much waits already: finish it here
      pending_bytes_.fetch_sub(rest);
      if (!SendAll(c->fd, answer.data() + sent, rest, deadline)) {
        Close(c);
        return false;
      }
    } else {
      c->pending = std::move(answer);
      c->pending_offset = sent;
      c->write_deadline = deadline;
      c->keep_after_write = keep;
      c->phase = Connection::Phase::kWriting;
      return false;
    }
  }
  return Answered(c, keep);
}

bool ConnectionLoop::Answered(Connection* c, bool keep) {
  ReleasePending(c);
  if (c->peer_closed) {
    Close(c);
    return false;
  }
  if (!keep) {
    CloseGracefully(c);
    return false;
  }
  c->phase = Connection::Phase::kIdle;
  c->since = Clock::now();
  return true;
}

void ConnectionLoop::WriteTo(Connection* c) {
  const size_t rest = c->pending.size() - c->pending_offset;
  const size_t sent = SendNow(c->fd, c->pending.data() + c->pending_offset, rest);
  if (sent == std::string::npos) return Close(c);
  c->pending_offset += sent;
  pending_bytes_.fetch_sub(sent);
  if (sent < rest) return;  // the socket is full again: wait for EPOLLOUT
  if (Answered(c, c->keep_after_write)) AnswerBuffered(c);  // pipelined requests wait in the buffer
}

void ConnectionLoop::ReleasePending(Connection* c) {
  if (c->pending.empty()) return;
  pending_bytes_.fetch_sub(c->pending.size() - c->pending_offset);
  c->pending.clear();
  c->pending.shrink_to_fit();
  c->pending_offset = 0;
}

}  // namespace stroke::apps
