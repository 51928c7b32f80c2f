// stroke-serve's draining stop: requests already received are answered with
// Connection: close, pipelined ones too, while new connections are refused.
// All traffic stays on loopback and every wait is bounded.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <thread>

#include "raw_http.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using stroke::testing::Get;
using stroke::testing::Post;
using stroke::testing::RawConnection;
using namespace std::chrono_literals;

// A server whose GET /features waits in its handler until Release(): a
// request held in flight while the test stops the server. Stop() is the
// test's; the destructor releases and joins.
class ServerWithAHeldRoute {
 public:
  ServerWithAHeldRoute() {
    ServeOptions options;
    options.port = 0;
    options.quiet = true;
    auto created = StrokeServer::Create(options, StrokeModel());
    EXPECT_TRUE(created.ok());
    server_ = std::move(*created);
    server_->SetRequestHook([this](const httplib::Request& req) {
      if (req.path != "/features") return;
      held_ = true;
      while (!release_) std::this_thread::sleep_for(1ms);
    });
    port_ = server_->Bind();
    listener_ = std::thread([this] { server_->Listen(); });
    while (!server_->IsRunning()) std::this_thread::sleep_for(1ms);
  }
  ~ServerWithAHeldRoute() {
    release_ = true;
    server_->Stop();
    listener_.join();
  }
  int port() const { return port_; }
  StrokeServer& server() { return *server_; }
  void WaitUntilHeld() const {
    while (!held_) std::this_thread::sleep_for(1ms);
  }
  void Release() { release_ = true; }

 private:
  std::unique_ptr<StrokeServer> server_;
  int port_ = 0;
  std::thread listener_;
  std::atomic<bool> held_{false}, release_{false};
};

TEST(Stop, RequestsAlreadyReceivedAreAnsweredWithConnectionClose) {
  ServerWithAHeldRoute s;
  const int port = s.port();
  RawConnection in_flight(port), partial(port), idle(port);
  in_flight.Send(Get("/features"));
  idle.Send(Get("/livez"));
  ASSERT_EQ(idle.Responses(2s).size(), 1u);
  const std::string request = Post("/predict", kPatient);
  partial.Send(request.substr(0, 40));
  s.WaitUntilHeld();
  s.server().Stop();
  std::this_thread::sleep_for(200ms);
  partial.Send(request.substr(40));  // received before its deadline: answered
  auto partial_answers = partial.Responses(3s);
  ASSERT_EQ(partial_answers.size(), 1u);
  EXPECT_EQ(partial_answers[0].status, 200);
  EXPECT_EQ(partial_answers[0].header("connection"), "close");
  EXPECT_TRUE(idle.ClosedByServer(3s));  // idle: closed, nothing to answer
  EXPECT_FALSE(RawConnection(port).Send(Get("/livez")) && RawConnection(port).Responses(500ms).size() == 1);
  s.Release();
  auto held_answers = in_flight.Responses(3s);
  ASSERT_EQ(held_answers.size(), 1u);
  EXPECT_EQ(held_answers[0].status, 200);
}

TEST(Stop, PipelinedRequestsGetTheirAnswerThenConnectionClose) {
  ServerWithAHeldRoute s;
  const int port = s.port();
  RawConnection c(port);
  c.Send(Get("/features") + Post("/explain", kPatient) + Get("/livez"));
  s.WaitUntilHeld();
  s.server().Stop();
  s.Release();
  auto answers = c.Responses(3s, 3);
  ASSERT_GE(answers.size(), 2u);  // no reset destroyed them
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_EQ(answers[1].header("connection"), "close");
  EXPECT_EQ(answers.size(), 2u);  // nothing after Connection: close
  EXPECT_TRUE(c.ClosedByServer(3s));
}

}  // namespace
}  // namespace stroke::apps
