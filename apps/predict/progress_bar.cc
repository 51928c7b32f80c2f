#include "progress_bar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace stroke::apps {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(200);
constexpr int kBarWidth = 24;

std::string Duration(double seconds) {
  const auto s = static_cast<long long>(seconds);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string Count(double n) {
  if (n >= 1e6) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1e4) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

}  // namespace

ProgressBar::ProgressBar(std::ostream& err, uint64_t total_bytes) : err_(err), total_bytes_(total_bytes) {}

std::string ProgressBar::Line(uint64_t rows, uint64_t bytes_read, uint64_t total_bytes, double seconds) {
  std::string line = fmt::format("{} rows  {} rows/s  {} elapsed", Count(static_cast<double>(rows)),
                                 Count(seconds > 0 ? rows / seconds : 0), Duration(seconds));
  if (total_bytes == 0) return line;
  const double done = std::min(1.0, static_cast<double>(bytes_read) / static_cast<double>(total_bytes));
  const int filled = static_cast<int>(std::floor(done * kBarWidth));
  line = fmt::format("[{}{}] {:3.0f}%  ", std::string(filled, '#'), std::string(kBarWidth - filled, '.'), done * 100) + line;
  if (done > 0 && done < 1) line += "  ETA " + Duration(seconds * (1 - done) / done);
  return line;
}

void ProgressBar::Draw(uint64_t rows, uint64_t bytes_read) {
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  err_ << '\r' << Line(rows, bytes_read, total_bytes_, seconds) << "\x1b[K" << std::flush;
  drawn_ = true;
}

void ProgressBar::Update(uint64_t rows, uint64_t bytes_read) {
  const Clock::time_point now = Clock::now();
  if (drawn_ && now - last_draw_ < kRedrawEvery) return;
  if (!drawn_ && now - start_ < kRedrawEvery) return;  // a quick run shows no bar
  last_draw_ = now;
  Draw(rows, bytes_read);
}

void ProgressBar::Clear() {
  if (!drawn_) return;
  err_ << "\r\x1b[K";
  drawn_ = false;
  last_draw_ = {};
}

void ProgressBar::Finish(uint64_t rows, uint64_t bytes_read) {
  Draw(rows, bytes_read);
  err_ << '\n' << std::flush;
}

}  // namespace stroke::apps
