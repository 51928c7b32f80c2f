#include "redis_connection.h"

#include <fmt/format.h>
#include <hiredis.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

namespace stroke::apps {
namespace {

// SIGPIPE blocked in this thread while hiredis writes to a socket the peer
// closed, and a SIGPIPE raised meanwhile taken away, as libpq does: the
// write fails with EPIPE instead of the signal ending the process.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    was_pending_ = Pending();
  }
  ~SigpipeBlocked() {
    if (!was_pending_ && Pending()) {
      const timespec now{0, 0};
      sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  static bool Pending() {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
  }
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

timeval TimeVal(std::chrono::milliseconds ms) {
  return {static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>(ms.count() % 1000 * 1000)};
}

// A whole decimal number in [lo, hi] (no sign, no spaces), or -1.
long DecimalIn(std::string_view text, long lo, long hi) {
  if (text.empty() || text.size() > 9) return -1;
  long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value >= lo && value <= hi ? value : -1;
}

bool HostNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; }

}  // namespace

std::string RedisAddress::Url() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}:{}/{}", v6 ? "[" : "", host, v6 ? "]" : "", port, db);
}

StatusOr<RedisAddress> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  auto bad = [](const std::string& why) { return InvalidInputError(why); };
  if (url.rfind("rediss://", 0) == 0) return bad("TLS (rediss://) is not supported");
  if (url.rfind(kScheme, 0) != 0) return bad("the scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("@?#") != std::string_view::npos) {
    return bad("credentials (user@), queries (?) and fragments (#) are not supported");
  }
  RedisAddress address;
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    address.db = db.empty() ? 0 : static_cast<int>(DecimalIn(db, 0, 1000000));
    if (address.db < 0) return bad(fmt::format("the database \"{}\" is not a number in [0, 1000000]", db));
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 host needs its closing ]");
    address.host = std::string(authority.substr(1, close - 1));
    for (char c : address.host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return bad("the IPv6 host is malformed");
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("expected :PORT after the IPv6 host");
    if (!after.empty()) port = after.substr(1);
    if (after == ":") return bad("the port is empty");
  } else {
    const size_t colon = authority.find(':');
    address.host = std::string(authority.substr(0, colon));
    for (char c : address.host) {
      if (!HostNameChar(c)) return bad(fmt::format("the host \"{}\" has a character a host name cannot have", address.host));
    }
    if (!address.host.empty() && (address.host.front() == '-' || address.host.front() == '.')) {
      return bad(fmt::format("the host \"{}\" is not a host name", address.host));
    }
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad("the port is empty");
    }
  }
  if (address.host.empty()) return bad("the host is empty");
  if (address.host.size() > 253) return bad("the host is longer than 253 characters");
  if (!port.empty()) {
    address.port = static_cast<int>(DecimalIn(port, 1, 65535));
    if (address.port < 0) return bad(fmt::format("the port \"{}\" is not a number in [1, 65535]", port));
  }
  return address;
}

StatusOr<std::optional<RedisAddress>> ParseLogStore(std::string_view text) {
  if (text == "memory") return std::optional<RedisAddress>();
  StatusOr<RedisAddress> address = ParseRedisUrl(text);
  if (!address.ok()) {
    return InvalidInputError(
        fmt::format("expected memory or redis://HOST:PORT[/DB], got \"{}\": {}", text, address.status().message()));
  }
  return std::optional<RedisAddress>(*address);
}

void RedisReplyDeleter::operator()(redisReply* reply) const { freeReplyObject(reply); }

bool IsRedisError(const redisReply& reply) { return reply.type == REDIS_REPLY_ERROR; }

std::string RedisErrorText(const redisReply& reply) { return std::string(reply.str, reply.len); }

RedisConnection::RedisConnection(RedisAddress address, std::chrono::milliseconds connect_timeout,
                                 std::chrono::milliseconds command_timeout)
    : address_(std::move(address)), connect_timeout_(connect_timeout), command_timeout_(command_timeout) {}

RedisConnection::~RedisConnection() { Close(); }

void RedisConnection::Close() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

bool RedisConnection::Alive() {
  if (context_ == nullptr) return false;
  pollfd end{context_->fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&end, 1, 0) == 0) return true;  // nothing to read between commands: open
  Close();
  return false;
}

Status RedisConnection::Failed(const std::string& what) {
  std::string reason = context_ == nullptr ? "out of memory" : context_->errstr;
  if (context_ != nullptr && context_->err == REDIS_ERR_IO && reason == std::strerror(EAGAIN)) {
    reason = fmt::format("no answer within {} ms", command_timeout_.count());
  }
  Close();
  return IoError(what + ": " + reason);
}

Status RedisConnection::Connect() {
  if (context_ != nullptr) return Status::Ok();
  SigpipeBlocked quiet;
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, TimeVal(connect_timeout_));
  if (context_ == nullptr || context_->err != 0) return Failed("cannot connect");
  if (redisSetTimeout(context_, TimeVal(command_timeout_)) != REDIS_OK) return Failed("cannot set a timeout");
  // Connected only once Redis answers: the kernel accepts a connection for
  // a Redis that is stopped (SIGSTOP) or hung, which then never answers.
  const std::string db = std::to_string(address_.db);
  const bool select = address_.db != 0;
  StatusOr<RedisReply> answer = select ? Command({"SELECT", db}) : Command({"PING"});
  if (!answer.ok()) return answer.status();
  if (IsRedisError(**answer)) {
    const std::string why = RedisErrorText(**answer);
    Close();
    return IoError((select ? "SELECT " + db : std::string("PING")) + ": " + why);
  }
  return Status::Ok();
}

Status RedisConnection::Append(std::span<const std::string_view> args) {
  if (Status s = Connect(); !s.ok()) return s;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()) != REDIS_OK) {
    return Failed("cannot queue a command");
  }
  return Status::Ok();
}

StatusOr<RedisReply> RedisConnection::Reply() {
  if (context_ == nullptr) return IoError("not connected");
  SigpipeBlocked quiet;
  void* reply = nullptr;
  if (redisGetReply(context_, &reply) != REDIS_OK || reply == nullptr) return Failed("lost the connection");
  return RedisReply(static_cast<redisReply*>(reply));
}

StatusOr<RedisReply> RedisConnection::Command(std::span<const std::string_view> args) {
  if (Status s = Append(args); !s.ok()) return s;
  return Reply();
}

}  // namespace stroke::apps
