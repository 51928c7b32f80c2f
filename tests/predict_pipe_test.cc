// stroke-predict as a process: answers come out while the input still
// arrives (a pipe that pauses after 3 records and half way), and a large
// input is scored in constant memory. Waits are bounded (30 s for what takes
// milliseconds); nothing here measures speed.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "test_util.h"

extern char** environ;

// Sanitizers keep shadow memory and freed blocks (ASan's quarantine): a
// sanitized stroke-predict's resident size says nothing about its own.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STROKE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define STROKE_SANITIZED 1
#endif
#endif

namespace stroke {
namespace {

struct Child {
  pid_t pid = -1;
  int in = -1;   // its stdin
  int out = -1;  // its stdout
};

// Starts stroke-predict with `args`; stdin and stdout are pipes unless a
// file is named for stdout ("" = a pipe).
Child Start(const std::vector<std::string>& args, const std::string& stdout_path = "") {
  int in_pipe[2], out_pipe[2];
  EXPECT_EQ(pipe(in_pipe), 0);
  EXPECT_EQ(pipe(out_pipe), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  if (stdout_path.empty()) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) posix_spawn_file_actions_addclose(&actions, fd);
  std::vector<std::string> all = {STROKE_PREDICT_BIN, "--model", testing::ShippedBundlePath("stroke")};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, STROKE_PREDICT_BIN, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  child.in = in_pipe[1];
  child.out = out_pipe[0];
  return child;
}

void WriteAll(int fd, const std::string& text) {
  for (size_t at = 0; at < text.size();) {
    const ssize_t n = write(fd, text.data() + at, text.size() - at);
    ASSERT_GT(n, 0);
    at += static_cast<size_t>(n);
  }
}

// Reads `fd` until `lines` line breaks have come, the end, or `seconds` pass.
std::string ReadLines(int fd, size_t lines, double seconds) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) < lines) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[4096];
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

int Wait(const Child& child, rusage* usage = nullptr) {
  int status = 0;
  rusage ignored;
  wait4(child.pid, &status, 0, usage ? usage : &ignored);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string kCsvHeader =
    "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,smoking_status\n";

std::string CsvRows(size_t n) {
  std::string rows;
  for (size_t i = 0; i < n; ++i) {
    rows += (i % 2 ? "Male," : "Female,") + std::to_string(20 + i % 60) + ",0,1,Yes,Private,Urban," +
            std::to_string(80 + i % 150) + "." + std::to_string(i % 100) + "," + (i % 9 ? "31.5" : "N/A") + ",smokes\n";
  }
  return rows;
}

TEST(PredictPipe, AnswersWhatHasArrivedBeforeTheRestArrives) {
  signal(SIGPIPE, SIG_IGN);
  for (const std::string format : {"csv", "jsonl"}) {
    std::string few, first_half, second_half;  // 3 records, then 997 (half of the input), then 1000
    if (format == "csv") {
      const std::string rows = CsvRows(2000);
      const size_t third = rows.find('\n', rows.find('\n', rows.find('\n') + 1) + 1) + 1;
      size_t half = 0;
      for (int i = 0; i < 1000; ++i) half = rows.find('\n', half) + 1;
      few = kCsvHeader + rows.substr(0, third);
      first_half = rows.substr(third, half - third);
      second_half = rows.substr(half);
    } else {
      for (int i = 0; i < 2000; ++i) (i < 3 ? few : i < 1000 ? first_half : second_half) += std::string(testing::kSamplePatient) + "\n";
    }
    Child child = Start({"--threads", "2", "--output", "jsonl"});
    // The input's writer pauses after each part: its answers must come without more input
    // (a few answers are less than an output buffer: they come because the pipe went idle).
    WriteAll(child.in, few);
    const std::string early = ReadLines(child.out, 3, 30);
    EXPECT_EQ(std::count(early.begin(), early.end(), '\n'), 3) << format;
    WriteAll(child.in, first_half);
    const std::string half = ReadLines(child.out, 997, 30);
    EXPECT_EQ(std::count(half.begin(), half.end(), '\n'), 997) << format;
    WriteAll(child.in, second_half);
    close(child.in);
    const std::string rest = ReadLines(child.out, 1000, 30);
    EXPECT_EQ(std::count(rest.begin(), rest.end(), '\n'), 1000) << format;
    EXPECT_EQ(rest.substr(0, 12), "{\"row\":1001,") << format;
    close(child.out);
    EXPECT_EQ(Wait(child), 0) << format;
  }
}

TEST(PredictPipe, TwoHundredThousandRowsStayUnder64MegabytesResident) {
#ifdef STROKE_SANITIZED
  GTEST_SKIP() << "a sanitized build's resident size is the sanitizer's";
#endif
  testing::TempDir dir;
  const std::string input = (dir.path() / "big.csv").string();
  {
    std::ofstream file(input, std::ios::binary);
    file << kCsvHeader;
    const std::string thousand = CsvRows(1000);
    for (int i = 0; i < 200; ++i) file << thousand;
  }
  Child child = Start({"--threads", "2", input}, "/dev/null");
  close(child.in);
  close(child.out);
  rusage usage{};
  EXPECT_EQ(Wait(child, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, 64 * 1024) << "peak resident set in KiB";  // the input alone is 12 MB
  EXPECT_GT(usage.ru_maxrss, 0);
}

// Answers that cannot be written (a full disk) are lost: exit 2, never a
// success nor "some records failed".
TEST(PredictPipe, AnOutputThatCannotBeWrittenExitsTwo) {
  testing::TempDir dir;
  const std::string input = (dir.path() / "rows.csv").string();
  std::ofstream(input, std::ios::binary) << kCsvHeader << CsvRows(1000);
  Child child = Start({input}, "/dev/full");
  close(child.in);
  close(child.out);
  rusage usage{};
  EXPECT_EQ(Wait(child, &usage), 2);
}

// Writes `text` to `fd` until it is written or the reader has gone (EPIPE).
void WriteWhileRead(int fd, const std::string& text) {
  for (size_t at = 0; at < text.size();) {
    const ssize_t n = write(fd, text.data() + at, text.size() - at);
    if (n <= 0) return;
    at += static_cast<size_t>(n);
  }
}

// A record that never ends (no line break: /dev/zero, a binary file, a
// missing closing quote) stops the run at --max-record-bytes, after the
// answers to the records before it; a JSON document at --max-json-bytes.
// Neither waits for the end of the input, nor holds more than the limit.
TEST(PredictPipe, AnEndlessRecordStopsAtTheLimitAfterTheAnswersBeforeIt) {
  signal(SIGPIPE, SIG_IGN);
  const std::string endless_row(64 << 10, 'x');
  const std::string endless_quote = "\"" + std::string(64 << 10, ',');
  for (const std::string* tail : {&endless_row, &endless_quote}) {
    Child child = Start({"--max-record-bytes", "1000000", "--output", "jsonl"});
    WriteWhileRead(child.in, kCsvHeader + CsvRows(5));
    for (int i = 0; i < 40; ++i) WriteWhileRead(child.in, *tail);  // 2.6 MB; the input stays open
    const std::string answers = ReadLines(child.out, 6, 30);
    EXPECT_EQ(std::count(answers.begin(), answers.end(), '\n'), 5) << answers;
    rusage usage{};
    EXPECT_EQ(Wait(child, &usage), 2);
    close(child.in);
    close(child.out);
  }
  Child child = Start({"--max-json-bytes", "100000"});
  WriteWhileRead(child.in, "[");
  for (int i = 0; i < 1000; ++i) WriteWhileRead(child.in, std::string(testing::kSamplePatient) + ",");
  EXPECT_EQ(ReadLines(child.out, 1, 30), "");
  EXPECT_EQ(Wait(child), 2);
  close(child.in);
  close(child.out);
}

}  // namespace
}  // namespace stroke
