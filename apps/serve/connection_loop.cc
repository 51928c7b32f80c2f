#include "connection_loop.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include "connection_state.h"

namespace stroke::apps {
namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(100);
constexpr int kBacklog = 1024;
constexpr size_t kReadChunk = 64 * 1024;
constexpr uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP;

// Markers for epoll_event.data.ptr (connections use their own address).
char listen_marker, wake_marker;

void Address(const sockaddr_storage& addr, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    *port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    *port = ntohs(a->sin6_port);
  }
  *ip = text;
}

// Lets the process hold the connections it is configured for.
void RaiseOpenFileLimit(size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, wanted);
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

ConnectionLoop::ConnectionLoop(ConnectionLimits limits, int threads, RequestHandler handle, Refusal refuse)
    : limits_(limits), handle_(std::move(handle)), refuse_(std::move(refuse)),
      pool_(std::make_unique<httplib::ThreadPool>(static_cast<size_t>(std::max(1, threads)))),
      free_workers_(std::max(1, threads)) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &wake_marker;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
}

ConnectionLoop::~ConnectionLoop() {
  if (!pool_stopped_) pool_->shutdown();
  for (auto& [fd, c] : connections_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

int ConnectionLoop::Bind(const std::string& host, int port) {
  RaiseOpenFileLimit(limits_.max_connections + 256);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    fmt::print(stderr, "stroke-serve: cannot resolve \"{}\"\n", host);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, kBacklog) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return -1;
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string ip;
  int bound = -1;
  Address(addr, &ip, &bound);
  listen_fd_ = fd;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &listen_marker;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event);
  return bound;
}

bool ConnectionLoop::Run() {
  if (listen_fd_ < 0) return false;
  running_ = true;
  epoll_event events[256];
  Clock::time_point next_sweep = Clock::now() + kSweepInterval;
  for (;;) {
    if (stopping_ && listen_fd_ >= 0) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      ::close(listen_fd_);
      listen_fd_ = -1;
    }
    if (stopping_) Sweep();  // closes idle connections at once
    if (stopping_ && connections_.empty()) break;
    const int n = epoll_wait(epoll_fd_, events, 256, Millis(kSweepInterval));
    // First: a connection a worker gave back without waking this thread may
    // have an event in this batch.
    TakeBackFinished();
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &listen_marker) {
        Accept();
      } else if (tag == &wake_marker) {
        uint64_t count = 0;  // one read resets an eventfd's counter
        [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
      } else {
        auto* c = static_cast<Connection*>(tag);
        if (c->fd < 0) continue;  // closed earlier in this batch
        // A worker's (a hang-up is reported even while disarmed, once): not this thread's to touch.
        if (c->phase == Connection::Phase::kBusy) continue;
        c->armed = 0;  // EPOLLONESHOT: delivered, so disarmed
        if (c->phase == Connection::Phase::kWriting) {
          WriteTo(c);
        } else {
          ReadFrom(c);
        }
        if (c->fd >= 0 && c->phase != Connection::Phase::kBusy) Rearm(c);
      }
    }
    closed_.clear();
    if (Clock::now() >= next_sweep) {
      Sweep();
      next_sweep = Clock::now() + kSweepInterval;
    }
  }
  pool_->shutdown();
  pool_stopped_ = true;
  running_ = false;
  return true;
}

void ConnectionLoop::Stop() {
  stopping_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void ConnectionLoop::Accept() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && EvictOne()) continue;
      if (errno == EMFILE || errno == ENFILE) {  // nothing to close: wait until a connection ends
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_ = true;
      }
      return;
    }
    if (connections_.size() >= limits_.max_connections && !EvictOne()) {
      ::close(fd);  // every connection is being answered: no room
      continue;
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->since = Clock::now();
    Address(addr, &c->remote_addr, &c->remote_port);
    sockaddr_storage local{};
    socklen_t local_len = sizeof local;
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
    Address(local, &c->local_addr, &c->local_port);
    Connection* raw = c.get();
    connections_[fd] = std::move(c);
    ++open_;
    Watch(raw, kReadEvents);
  }
}

void ConnectionLoop::ReadFrom(Connection* c) {
  const size_t cap = limits_.framing.max_header_bytes + limits_.framing.max_body_bytes + kReadChunk;
  char chunk[kReadChunk];
  while (c->buffer.size() < cap) {
    const ssize_t n = ::recv(c->fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      if (c->phase != Connection::Phase::kClosing) c->buffer.append(chunk, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof chunk) break;  // drained (epoll is level-triggered: more will be signalled)
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 || c->phase == Connection::Phase::kClosing) return Close(c);  // failed, or closed on both sides
    c->peer_closed = true;  // end of input: a request it holds is still answered (not armed again)
    break;
  }
  if (c->phase == Connection::Phase::kClosing) return;
  if (Advance(c)) return;  // a worker has it
  if (c->peer_closed && c->fd >= 0) Close(c);  // nothing (more) to answer
}

bool ConnectionLoop::Advance(Connection* c) {
  if (c->phase == Connection::Phase::kIdle) {
    c->buffer.erase(0, LeadingBlankBytes(c->buffer));
    if (c->buffer.empty()) return false;
    c->phase = Connection::Phase::kReading;
    c->since = Clock::now();
    c->head_complete = false;
    c->continue_sent = false;
  }
  const Framing f = FrameRequest(c->buffer, limits_.framing);
  c->head_complete = f.head_complete;
  if (f.state == Framing::State::kError) {
    Refuse(c, f.status, f.message);
    return false;
  }
  if (f.state == Framing::State::kComplete) {
    Dispatch(c, f.total());
    return true;
  }
  if (f.head_complete && f.expect_continue && !c->continue_sent) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    c->continue_sent = true;
    if (SendNow(c->fd, kContinue, sizeof kContinue - 1) != sizeof kContinue - 1) Close(c);
  }
  return false;
}

void ConnectionLoop::Dispatch(Connection* c, size_t request_bytes) {
  Watch(c, 0);  // before the worker may arm it again
  c->phase = Connection::Phase::kBusy;
  --free_workers_;
  pool_->enqueue([this, c, request_bytes] { Work(c, request_bytes); });
}

void ConnectionLoop::TakeBackFinished() {
  std::vector<std::pair<Connection*, Outcome>> finished;
  {
    std::lock_guard<std::mutex> lock(finished_mutex_);
    finished.swap(finished_);
  }
  for (auto [c, outcome] : finished) {
    if (outcome == Outcome::kIdleArmed) {  // nothing buffered; the worker armed its read event
      c->phase = Connection::Phase::kIdle;
      c->since = c->answered;
      if (stopping_) CloseGracefully(c);
    } else if (outcome == Outcome::kFailed) {
      Close(c);  // the client is gone
    } else if (!c->pending.empty()) {
      c->phase = Connection::Phase::kWriting;
      c->keep_after_write = outcome == Outcome::kKeep;
      Rearm(c);
    } else {
      Answered(c, outcome == Outcome::kKeep);
    }
  }
}

void ConnectionLoop::WriteTo(Connection* c) {
  const size_t rest = c->pending.size() - c->pending_offset;
  const size_t sent = SendNow(c->fd, c->pending.data() + c->pending_offset, rest);
  if (sent == std::string::npos) return Close(c);
  c->pending_offset += sent;
  pending_bytes_.fetch_sub(sent);
  if (sent < rest) return;  // the socket is full again: wait for EPOLLOUT
  Answered(c, c->keep_after_write);
}

void ConnectionLoop::Answered(Connection* c, bool keep) {
  ReleasePending(c);
  if (c->peer_closed) return Close(c);
  if (!keep) return CloseGracefully(c);
  c->phase = Connection::Phase::kIdle;
  c->since = Clock::now();
  if (Advance(c) || c->fd < 0) return;  // a pipelined request may be here already (while stopping: answered with Connection: close)
  if (stopping_ && c->phase == Connection::Phase::kIdle) return CloseGracefully(c);
  Rearm(c);
}

void ConnectionLoop::ReleasePending(Connection* c) {
  if (c->pending.empty()) return;
  pending_bytes_.fetch_sub(c->pending.size() - c->pending_offset);
  c->pending.clear();
  c->pending.shrink_to_fit();
  c->pending_offset = 0;
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
  Watch(c, kReadEvents);
}

void ConnectionLoop::Close(Connection* c) {
  ReleasePending(c);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  auto it = connections_.find(c->fd);
  closed_.push_back(std::move(it->second));  // events later in this batch may still name it
  connections_.erase(it);
  c->fd = -1;
  --open_;
  if (accept_paused_ && listen_fd_ >= 0) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = &listen_marker;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event);
    accept_paused_ = false;
  }
}

void ConnectionLoop::Rearm(Connection* c) {
  switch (c->phase) {
    case Connection::Phase::kWriting:
      return Watch(c, EPOLLOUT);
    case Connection::Phase::kClosing:
      return Watch(c, kReadEvents);
    case Connection::Phase::kIdle:
    case Connection::Phase::kReading:
      return Watch(c, c->peer_closed ? 0 : kReadEvents);
    case Connection::Phase::kBusy:
      return;  // the worker's
  }
}

void ConnectionLoop::ArmRead(Connection* c) { Watch(c, kReadEvents); }

void ConnectionLoop::Watch(Connection* c, uint32_t events) {
  if (events == c->armed) return;
  epoll_event event{};
  event.events = events | EPOLLONESHOT;  // none: registered, but disarmed
  event.data.ptr = c;
  epoll_ctl(epoll_fd_, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &event);
  c->registered = true;
  c->armed = events;
}

}  // namespace stroke::apps
