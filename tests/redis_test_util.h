// Helpers for the tests that need a real Redis: child processes (redis-server,
// stroke-serve) on free loopback ports, stopped and reaped by their owners.
// Where Debian's redis-server is not installed, RedisServerProcess::Find()
// is "" and the tests SKIP.
#ifndef STROKE_TESTS_REDIS_TEST_UTIL_H_
#define STROKE_TESTS_REDIS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "redis_connection.h"

extern char** environ;

namespace stroke::testing {

// A loopback port nothing listens on now (bound, then released).
inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// `name` found on $PATH (then /usr/bin, /usr/sbin), or "".
inline std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(std::string(path != nullptr ? path : "") + ":/usr/bin:/usr/sbin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A child process with stdout and stderr to `log`; killed (SIGKILL) and
// reaped on destruction if still running.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (posix_spawn(&pid_, argv[0].c_str(), &files, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&files);
    EXPECT_GT(pid_, 0) << "cannot start " << argv[0];
  }
  ~ChildProcess() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      Wait(std::chrono::seconds(5));
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running() {
    if (pid_ <= 0 || exited_) return false;
    Reap(WNOHANG);
    return !exited_;
  }
  void Signal(int signal) {
    if (running()) ::kill(pid_, signal);
  }
  // The exit status once it exits within `timeout`, else -1 (still running).
  // A death by signal N is 128 + N.
  int Wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exited_ ? status_ : -1;
  }

 private:
  void Reap(int flags) {
    int status = 0;
    if (::waitpid(pid_, &status, flags) != pid_) return;
    exited_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = -1;
};

// redis-server on 127.0.0.1:`port`, nothing saved, its files in `dir`.
class RedisServerProcess {
 public:
  // Debian's redis-server, or "" (then the caller SKIPs).
  static std::string Find() { return FindProgram("redis-server"); }

  RedisServerProcess(int port, const std::string& dir)
      : port_(port),
        process_({Find(), "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                  "--dir", dir},
                 dir + "/redis.log") {
    EXPECT_TRUE(WaitUntilAnswering()) << "redis-server did not answer on port " << port;
  }
  ~RedisServerProcess() { Kill(); }

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // SIGKILL, as a crash: nothing is flushed, connections are reset.
  void Kill() {
    process_.Signal(SIGKILL);
    process_.Wait(std::chrono::seconds(5));
  }
  void Signal(int signal) { process_.Signal(signal); }
  // A connection of the test's own (a short timeout).
  apps::RedisConnection Connect() const {
    return apps::RedisConnection(apps::RedisAddress{"127.0.0.1", port_, 0}, std::chrono::milliseconds(500),
                                 std::chrono::milliseconds(2000));
  }

 private:
  bool WaitUntilAnswering() {
    for (int i = 0; i < 500 && process_.running(); ++i) {
      apps::RedisConnection redis = Connect();
      if (redis.Command({"PING"}).ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  const int port_;
  ChildProcess process_;
};

}  // namespace stroke::testing

#endif  // STROKE_TESTS_REDIS_TEST_UTIL_H_
