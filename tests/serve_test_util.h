// Helpers for the stroke-serve tests: a StrokeServer on an ephemeral port,
// clients, users files.
#ifndef STROKE_TESTS_SERVE_TEST_UTIL_H_
#define STROKE_TESTS_SERVE_TEST_UTIL_H_
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <crypt.h>

#include "auth.h"
#include "server.h"
#include "test_util.h"

namespace stroke::apps {

using Json = nlohmann::ordered_json;

inline constexpr const char* kPatient = testing::kSamplePatient;

inline const Model& StrokeModel() {
  static const Model* model = new Model(testing::LoadOrDie(testing::ShippedBundlePath("stroke")));
  return *model;
}

// A path for `name` in this test process's temporary directory, which is
// removed with its files when the process exits.
inline std::string TempPath(const std::string& name) {
  static const testing::TempDir dir("stroke_serve_test_");
  return dir.File(name);
}

// Tag: serve the models the options name (--model, --model-repository).
struct OptionsModels {};

// A running server; stopped and joined on destruction.
class RunningServer {
 public:
  explicit RunningServer(ServeOptions options, const Model& model = StrokeModel()) {
    Start(StrokeServer::Create(Quiet(std::move(options)), model));
  }
  RunningServer(ServeOptions options, OptionsModels) { Start(StrokeServer::Create(Quiet(std::move(options)))); }
  ~RunningServer() {
    if (!server_) return;  // Create failed (reported)
    server_->Stop();
    thread_.join();
  }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_tcp_nodelay(true);
    return client;
  }
  StrokeServer& server() { return *server_; }
  int port() const { return port_; }

 private:
  static ServeOptions Quiet(ServeOptions options) {
    options.port = 0;
    options.quiet = true;
    return options;
  }
  void Start(StatusOr<std::unique_ptr<StrokeServer>> server) {
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    port_ = server_->Bind();
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_->Listen(); });
    while (!server_->IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  std::unique_ptr<StrokeServer> server_;
  int port_ = 0;
  std::thread thread_;
};

inline httplib::Headers Basic(const std::string& user, const std::string& password) {
  return {httplib::make_basic_authentication_header(user, password)};
}

// alice (admin) / wonderland, bob / builder, as bcrypt hashes (cost 5 keeps tests quick).
inline ServeOptions WithUsers() {
  const std::string path = TempPath("users");
  std::ofstream file(path);
  file << "# test users\n"
       << "alice:" << HashPassword("wonderland", 5) << "\n"
       << "bob:" << HashPassword("builder", 5) << "\n";
  ServeOptions options;
  options.users_file = path;
  options.admins = {"alice"};
  return options;
}

inline double LibraryProbability(const std::string& record) {
  auto answer = StrokeModel().Predict(testing::RecordOrDie(record));
  EXPECT_TRUE(answer.ok());
  return answer.ok() ? answer->probability : -1;
}

}  // namespace stroke::apps

#endif  // STROKE_TESTS_SERVE_TEST_UTIL_H_
