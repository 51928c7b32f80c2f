// stroke-serve: the HTTP API for a libstroke model. Wires flags, the model
// and the server; routes live in routes.cc, HTTP in server.cc.
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "auth.h"
#include "model_path.h"
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
  std::string lookup_error;
  const std::string path = ResolveModelPath(options->model, &lookup_error);
  if (path.empty()) {
    std::cerr << "stroke-serve: " << lookup_error << '\n';
    return 2;
  }
  auto model = stroke::Model::Load(path, options->load);
  if (!model.ok()) {
    std::cerr << "stroke-serve: " << model.status().ToString() << '\n';
    return 2;
  }
  // Signals go to one thread: SIGINT/SIGTERM stop the server gracefully,
  // SIGHUP reopens the logs (logrotate) and serves on. Blocked before the
  // server starts its worker threads, which inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto server = StrokeServer::Create(*options, *model);
  if (!server.ok()) {
    std::cerr << "stroke-serve: " << server.status().message() << '\n';
    return 2;
  }
  const int port = (*server)->Bind();
  if (port < 0) {
    std::cerr << "stroke-serve: cannot listen on " << options->host << ':' << options->port << '\n';
    return 2;
  }
  std::cerr << "stroke-serve: serving " << model->info().name << " " << model->info().version << " (" << path
            << ") on http://" << options->host << ':' << port << "  (docs: /docs)\n";
  std::thread stopper([&server, signals] {
    for (;;) {
      int received = 0;
      sigwait(&signals, &received);
      if (received == SIGHUP) {
        const stroke::Status reopened = (*server)->ReopenLogs();
        std::cerr << "stroke-serve: SIGHUP: " << (reopened.ok() ? "logs reopened" : reopened.message()) << '\n';
        continue;
      }
      std::cerr << "stroke-serve: signal " << received << ": finishing in-flight requests\n";
      (*server)->Stop();
      return;
    }
  });
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
