#include "predict_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "block_scorer.h"
#include "predict_command.h"
#include "progress_bar.h"
#include "record_chunker.h"
#include "stroke/record.h"
#include "stroke/record_input.h"

namespace stroke::apps {

// The message when writing the answers fails (exit 2, as for an unreadable input).
constexpr const char* kCannotWrite = "cannot write the answers (the output is full or closed): they are incomplete";
namespace {

constexpr size_t kReadBytes = 64 << 10;

struct Work {
  size_t index = 0;
  RecordBlock block;
  InputFormat format = InputFormat::kAuto;  // kAuto: a whole input, ReadInput detects
  std::string failure;                      // the input could not be read here (no block)
};

// The blocks between the reader, the scorer threads and the writer. At most
// `max_in_flight` blocks exist at once (read, queued, scored or waiting to be
// written): that bounds the memory whatever the input's size.
class Pipeline {
 public:
  explicit Pipeline(size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  // Reader: queues the next block, waiting for room; false once aborted.
  bool Push(Work work) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return in_flight_ < max_in_flight_ || aborted_; });
    if (aborted_) return false;
    work.index = pushed_++;
    ++in_flight_;
    queue_.push_back(std::move(work));
    work_ready_.notify_one();
    return true;
  }
  void EndOfInput() {
    std::lock_guard lock(mu_);
    input_ended_ = true;
    work_ready_.notify_all();
    scored_.notify_all();
  }
  // Scorer: the next block to score; nullopt when there will be none.
  std::optional<Work> Pop() {
    std::unique_lock lock(mu_);
    work_ready_.wait(lock, [&] { return !queue_.empty() || input_ended_ || aborted_; });
    if (queue_.empty() || aborted_) return std::nullopt;
    Work work = std::move(queue_.front());
    queue_.pop_front();
    return work;
  }
  void Done(size_t index, ScoredBlock block) {
    std::lock_guard lock(mu_);
    done_.emplace(index, std::move(block));
    scored_.notify_all();
  }
  // Writer: block `index` once scored, nullopt past the last block; waits at
  // most `timeout`, returning `timed_out` then.
  enum class Wait { kBlock, kEnd, kTimedOut };
  Wait Take(size_t index, std::chrono::milliseconds timeout, ScoredBlock* block) {
    std::unique_lock lock(mu_);
    const bool ready = scored_.wait_for(lock, timeout, [&] {
      return done_.count(index) > 0 || (input_ended_ && index == pushed_);
    });
    if (!ready) return Wait::kTimedOut;
    if (done_.count(index) == 0) return Wait::kEnd;
    *block = std::move(done_.at(index));
    done_.erase(index);
    --in_flight_;
    room_.notify_one();
    return Wait::kBlock;
  }
  bool Scored(size_t index) {
    std::lock_guard lock(mu_);
    return done_.count(index) > 0;
  }
  void Abort() {
    std::lock_guard lock(mu_);
    aborted_ = true;
    room_.notify_all();
    work_ready_.notify_all();
  }

 private:
  const size_t max_in_flight_;
  std::mutex mu_;
  std::condition_variable room_, work_ready_, scored_;
  std::deque<Work> queue_;
  std::map<size_t, ScoredBlock> done_;
  size_t pushed_ = 0, in_flight_ = 0;
  bool input_ended_ = false, aborted_ = false;
};

// The format to stream, once the start of the input decides it, as
// ReadInput would detect it: kCsv or kJsonl to stream, kJson to read whole
// (a JSON document, or text no detection accepts: ReadInput says why);
// kAuto while undecided.
InputFormat StreamFormat(std::string_view received, bool at_end, InputFormat declared) {
  if (declared != InputFormat::kAuto) return declared;
  const std::string_view text = SkipUtf8Bom(received);
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return at_end ? InputFormat::kJson : InputFormat::kAuto;
  if (text[start] == '[') return InputFormat::kJson;
  if (text[start] != '{') return InputFormat::kCsv;
  // "{": one JSON object, or JSON Lines when its first line is a whole record and more follows.
  const size_t line_end = text.find('\n', start);
  if (line_end == std::string_view::npos) return at_end ? InputFormat::kJson : InputFormat::kAuto;
  if (!ParseRecordJson(text.substr(start, line_end - start)).ok()) return InputFormat::kJson;
  if (text.find_first_not_of(" \t\r\n", line_end) != std::string_view::npos) return InputFormat::kJsonl;
  return at_end ? InputFormat::kJson : InputFormat::kAuto;
}

// The work item that ends the answers with `why` (exit 2).
Work Failure(std::string why) {
  Work work;
  work.failure = std::move(why);
  return work;
}

// Why the input stops at `chunker`'s record, longer than `limit` bytes.
std::string TooLong(const RecordChunker& chunker, size_t limit) {
  const std::string what = chunker.stop_is_header()
                               ? "the CSV header"
                               : fmt::format("row {} (line {})", chunker.stop_row(), chunker.stop_line());
  return fmt::format("{} is longer than --max-record-bytes ({} bytes) and was not read, nor anything after it: "
                     "is the input CSV or JSON Lines, with line breaks and closing quotes?",
                     what, limit);
}

// The reader thread: input -> blocks of whole records, in order.
void ReadBlocks(ByteSource& in, const CliOptions& options, Pipeline& pipeline, std::atomic<uint64_t>& bytes_read) {
  const InputFormat declared =
      options.input_format != InputFormat::kAuto ? options.input_format : FormatFromPath(options.input == "-" ? "" : options.input);
  std::string received;  // until the format is decided (a JSON document: all of it)
  std::vector<char> buffer(kReadBytes);
  InputFormat format = InputFormat::kAuto;
  std::optional<RecordChunker> chunker;
  // Queues every block chunker->Next(min_bytes, at_end) gives; false once the pipeline aborted.
  auto push_blocks = [&](size_t min_bytes, bool at_end) {
    while (std::optional<RecordBlock> block = chunker->Next(min_bytes, at_end)) {
      if (!pipeline.Push({0, std::move(*block), format, ""})) return false;
    }
    return true;
  };
  // The input stopped (too long, a broken quote) or ended: what is left, then why when too long.
  auto push_rest = [&](bool at_end) {
    if (!push_blocks(0, at_end)) return false;
    if (chunker->too_long()) pipeline.Push(Failure(TooLong(*chunker, options.max_record_bytes)));
    return true;
  };
  for (;;) {
    if (chunker) {
      if (!push_blocks(options.block_bytes, false)) return;
      if (chunker->stopped()) {
        if (!push_rest(false)) return;
        break;
      }
      // Idle input: what is whole goes now, so its answers can go out.
      if (!in.Ready() && !push_blocks(0, false)) return;
    }
    StatusOr<size_t> got = in.Read(buffer.data(), buffer.size());
    if (!got.ok()) {
      pipeline.Push(Failure(got.status().message()));
      break;
    }
    bytes_read += *got;
    const bool at_end = *got == 0;
    if (chunker) {
      chunker->Append(std::string_view(buffer.data(), *got));
    } else {
      received.append(buffer.data(), *got);
      if (format == InputFormat::kAuto) format = StreamFormat(received, at_end, declared);
      if (format == InputFormat::kCsv || format == InputFormat::kJsonl) {
        chunker.emplace(format, options.max_record_bytes);
        chunker->Append(received);
        received = std::string();
      } else if (received.size() > options.max_json_bytes) {  // a JSON document, or blanks before anything
        pipeline.Push(Failure(fmt::format(
            "{} is longer than --max-json-bytes ({} bytes): raise it, or give JSON Lines or CSV, which stream "
            "in constant memory",
            format == InputFormat::kJson ? "the JSON document" : "the input before its first record",
            options.max_json_bytes)));
        break;
      }
    }
    if (!at_end) continue;
    if (chunker) {
      if (!push_rest(true)) return;
    } else {  // a JSON document (or undetectable text): whole, detected as ReadInput does
      pipeline.Push({0, RecordBlock{std::move(received), 1, 1}, declared, ""});
    }
    break;
  }
  pipeline.EndOfInput();
}

}  // namespace

int PredictStream(const Model& model, const CliOptions& options, ByteSource& in, std::ostream& out,
                  std::ostream& err) {
  const size_t threads = std::max<size_t>(1, options.threads);
  Pipeline pipeline(2 * threads + 2);
  std::atomic<uint64_t> bytes_read{0};
  std::thread reader([&] { ReadBlocks(in, options, pipeline, bytes_read); });
  std::vector<std::thread> scorers;
  for (size_t t = 0; t < threads; ++t) {
    scorers.emplace_back([&] {
      BlockScorer scorer(model, options);
      while (std::optional<Work> work = pipeline.Pop()) {
        ScoredBlock scored;
        if (!work->failure.empty()) {
          scored.failure = work->failure;
        } else {
          scored = scorer.Score(work->block, work->format);
        }
        pipeline.Done(work->index, std::move(scored));
      }
    });
  }

  std::optional<ProgressBar> progress;
  if (options.progress.value_or(false)) progress.emplace(err, in.Size());
  size_t rows = 0, failed = 0;
  bool started = false, any_element = false, array = false;
  std::string failure;
  ScoredBlock block;
  for (size_t next = 0;;) {
    if (!pipeline.Scored(next)) out.flush();  // about to wait: what is written goes out now
    const Pipeline::Wait got = pipeline.Take(next, std::chrono::milliseconds(100), &block);
    if (progress) progress->Update(rows, bytes_read);
    if (got == Pipeline::Wait::kTimedOut) continue;
    if (got == Pipeline::Wait::kEnd) break;
    ++next;
    if (!block.failure.empty()) {
      failure = block.failure;
      break;
    }
    if (!started) {
      out << block.prologue;
      array = block.array_elements;
      started = true;
    }
    if (!block.err.empty()) {
      if (progress) progress->Clear();
      err << block.err;
    }
    if (array && !block.out.empty()) out << (any_element ? ",\n" : "[\n");
    any_element = any_element || !block.out.empty();
    out << block.out;
    rows += block.rows;
    failed += block.failed;
    if (!out) {  // a full disk, a closed file: the answers are lost, so stop
      failure = kCannotWrite;
      break;
    }
  }
  if (!failure.empty()) pipeline.Abort();
  reader.join();
  for (std::thread& t : scorers) t.join();
  if (progress) progress->Finish(rows, bytes_read);
  if (!failure.empty()) {
    out.flush();
    err << "stroke-predict: " << failure << '\n';
    return kExitUsage;
  }
  if (array) out << (any_element ? "\n]\n" : "[]\n");
  out.flush();
  if (!out) {
    err << "stroke-predict: " << kCannotWrite << '\n';
    return kExitUsage;
  }
  if (failed > 0) {
    err << "stroke-predict: " << failed << " of " << rows << " records failed\n";
    return kExitRowsFailed;
  }
  return kExitOk;
}

}  // namespace stroke::apps
