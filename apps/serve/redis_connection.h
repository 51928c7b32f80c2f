// A Redis address parsed from a URL, and one blocking hiredis connection with
// timeouts: what RedisLogStore (redis_log_store.h) talks to Redis through.
//
//   StatusOr<RedisAddress> address = ParseRedisUrl("redis://127.0.0.1:6379/0");
//   RedisConnection redis(*address, std::chrono::milliseconds(500), std::chrono::milliseconds(500));
//   StatusOr<RedisReply> pong = redis.Command({"PING"});   // connects first
#ifndef STROKE_APPS_SERVE_REDIS_CONNECTION_H_
#define STROKE_APPS_SERVE_REDIS_CONNECTION_H_

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stroke/status.h"

struct redisContext;
struct redisReply;

namespace stroke::apps {

struct RedisAddress {
  std::string host;  // a name, an IPv4 address or an IPv6 one (without brackets)
  int port = 6379;
  int db = 0;        // SELECTed after connecting
  // "redis://host:port/db" (IPv6 hosts in brackets).
  std::string Url() const;
};

// Parses redis://HOST[:PORT][/DB]: HOST a name (letters, digits, '-', '.'),
// an IPv4 address or [IPv6]; PORT 1-65535 (default 6379); DB 0-1000000
// (default 0). kInvalidInput saying what is wrong otherwise ("the scheme
// must be redis://", credentials, a query, an empty host, a port out of range).
StatusOr<RedisAddress> ParseRedisUrl(std::string_view url);

// --log-store's value: "memory" (nullopt) or a Redis URL (ParseRedisUrl).
// kInvalidInput "expected memory or redis://HOST:PORT[/DB], got \"...\": why".
StatusOr<std::optional<RedisAddress>> ParseLogStore(std::string_view text);

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const;
};
// A reply of hiredis, freed with its elements.
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// Whether `reply` is Redis's error reply (WRONGTYPE, OOM, ...), and its text.
bool IsRedisError(const redisReply& reply);
std::string RedisErrorText(const redisReply& reply);

// One blocking connection: connects on first use (and again after an error
// closed it), every read and write bounded by `command_timeout`. A command
// never raises SIGPIPE (a closed socket is an error, not a signal).
// Not thread-safe: one thread at a time (its owner's lock).
class RedisConnection {
 public:
  RedisConnection(RedisAddress address, std::chrono::milliseconds connect_timeout,
                  std::chrono::milliseconds command_timeout);
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;
  ~RedisConnection();

  // Connects unless connected, and waits for Redis's answer to SELECT (the
  // database) or PING: a stopped or hung Redis whose kernel accepted the
  // connection is not connected. kIoError with hiredis's or Redis's reason
  // ("Connection refused", "PING: no answer within 1000 ms") otherwise.
  Status Connect();
  bool connected() const { return context_ != nullptr; }
  // Whether the connection is open and Redis has not closed it meanwhile (a
  // restarted or killed Redis: its end is readable between two commands);
  // closes it if Redis has. One poll(2), no round trip.
  bool Alive();
  void Close();

  // Queues one command (its arguments binary-safe) to send with the next
  // Reply(); connects first. kIoError if not connected.
  Status Append(std::span<const std::string_view> args);
  Status Append(std::initializer_list<std::string_view> args) { return Append(std::span(args.begin(), args.size())); }
  // Sends what was queued and reads the reply of the oldest command queued.
  // An error reply of Redis is a reply (IsRedisError); an I/O error or a
  // timeout closes the connection and is kIoError with its reason.
  StatusOr<RedisReply> Reply();
  // Append, then Reply.
  StatusOr<RedisReply> Command(std::span<const std::string_view> args);
  StatusOr<RedisReply> Command(std::initializer_list<std::string_view> args) {
    return Command(std::span(args.begin(), args.size()));
  }

  const RedisAddress& address() const { return address_; }

 private:
  Status Failed(const std::string& what);  // closes; kIoError "what: reason"

  const RedisAddress address_;
  const std::chrono::milliseconds connect_timeout_, command_timeout_;
  redisContext* context_ = nullptr;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_REDIS_CONNECTION_H_
