// Reloads a model repository when its files change (Linux inotify): a
// bundle or aliases.json written, moved or deleted; a model or version
// directory added or removed. Changes closer than 200 ms apart are one
// reload, so a bundle copied in several writes is read once it is whole
// (and if read half-written, it is refused and read again on its last write).
#ifndef STROKE_APPS_SERVE_REPOSITORY_WATCHER_H_
#define STROKE_APPS_SERVE_REPOSITORY_WATCHER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace stroke::apps {

class RepositoryWatcher {
 public:
  // Watches `dir` and its model and version directories; calls `on_change`
  // from the watcher's own thread. Null when inotify cannot be used (the
  // caller says so; SIGHUP still reloads).
  static std::unique_ptr<RepositoryWatcher> Start(const std::string& dir, std::function<void()> on_change);
  // Stops the thread; an `on_change` running finishes first.
  ~RepositoryWatcher();

  RepositoryWatcher(const RepositoryWatcher&) = delete;
  RepositoryWatcher& operator=(const RepositoryWatcher&) = delete;

 private:
  RepositoryWatcher(std::string dir, std::function<void()> on_change, int inotify_fd, int stop_fd);
  void Run();
  void WatchTree();  // adds a watch for every directory of the layout (again after each change)

  const std::string dir_;
  const std::function<void()> on_change_;
  const int inotify_fd_;
  const int stop_fd_;  // an eventfd: written once to stop
  std::thread thread_;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_REPOSITORY_WATCHER_H_
