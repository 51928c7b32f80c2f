// A one-line progress report on a terminal: rows, rows/s, elapsed time and,
// when the input's size is known, a bar, the share read and an ETA.
// Our own, in ~80 lines: Debian 12 packages no C or C++ progress-bar library
// (no indicators, no libprogressbar; `apt-cache search progress` finds Go,
// Rust and Haskell ones only).
#ifndef STROKE_APPS_PREDICT_PROGRESS_BAR_H_
#define STROKE_APPS_PREDICT_PROGRESS_BAR_H_

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace stroke::apps {

// Not thread-safe: the writer thread owns it.
class ProgressBar {
 public:
  // `total_bytes`: the input's size, 0 when unknown (a pipe).
  ProgressBar(std::ostream& err, uint64_t total_bytes);

  // Redraws the line when 0.2 s have passed since the last drawing.
  void Update(uint64_t rows, uint64_t bytes_read);
  // Erases the line (before other text goes to `err`); the next Update draws it again.
  void Clear();
  // Draws the final figures (however quick the run) and ends the line.
  void Finish(uint64_t rows, uint64_t bytes_read);

  // The line for these figures after `seconds` (without the carriage return).
  static std::string Line(uint64_t rows, uint64_t bytes_read, uint64_t total_bytes, double seconds);

 private:
  using Clock = std::chrono::steady_clock;
  void Draw(uint64_t rows, uint64_t bytes_read);

  std::ostream& err_;
  const uint64_t total_bytes_;
  const Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_PROGRESS_BAR_H_
