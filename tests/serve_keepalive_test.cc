// stroke-serve's keep-alive connections once a worker has answered: the
// worker may answer the next request itself (connection_worker.cc), and the
// slow-client guarantees of connection_loop.h must hold all the same: a
// request that arrives slowly after a fast one holds no worker and keeps its
// deadline, an idle connection keeps its keep-alive timeout and can be
// evicted, pipelined requests keep their order and the request limit.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "raw_http.h"
#include "serve_test_util.h"

namespace stroke::apps {
namespace {

using stroke::testing::RawConnection;
using stroke::testing::RawResponse;
using namespace std::chrono_literals;

std::string Post(const std::string& body) {
  return "POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A client that has had one answer on its connection and sends only the
// first `sent` bytes of its next request: `pipelined`, with the first request
// (the worker that answers it finds them), else once it has the answer.
std::unique_ptr<RawConnection> HalfSentAfterAnAnswer(int port, size_t sent, bool pipelined = false) {
  auto c = std::make_unique<RawConnection>(port);
  if (pipelined) {
    c->Send(Post(kPatient) + Post(kPatient).substr(0, sent));
    EXPECT_EQ(c->Responses(2s).size(), 1u);
  } else {
    c->Send(Post(kPatient));
    EXPECT_EQ(c->Responses(2s).size(), 1u);
    c->Send(Post(kPatient).substr(0, sent));
  }
  return c;
}

void ExpectAPromptAnswer(int port) {
  const auto start = std::chrono::steady_clock::now();
  RawConnection c(port);
  c.Send(Post(kPatient));
  auto answers = c.Responses(2s);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(KeepAlive, ASlowRequestAfterAFastOneHoldsNoWorker) {
  for (bool pipelined : {true, false}) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE(::testing::Message() << "threads " << threads << (pipelined ? ", pipelined" : ""));
      ServeOptions options;
      options.threads = threads;
      RunningServer s(options);
      std::vector<std::unique_ptr<RawConnection>> slow;  // as many as there are workers
      for (int i = 0; i < threads; ++i) slow.push_back(HalfSentAfterAnAnswer(s.port(), 60, pipelined));
      std::this_thread::sleep_for(100ms);
      ExpectAPromptAnswer(s.port());
      ExpectAPromptAnswer(s.port());
    }
  }
}

TEST(KeepAlive, ARequestCompletedLaterIsAnsweredOnItsConnection) {
  ServeOptions options;
  options.threads = 2;
  RunningServer s(options);
  const std::string request = Post(kPatient);
  auto c = HalfSentAfterAnAnswer(s.port(), 60, /*pipelined=*/true);
  std::this_thread::sleep_for(300ms);
  c->Send(request.substr(60));
  auto answers = c->Responses(2s, 2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_DOUBLE_EQ(Json::parse(answers[1].body)["probability"].get<double>(), LibraryProbability(kPatient));
}

TEST(KeepAlive, TheHeaderDeadlineCountsForARequestAfterAnAnswer) {
  ServeOptions options;
  options.header_timeout_s = 1;
  RunningServer s(options);
  const auto start = std::chrono::steady_clock::now();
  auto c = HalfSentAfterAnAnswer(s.port(), 20, /*pipelined=*/true);
  auto answers = c->Responses(3s, 2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[1].status, 408);
  EXPECT_GT(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_TRUE(c->ClosedByServer(3s));
}

TEST(KeepAlive, AnIdleConnectionIsClosedAfterTheKeepAliveTimeout) {
  ServeOptions options;
  options.keep_alive_timeout_s = 1;
  RunningServer s(options);
  RawConnection c(s.port());
  c.Send(Post(kPatient));
  ASSERT_EQ(c.Responses(2s).size(), 1u);
  const auto answered = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.ClosedByServer(3s));
  EXPECT_GT(std::chrono::steady_clock::now() - answered, 900ms);
}

TEST(KeepAlive, AnIdleConnectionAfterAnAnswerMakesRoomForANewOne) {
  ServeOptions options;
  options.max_connections = 2;
  RunningServer s(options);
  RawConnection first(s.port()), second(s.port());
  first.Send(Post(kPatient));
  ASSERT_EQ(first.Responses(2s).size(), 1u);
  std::this_thread::sleep_for(20ms);
  second.Send(Post(kPatient));
  ASSERT_EQ(second.Responses(2s).size(), 1u);
  ExpectAPromptAnswer(s.port());  // a third connection: the longest idle one is closed
  EXPECT_TRUE(first.ClosedByServer(2s));
}

TEST(KeepAlive, PipelinedRequestsKeepTheirOrderAndTheRequestLimit) {
  ServeOptions options;
  options.keep_alive_max = 5;
  RunningServer s(options);
  RawConnection c(s.port());
  std::string requests;
  for (int i = 0; i < 8; ++i) {
    requests += i % 2 == 0 ? Post(kPatient) : "GET /nowhere-" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  }
  c.Send(requests);
  auto answers = c.Responses(3s, 8);
  ASSERT_EQ(answers.size(), 5u);  // then Connection: close
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i].status, i % 2 == 0 ? 200 : 404) << i;
  EXPECT_EQ(answers[4].header("connection"), "close");
  EXPECT_TRUE(c.ClosedByServer(3s));
}

}  // namespace
}  // namespace stroke::apps
