// stroke-serve's workers (connection_loop.h, worker_gate.h): two per core run
// the epoll loop, and a handler that blocks is replaced
// by a parked worker, so requests never wait for blocked handlers while
// --threads allows another worker.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "connection_loop.h"
#include "raw_http.h"
#include "serve_test_util.h"
#include "stroke/cpus.h"

namespace stroke::apps {
namespace {

using stroke::testing::Get;
using stroke::testing::Post;
using stroke::testing::RawConnection;
using namespace std::chrono_literals;

TEST(Workers, HandlersThatBlockDoNotStallOtherRequests) {
  // More blocked handlers than workers running the loop (kActiveWorkersPerCore
  // per CPU): they are all blocked, and the one left of --threads must take over.
  const int blocked = kActiveWorkersPerCore * stroke::AvailableCpus() + 1;
  ServeOptions options;
  options.port = 0;
  options.quiet = true;
  options.threads = blocked + 1;
  auto created = StrokeServer::Create(options, StrokeModel());
  ASSERT_TRUE(created.ok());
  std::unique_ptr<StrokeServer> server = std::move(*created);
  std::atomic<int> held{0};
  std::atomic<bool> release{false};
  server->SetRequestHook([&](const httplib::Request& req) {
    if (req.path != "/features") return;
    ++held;
    while (!release) std::this_thread::sleep_for(1ms);
  });
  const int port = server->Bind();
  std::thread listener([&] { server->Listen(); });
  while (!server->IsRunning()) std::this_thread::sleep_for(1ms);

  std::vector<std::unique_ptr<RawConnection>> in_flight;
  for (int i = 0; i < blocked; ++i) {
    in_flight.push_back(std::make_unique<RawConnection>(port));
    in_flight.back()->Send(Get("/features"));
    const auto start = std::chrono::steady_clock::now();
    while (held < i + 1 && std::chrono::steady_clock::now() - start < 2s) std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(held, blocked);  // each taken by a worker while the others block
  {
    const auto start = std::chrono::steady_clock::now();
    RawConnection c(port);
    c.Send(Post("/predict", kPatient));
    auto answers = c.Responses(2s, 1);
    EXPECT_EQ(answers.size(), 1u);
    if (!answers.empty()) {
      EXPECT_EQ(answers[0].status, 200);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  }
  release = true;
  for (auto& connection : in_flight) EXPECT_EQ(connection->Responses(2s, 1).size(), 1u);
  in_flight.clear();  // closed by the client: the stop need not wait for them
  server->Stop();
  listener.join();
}

}  // namespace
}  // namespace stroke::apps
