// stroke-serve: the HTTP API for libstroke models. Wires flags, the models
// and the server; routes live in routes.cc, HTTP in server.cc, the models in
// model_repository.cc.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "auth.h"
#include "serve_options.h"
#include "server.h"

namespace {

using namespace stroke::apps;

int Passwd(const std::vector<std::string>& args) {
  if (args.size() != 2) {
    std::cerr << "usage: stroke-serve passwd USER   (the password is read from stdin)\n";
    return 2;
  }
  std::string password;
  std::getline(std::cin, password);
  if (password.empty()) {
    std::cerr << "stroke-serve passwd: empty password\n";
    return 2;
  }
  const std::string hash = HashPassword(password);
  if (hash.empty()) {
    std::cerr << "stroke-serve passwd: hashing failed\n";
    return 1;
  }
  std::cout << args[1] << ':' << hash << '\n';
  return 0;
}

int ApiKey(const std::vector<std::string>& args) {
  if (args.size() != 2) {
    std::cerr << "usage: stroke-serve apikey NAME\n";
    return 2;
  }
  auto [key, line] = NewApiKey(args[1]);
  // The line on stdout (`stroke-serve apikey dash >> keys.txt` writes the --api-keys file),
  // the key itself on stderr, for the person to hand over.
  std::cerr << "key for " << args[1] << " (give it to the client; it is shown once): " << key << '\n';
  std::cout << line << '\n';
  return 0;
}

// "stroke 1.0.0 (models/stroke.bundle.json)", or for a repository "3 models
// from DIR (default: stroke/2); refused: ..." - what an operator checks first.
std::string ServedSummary(const ModelRepository& models) {
  std::string served, refused;
  size_t count = 0;
  const std::shared_ptr<const RepositoryIndex> index = models.Index();  // held: a reload may replace it
  for (const auto& [name, entry] : *index) {
    ++count;
    if (!entry.reason.empty()) refused += "\n  " + name + ": " + entry.reason;
    for (const auto& [version, state] : entry.versions) {
      if (!state.reason.empty()) refused += "\n  " + name + "/" + std::to_string(version) + ": " + state.reason;
      if (state.served && models.directory().empty()) {
        served += (served.empty() ? "" : ", ") + state.served->routes->model_name() + " " +
                  state.served->routes->model_version() + " (" + state.served->path + ")";
      }
    }
  }
  if (!models.directory().empty()) {
    served = std::to_string(count) + " model(s) from " + models.directory() + " (default: " +
             (models.default_model().empty() ? "none" : models.default_model()) + ")";
  }
  return served + (refused.empty() ? "" : "; not servable:" + refused + "\n ");
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "passwd") return Passwd(args);
  if (!args.empty() && args[0] == "apikey") return ApiKey(args);
  auto options = ParseServeOptions(args, [](const char* name) { return std::getenv(name); });
  if (!options.ok()) {
    std::cerr << "stroke-serve: " << options.status().message() << '\n';
    return 2;
  }
  if (options->help) {
    std::cout << ServeUsage();
    return 0;
  }
  // Signals go to one thread: SIGINT/SIGTERM stop the server gracefully,
  // SIGHUP reopens the logs (logrotate) and serves on. Blocked before the
  // server starts its worker threads, which inherit the mask. The thread
  // runs from before the models load: a stop signal while they load (a big
  // repository can take a while) ends the process at once, nothing being
  // served yet.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::atomic<StrokeServer*> running{nullptr};  // set once the server is up
  std::thread stopper([&running, signals] {
    for (;;) {
      int received = 0;
      sigwait(&signals, &received);
      StrokeServer* server = running.load();
      if (server == nullptr) {
        if (received == SIGHUP) continue;  // nothing loaded yet to reload or reopen
        std::cerr << "stroke-serve: signal " << received << " while loading the models: stopped\n";
        std::_Exit(128 + received);
      }
      if (received == SIGHUP) {
        const stroke::Status reopened = server->ReopenLogs();
        std::cerr << "stroke-serve: SIGHUP: " << (reopened.ok() ? "logs reopened" : reopened.message()) << '\n';
        server->ReloadModels();
        continue;
      }
      std::cerr << "stroke-serve: signal " << received << ": finishing in-flight requests\n";
      server->Stop();
      return;
    }
  });
  auto server = StrokeServer::Create(*options);
  if (!server.ok()) {
    std::cerr << "stroke-serve: " << server.status().message() << '\n';
    stopper.detach();
    return 2;
  }
  const int port = (*server)->Bind();
  if (port < 0) {
    std::cerr << "stroke-serve: cannot listen on " << options->host << ':' << options->port << '\n';
    stopper.detach();
    return 2;
  }
  std::cerr << "stroke-serve: serving " << ServedSummary((*server)->models()) << " on http://" << options->host << ':'
            << port << "  (docs: /docs, page: /ui)\n";
  running.store(server->get());

  const bool ok = (*server)->Listen();
  if (stopper.joinable()) {
    if (ok) {
      stopper.join();
    } else {
      stopper.detach();
    }
  }
  std::cerr << "stroke-serve: stopped\n";
  return ok ? 0 : 1;
}
