#include "connection_loop.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

#include "connection_state.h"
#include "stroke/cpus.h"

namespace stroke::apps {
namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(100);
constexpr int kBacklog = 1024;
constexpr uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP;
// epoll_event.data.u64 of the listening socket and of the exit eventfd; a
// connection's is (generation << 32) | slot, and slots stay below 2^32 - 2.
constexpr uint64_t kListenTag = ~uint64_t{0};
constexpr uint64_t kExitTag = ~uint64_t{0} - 1;

uint64_t Tag(const Connection& c) { return (uint64_t{c.generation} << 32) | c.slot; }

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

void Signal(int event_fd) {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(event_fd, &one, sizeof one);
}

void ArmListener(int epoll_fd, int listen_fd, int op) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLONESHOT;
  event.data.u64 = kListenTag;
  epoll_ctl(epoll_fd, op, listen_fd, &event);
}

}  // namespace

ConnectionLoop::ConnectionLoop(ConnectionLimits limits, int threads, RequestHandler handle, Refusal refuse)
    : limits_([&] {
        limits.max_connections = std::clamp<size_t>(limits.max_connections, 1, uint32_t{1} << 30);
        return limits;
      }()),
      threads_(std::max(1, threads)), handle_(std::move(handle)), refuse_(std::move(refuse)),
      gate_(threads_, kActiveWorkersPerCore * stroke::AvailableCpus()),
      slots_(new std::atomic<Connection*>[limits_.max_connections]) {
  for (size_t i = 0; i < limits_.max_connections; ++i) slots_[i].store(nullptr);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  exit_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered and never read: once written, every worker sees it
  event.data.u64 = kExitTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, exit_fd_, &event);
}

ConnectionLoop::~ConnectionLoop() {
  for (size_t i = 0; i < slots_used_; ++i) {
    Connection* c = slots_[i].load();
    if (c->fd >= 0) ::close(c->fd);
    delete c;
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  ::close(exit_fd_);
  ::close(stop_fd_);
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
  std::lock_guard<std::mutex> lock(listen_mutex_);
  listen_fd_ = fd;
  ArmListener(epoll_fd_, listen_fd_, EPOLL_CTL_ADD);
  return bound;
}

bool ConnectionLoop::Run() {
  {
    std::lock_guard<std::mutex> lock(listen_mutex_);
    if (listen_fd_ < 0) return false;
  }
  std::vector<std::thread> workers;
  for (int i = 0; i < threads_; ++i) workers.emplace_back([this, i] { Work(i); });
  running_ = true;
  Clock::time_point next_sweep = Clock::now() + kSweepInterval;
  for (;;) {
    if (stopping_) {
      CloseListener();
      Sweep();  // closes idle connections at once
      if (open_ == 0) break;
    }
    const bool busy = gate_.Watch();
    const Clock::time_point wake = busy ? std::min(next_sweep, Clock::now() + WorkerGate::kWatchInterval) : next_sweep;
    pollfd p{stop_fd_, POLLIN, 0};
    if (::poll(&p, 1, std::max(0, Millis(wake - Clock::now()))) > 0) {
      uint64_t count = 0;  // one read resets an eventfd's counter
      [[maybe_unused]] ssize_t n = ::read(stop_fd_, &count, sizeof count);
    }
    if (Clock::now() >= next_sweep) {
      Sweep();
      next_sweep = Clock::now() + kSweepInterval;
    }
  }
  Signal(exit_fd_);
  gate_.Exit();
  for (std::thread& worker : workers) worker.join();
  running_ = false;
  return true;
}

void ConnectionLoop::Stop() {
  stopping_ = true;
  Signal(stop_fd_);
}

void ConnectionLoop::Work(int worker) {
  while (gate_.Admit(worker)) {
    epoll_event event{};
    // One event at a time: events taken by a thread wait for it, while
    // another thread might be idle.
    if (epoll_wait(epoll_fd_, &event, 1, -1) != 1) continue;  // EINTR
    const uint64_t tag = event.data.u64;
    if (tag == kExitTag) return;
    gate_.Begin(worker);
    if (tag == kListenTag) {
      Accept();
    } else if (Connection* c = SlotConnection(tag & 0xffffffffu); c != nullptr) {
      std::lock_guard<std::mutex> lock(c->mutex);
      if (c->fd >= 0 && c->generation == static_cast<uint32_t>(tag >> 32)) {  // else closed since
        c->armed = 0;  // EPOLLONESHOT: delivered, so disarmed
        HandleEvent(c);
        if (c->fd >= 0) Rearm(c);
      }
    }
    gate_.End(worker);
  }
}

void ConnectionLoop::Accept() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = -1;
    int error = 0;
    {
      std::lock_guard<std::mutex> lock(listen_mutex_);
      if (listen_fd_ < 0) return;  // stopped
      fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      error = errno;
      if (fd < 0 && error != EINTR && error != ECONNABORTED && error != EMFILE && error != ENFILE) {
        ArmListener(epoll_fd_, listen_fd_, EPOLL_CTL_MOD);  // drained: the next connection wakes a worker
        return;
      }
    }
    if (fd >= 0) {
      AddConnection(fd, addr);
    } else if ((error == EMFILE || error == ENFILE) && !EvictOne()) {
      std::lock_guard<std::mutex> lock(listen_mutex_);
      accept_paused_ = true;  // armed again when a connection closes, or by the next sweep
      return;
    }
  }
}

void ConnectionLoop::AddConnection(int fd, const sockaddr_storage& addr) {
  if (open_ >= limits_.max_connections && !EvictOne()) {
    ::close(fd);  // every connection is being answered: no room
    return;
  }
  Connection* c = nullptr;
  {
    std::lock_guard<std::mutex> lock(slots_mutex_);
    if (!free_slots_.empty()) {
      c = slots_[free_slots_.back()].load();
      free_slots_.pop_back();
    } else if (slots_used_ < limits_.max_connections) {
      c = new Connection;
      c->slot = static_cast<uint32_t>(slots_used_.load());
      slots_[c->slot].store(c);
      ++slots_used_;
    }
    if (c != nullptr) ++open_;
  }
  if (c == nullptr) {
    ::close(fd);
    return;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  std::lock_guard<std::mutex> lock(c->mutex);  // a stale event's thread may hold it a moment
  c->fd = fd;
  c->buffer.clear();
  c->phase = Connection::Phase::kIdle;
  c->since = Clock::now();
  c->head_complete = c->continue_sent = c->keep_after_write = c->peer_closed = false;
  c->served = 0;
  c->registered = false;
  c->armed = 0;
  Address(addr, &c->remote_addr, &c->remote_port);
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  Address(local, &c->local_addr, &c->local_port);
  Watch(c, kReadEvents);
}

void ConnectionLoop::Close(Connection* c) {
  ReleasePending(c);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  c->fd = -1;
  ++c->generation;  // events taken before the EPOLL_CTL_DEL are dropped
  if (c->buffer.capacity() > 64 * 1024) std::string().swap(c->buffer);
  c->buffer.clear();
  {
    std::lock_guard<std::mutex> lock(slots_mutex_);
    free_slots_.push_back(c->slot);
    --open_;
  }
  if (stopping_ && open_ == 0) Signal(stop_fd_);  // Run() returns now, not at its next sweep
  ResumeAccept();
}

void ConnectionLoop::ResumeAccept() {
  std::lock_guard<std::mutex> lock(listen_mutex_);
  if (accept_paused_ && listen_fd_ >= 0) {
    accept_paused_ = false;
    ArmListener(epoll_fd_, listen_fd_, EPOLL_CTL_MOD);
  }
}

void ConnectionLoop::CloseListener() {
  std::lock_guard<std::mutex> lock(listen_mutex_);
  if (listen_fd_ < 0) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  ::close(listen_fd_);
  listen_fd_ = -1;
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
  }
}

void ConnectionLoop::Watch(Connection* c, uint32_t events) {
  if (c->registered && events == c->armed) return;
  epoll_event event{};
  event.events = events | EPOLLONESHOT;  // none: registered, but disarmed
  event.data.u64 = Tag(*c);
  epoll_ctl(epoll_fd_, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &event);
  c->registered = true;
  c->armed = events;
}

Connection* ConnectionLoop::SlotConnection(size_t slot) const {
  return slot < limits_.max_connections ? slots_[slot].load(std::memory_order_acquire) : nullptr;
}

}  // namespace stroke::apps
