#include "repository_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <filesystem>

namespace stroke::apps {
namespace {

constexpr uint32_t kEvents =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr int kQuietMs = 200;  // a reload waits for this long without a change

// Reads and discards what `fd` holds; false when nothing was there.
bool Drain(int fd) {
  std::array<char, 8192> buffer;
  bool any = false;
  while (read(fd, buffer.data(), buffer.size()) > 0) any = true;
  return any;
}

}  // namespace

std::unique_ptr<RepositoryWatcher> RepositoryWatcher::Start(const std::string& dir, std::function<void()> on_change) {
  const int inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd < 0) return nullptr;
  const int stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd < 0 || inotify_add_watch(inotify_fd, dir.c_str(), kEvents) < 0) {
    close(inotify_fd);
    if (stop_fd >= 0) close(stop_fd);
    return nullptr;
  }
  std::unique_ptr<RepositoryWatcher> watcher(new RepositoryWatcher(dir, std::move(on_change), inotify_fd, stop_fd));
  watcher->WatchTree();
  watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  return watcher;
}

RepositoryWatcher::RepositoryWatcher(std::string dir, std::function<void()> on_change, int inotify_fd, int stop_fd)
    : dir_(std::move(dir)), on_change_(std::move(on_change)), inotify_fd_(inotify_fd), stop_fd_(stop_fd) {}

RepositoryWatcher::~RepositoryWatcher() {
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) {}  // the thread also stops at its next wake-up
  if (thread_.joinable()) thread_.join();
  close(inotify_fd_);
  close(stop_fd_);
}

void RepositoryWatcher::WatchTree() {
  namespace fs = std::filesystem;
  std::error_code error;
  for (const auto& model : fs::directory_iterator(dir_, error)) {
    if (!model.is_directory(error)) continue;
    inotify_add_watch(inotify_fd_, model.path().c_str(), kEvents);
    for (const auto& version : fs::directory_iterator(model.path(), error)) {
      if (version.is_directory(error)) inotify_add_watch(inotify_fd_, version.path().c_str(), kEvents);
    }
  }
}

void RepositoryWatcher::Run() {
  std::array<pollfd, 2> fds = {pollfd{inotify_fd_, POLLIN, 0}, pollfd{stop_fd_, POLLIN, 0}};
  bool pending = false;  // a change seen, not yet reloaded
  for (;;) {
    const int ready = poll(fds.data(), fds.size(), pending ? kQuietMs : -1);
    if (ready < 0) continue;  // EINTR
    if (fds[1].revents != 0) return;
    if (ready > 0 && Drain(inotify_fd_)) {
      pending = true;
      WatchTree();  // new model or version directories
      continue;     // wait for quiet
    }
    if (pending) {
      pending = false;
      on_change_();
    }
  }
}

}  // namespace stroke::apps
