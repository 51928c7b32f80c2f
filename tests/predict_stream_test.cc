// stroke-predict's streaming pipeline, run in-process: the answers, errors and
// exit status of the shipped test inputs are byte for byte what stroke-predict
// wrote before it streamed (tests/data/predict_stream, make_golden.sh), however
// the input arrives and on however many threads; record boundaries at every
// byte; input order on thousands of rows; the id and kept columns; progress.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "byte_source.h"
#include "cli_options.h"
#include "predict_command.h"
#include "progress_bar.h"
#include "record_chunker.h"
#include "test_util.h"

namespace stroke::apps {
namespace {

using Json = nlohmann::ordered_json;

const std::string kDataDir = std::string(STROKE_TEST_DATA_DIR) + "/predict_stream/";

// Gives `text` `step` bytes per read and, every `idle_every` reads, says it is
// idle (a pipe whose writer pauses): blocks end wherever the bytes do.
class TrickleSource : public ByteSource {
 public:
  TrickleSource(std::string text, size_t step, size_t idle_every)
      : text_(std::move(text)), step_(step), idle_every_(idle_every) {}
  StatusOr<size_t> Read(char* buffer, size_t n) override {
    const size_t count = std::min({n, step_, text_.size() - at_});
    text_.copy(buffer, count, at_);
    at_ += count;
    ++reads_;
    return count;
  }
  bool Ready() override { return idle_every_ == 0 || reads_ % idle_every_ != 0; }
  uint64_t Size() const override { return 0; }

 private:
  std::string text_;
  size_t step_, idle_every_, at_ = 0, reads_ = 0;
};

struct CliRun {
  int status;
  std::string out, err;
};

CliOptions Options(const std::vector<std::string>& args) {
  auto options = ParseCliOptions(args);
  EXPECT_TRUE(options.ok()) << options.status().ToString();
  CliOptions o = options.ok() ? *options : CliOptions();
  if (o.model.empty()) o.model = testing::ShippedBundlePath("stroke");
  return o;
}

CliRun RunOn(const CliOptions& options, ByteSource& source) {
  std::ostringstream out, err;
  const int status = RunCommand(options, source, out, err);
  return {status, out.str(), err.str()};
}

CliRun Trickle(CliOptions options, const std::string& input, size_t step, size_t idle_every, size_t threads,
            size_t block_bytes) {
  options.threads = threads;
  options.block_bytes = block_bytes;
  TrickleSource source(input, step, idle_every);
  return RunOn(options, source);
}

struct GoldenCase {
  std::string name;
  std::vector<std::string> args;  // the last is the input file's name
};

std::vector<GoldenCase> GoldenCases() {
  std::vector<GoldenCase> cases;
  std::ifstream list(kDataDir + "cases.txt");
  for (std::string line; std::getline(list, line);) {
    std::istringstream words(line);
    GoldenCase c;
    words >> c.name;
    for (std::string word; words >> word;) c.args.push_back(word);
    if (!c.name.empty()) cases.push_back(c);
  }
  return cases;
}

class GoldenOutput : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenOutput, IsTodaysByteForByteHoweverTheInputArrives) {
  const GoldenCase& c = GetParam();
  const std::string input = testing::ReadFile(kDataDir + c.args.back());
  const std::string out = testing::ReadFile(kDataDir + c.name + ".out");
  const std::string err = testing::ReadFile(kDataDir + c.name + ".err");
  const int status = std::stoi(testing::ReadFile(kDataDir + c.name + ".status"));
  ASSERT_FALSE(out.empty());

  std::vector<std::string> file_args = c.args;
  file_args.back() = kDataDir + c.args.back();
  for (size_t threads : {1, 2, 4}) {  // the file, by name
    CliOptions options = Options(file_args);
    options.threads = threads;
    options.block_bytes = 1000;
    std::istringstream unused;
    std::ostringstream got_out, got_err;
    EXPECT_EQ(RunCommand(options, unused, got_out, got_err), status);
    EXPECT_EQ(got_out.str(), out) << c.name << " threads " << threads;
    EXPECT_EQ(got_err.str(), err) << c.name << " threads " << threads;
  }
  std::vector<std::string> stdin_args(c.args.begin(), c.args.end() - 1);  // stdin: the format is detected
  const CliOptions options = Options(stdin_args);
  for (const auto& [step, idle_every, threads, block] :
       std::vector<std::tuple<size_t, size_t, size_t, size_t>>{{1 << 16, 0, 1, 64 << 10}, {7, 3, 2, 100},
                                                               {1, 5, 3, 1}, {4096, 1, 2, 1 << 20}}) {
    const CliRun run = Trickle(options, input, step, idle_every, threads, block);
    EXPECT_EQ(run.status, status);
    EXPECT_EQ(run.out, out) << c.name << " step " << step << " threads " << threads;
    EXPECT_EQ(run.err, err) << c.name << " step " << step << " threads " << threads;
  }
}

void PrintTo(const GoldenCase& c, std::ostream* out) { *out << c.name; }

INSTANTIATE_TEST_SUITE_P(Shipped, GoldenOutput, ::testing::ValuesIn(GoldenCases()),
                         [](const auto& info) { return info.param.name; });

// Every record of `text`, read whole, as (row, line, record or error) text.
std::vector<std::string> RowsOf(const std::vector<RecordBlock>& blocks, InputFormat format) {
  std::vector<std::string> rows;
  for (const RecordBlock& block : blocks) {
    auto input = ReadInput(block.text, {format, "", "", block.first_line, block.first_row}, Schema());
    if (!input.ok()) {
      rows.push_back("input error: " + input.status().message());
      continue;
    }
    for (const InputRow& row : input->rows) {
      std::string text = std::to_string(row.row) + "@" + std::to_string(row.line) + ":";
      if (!row.record.ok()) text += "error " + row.record.status().message();
      for (const auto& [name, value] : row.record.ok() ? row.record->fields() : decltype(row.record->fields()){}) {
        text += name + "=" + value.Describe() + ";";
      }
      rows.push_back(text);
    }
  }
  return rows;
}

// Every block `chunker` gives for `text`, appended `step` bytes at a time
// (0: all at once), asking for blocks of `min_bytes`, then the end.
std::vector<RecordBlock> BlocksOf(RecordChunker& chunker, const std::string& text, size_t step, size_t min_bytes) {
  std::vector<RecordBlock> blocks;
  for (size_t at = 0; at < text.size(); at += step == 0 ? text.size() : step) {
    chunker.Append(std::string_view(text).substr(at, step == 0 ? text.size() : step));
    while (auto block = chunker.Next(min_bytes, false)) blocks.push_back(*block);
    if (chunker.stopped()) return blocks;
  }
  while (auto block = chunker.Next(0, true)) blocks.push_back(*block);
  return blocks;
}

TEST(RecordChunker, CutsAtEveryByteGiveTheRowsOfTheWholeInput) {
  const std::vector<std::pair<InputFormat, std::string>> inputs = {
      {InputFormat::kCsv, "\xEF\xBB\xBF\r\na,\"b\nc\",d\r\n1,\"x\"\"\ny\",3\r2,\"p\r\nq\",\n\n3,,\"\"\r\n\"4\",5,6\n7,8,9,10\n\"\"\n,\n"},
      // A header ending in CR, a block starting with a blank line: still two lines.
      {InputFormat::kCsv, "a,b\r1,2\n\n3,x,\n\n\n4,5"},
      {InputFormat::kJsonl, "\xEF\xBB\xBF{\"a\": 1}\r\n  \n{\"a\": \"x\\ny\"}\nnot json\n\n{\"b\": 2}"},
  };
  for (const auto& [format, text] : inputs) {
    RecordChunker whole(format);
    const std::vector<std::string> expected = RowsOf(BlocksOf(whole, text, 0, 0), format);
    EXPECT_GE(expected.size(), 3u);
    for (size_t min_bytes : {size_t{0}, size_t{1}, size_t{8}}) {
      RecordChunker bytes(format);  // a byte at a time, blocks as soon as records are whole
      const std::vector<RecordBlock> blocks = BlocksOf(bytes, text, 1, min_bytes);
      EXPECT_GT(blocks.size(), 2u);
      EXPECT_EQ(RowsOf(blocks, format), expected) << text;
    }
  }
}

// An unclosed quote, or text after a closing quote, fails the input there,
// after the rows before it - however the bytes arrive.
TEST(RecordChunker, ACsvErrorNamesTheLineOfTheWholeInputAfterTheRowsBeforeIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a,b\n1,2\n3,4\n\"unterminated,5\n6,7\n", "input error: CSV line 4: unterminated quoted field"},
      {"a,b\n1,2\n3,4\n\"closed\"x,5\n6,7\n", "input error: CSV line 4: text after a closing quote"},
  };
  for (const auto& [text, error] : cases) {
    for (size_t step : {size_t{0}, size_t{1}, size_t{5}}) {
      RecordChunker chunker(InputFormat::kCsv);
      const std::vector<std::string> rows = RowsOf(BlocksOf(chunker, text, step, 0), InputFormat::kCsv);
      ASSERT_EQ(rows.size(), 3u) << text << " step " << step;  // the rows before it, then the error
      EXPECT_EQ(rows[1], "2@3:a=\"3\";b=\"4\";");
      EXPECT_EQ(rows[2], error);
    }
  }
}

// Memory stays bounded: a million blank lines (LF or CR) are dropped as they
// come, their lines still counted; a record longer than the limit stops the
// chunker at the same row however the bytes arrive.
TEST(RecordChunker, BlankLinesAreDroppedAndLongRecordsStopItTheSameWayHoweverTheyArrive) {
  for (const std::string blank : {"\n", "\r"}) {
    RecordChunker chunker(InputFormat::kCsv, 1000);
    size_t most = 0;
    chunker.Append("a,b\n1,2\n");
    std::vector<RecordBlock> blocks;
    for (int i = 0; i < 1000; ++i) {
      chunker.Append(std::string(1000, blank[0]));
      while (auto block = chunker.Next(64, false)) blocks.push_back(*block);
      most = std::max(most, chunker.pending_bytes());
    }
    chunker.Append("3,4\n");
    while (auto block = chunker.Next(0, true)) blocks.push_back(*block);
    EXPECT_LT(most, size_t{200} << 10);
    const std::vector<std::string> rows = RowsOf(blocks, InputFormat::kCsv);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1], "2@1000003:a=\"3\";b=\"4\";") << "blank " << int(blank[0]);
  }
  const std::string text = "a,b\n1,2\n3," + std::string(30, '4') + "\n5,6\n";
  for (size_t step : {size_t{0}, size_t{1}, size_t{7}}) {
    RecordChunker chunker(InputFormat::kCsv, 20);
    const std::vector<std::string> rows = RowsOf(BlocksOf(chunker, text, step, 0), InputFormat::kCsv);
    EXPECT_EQ(rows, std::vector<std::string>{"1@2:a=\"1\";b=\"2\";"}) << "step " << step;
    EXPECT_TRUE(chunker.too_long());
    EXPECT_EQ(chunker.stop_row(), 2u);
    EXPECT_EQ(chunker.stop_line(), 3u);
  }
  RecordChunker header(InputFormat::kCsv, 3);
  EXPECT_TRUE(BlocksOf(header, text, 0, 0).empty());
  EXPECT_TRUE(header.stop_is_header());
}

TEST(PredictStream, ThousandsOfRowsKeepTheirOrderOnEveryThreadCount) {
  std::string jsonl, csv = "age,gender,hypertension,heart_disease,ever_married,work_type,Residence_type,"
                           "avg_glucose_level,bmi,smoking_status\n";
  for (int i = 0; i < 5000; ++i) {
    const double age = (i * 37) % 8200 / 100.0;
    std::string patient = testing::kSamplePatient;
    patient.replace(patient.find("67"), 2, std::to_string(age));
    jsonl += patient + "\n";
    csv += std::to_string(age) + ",Male,0,1,Yes,Private,Urban,228.69," + (i % 7 ? "36.6" : "N/A") + ",smokes\n";
  }
  for (const std::string& input : {jsonl, csv}) {
    const CliOptions options = Options({"--output", "jsonl"});
    const CliRun one = Trickle(options, input, 1 << 20, 0, 1, size_t{1} << 30);  // one block
    ASSERT_EQ(one.status, kExitOk) << one.err;
    std::istringstream lines(one.out);
    size_t row = 0;
    for (std::string line; std::getline(lines, line);) EXPECT_EQ(Json::parse(line)["row"], ++row);
    EXPECT_EQ(row, 5000u);
    for (size_t threads : {2, 4}) {
      const CliRun many = Trickle(options, input, 3000, 2, threads, 512);
      EXPECT_EQ(many.status, kExitOk);
      EXPECT_TRUE(many.out == one.out) << "threads " << threads;  // not printed: 5000 lines
    }
  }
}

TEST(PredictStream, AnInputUnreadablePartWayStopsThereAfterTheAnswersBeforeIt) {
  std::string csv = "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,"
                    "avg_glucose_level,bmi,smoking_status\n";
  for (int i = 1; i <= 5000; ++i) {
    csv += i == 2500 ? "\"Male\"x,67,0,1,Yes,Private,Urban,228.69,36.6,smokes\n"  // text after a closing quote
                     : "Male,67,0,1,Yes,Private,Urban,228.69,36.6,smokes\n";
  }
  for (size_t threads : {1, 2, 4}) {
    const CliRun run = Trickle(Options({"--output", "jsonl"}), csv, 4096, 3, threads, 256);
    EXPECT_EQ(run.status, kExitUsage);
    EXPECT_EQ(run.err, "stroke-predict: cannot read input: CSV line 2501: text after a closing quote\n");
    // Every row before it was answered, in order, and nothing after it, wherever the blocks fall.
    std::istringstream lines(run.out);
    size_t row = 0;
    for (std::string line; std::getline(lines, line);) EXPECT_EQ(Json::parse(line)["row"], ++row);
    EXPECT_EQ(row, 2499u);
  }
}

const char kKaggleCsv[] =
    "id,gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
    "smoking_status,stroke\n"
    "9046,Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1\n"
    "51676,Female,61,0,0,Yes,Self-employed,Rural,202.21,N/A,never smoked,1\n"
    "31112,Male,80,0,1,Yes,Private,Rural,105.92,32.5,never smoked,0\n";

TEST(PredictStream, KaggleFileScoresAsItIsWithItsIdUnderItsOwnName) {
  CliOptions options = Options({"--id-column", "id"});
  std::istringstream in(kKaggleCsv);
  std::ostringstream out, err;
  ASSERT_EQ(RunCommand(options, in, out, err), kExitOk) << err.str();
  std::istringstream lines(out.str());
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  EXPECT_EQ(header, "row,id,probability,prediction,label,raw_margin,warnings,errors");
  EXPECT_EQ(first.substr(0, 7), "1,9046,");
}

TEST(PredictStream, KeepColumnsCarriesWhatTheModelDoesNotRead) {
  std::istringstream in(kKaggleCsv);
  std::ostringstream out, err;
  ASSERT_EQ(RunCommand(Options({"--id-column", "id", "--keep-columns"}), in, out, err), kExitOk) << err.str();
  EXPECT_EQ(out.str().substr(0, out.str().find('\n')),
            "row,id,stroke,probability,prediction,label,raw_margin,warnings,errors");
  EXPECT_EQ(out.str().substr(out.str().find('\n') + 1, 9), "1,9046,1,");

  // JSON: each record's own extra fields, in its order; one the answer has itself is that row's error.
  const std::string note = std::string(R"({"note": "a,b", "visit": 3, )") + (testing::kSamplePatient + 1);
  const std::string clash = std::string(R"({"label": "x", )") + (testing::kSamplePatient + 1);
  std::istringstream json_in(note + "\n" + clash + "\n");
  std::ostringstream json_out, json_err;
  EXPECT_EQ(RunCommand(Options({"--keep-columns"}), json_in, json_out, json_err), kExitRowsFailed);
  std::istringstream answers(json_out.str());
  std::string line;
  std::getline(answers, line);
  const Json kept = Json::parse(line);
  EXPECT_EQ(std::next(kept.begin()).key(), "note");
  EXPECT_EQ(kept["note"], "a,b");
  EXPECT_EQ(kept["visit"], 3);
  EXPECT_TRUE(kept.contains("probability"));
  std::getline(answers, line);
  EXPECT_EQ(Json::parse(line)["errors"][0]["field"], "label");
  EXPECT_NE(json_err.str().find("row 2 (line 2): label: cannot be kept"), std::string::npos) << json_err.str();

  // CSV answers need CSV input (their columns come from its header).
  std::istringstream jsonl_in(note + "\n" + note + "\n");
  std::ostringstream csv_out, csv_err;
  EXPECT_EQ(RunCommand(Options({"--keep-columns", "--output", "csv"}), jsonl_in, csv_out, csv_err), kExitUsage);
  EXPECT_EQ(csv_out.str(), "");

  // With --emit-features, CSV answers have a column per feature: a kept column or the
  // identifier of a feature's name would make a header naming a column twice.
  std::string feature_named = kKaggleCsv;
  feature_named.replace(feature_named.find("stroke\n"), 7, "gender_Male\n");
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--id-column", "id", "--keep-columns", "--emit-features"},
        std::vector<std::string>{"--id-column", "gender_Male", "--emit-features"}}) {
    std::istringstream clash_in(feature_named);
    std::ostringstream clash_out, clash_err;
    EXPECT_EQ(RunCommand(Options(flags), clash_in, clash_out, clash_err), kExitUsage) << flags[2];
    EXPECT_EQ(clash_out.str(), "") << flags[2];
    EXPECT_NE(clash_err.str().find("\"gender_Male\""), std::string::npos) << clash_err.str();
    EXPECT_NE(clash_err.str().find("--emit-features"), std::string::npos) << clash_err.str();
  }
  std::istringstream json_clash_in(feature_named);  // JSON answers nest the features: no clash
  std::ostringstream json_clash_out, json_clash_err;
  EXPECT_EQ(RunCommand(Options({"--id-column", "id", "--keep-columns", "--emit-features", "--output", "jsonl"}),
                       json_clash_in, json_clash_out, json_clash_err),
            kExitOk)
      << json_clash_err.str();
}

TEST(PredictStream, KeepColumnsCarriesABadIdentifiersRowToo) {
  // CSV: an empty id cell; its row is a bad record that still carries its kept column.
  std::string csv = kKaggleCsv;
  csv.replace(csv.find("51676"), 5, "");
  std::istringstream csv_in(csv);
  std::ostringstream csv_out, csv_err;
  EXPECT_EQ(RunCommand(Options({"--id-column", "id", "--keep-columns"}), csv_in, csv_out, csv_err), kExitRowsFailed);
  std::istringstream rows(csv_out.str());
  std::string row;
  for (int i = 0; i < 3; ++i) std::getline(rows, row);  // the header, row 1, row 2
  EXPECT_EQ(row.substr(0, 6), "2,,1,,") << row;         // no id, stroke 1, no probability
  EXPECT_NE(row.find("id: expected the identifier"), std::string::npos) << row;

  // JSON: "id": "" and a record without "id" keep their own extra fields too.
  const std::string rest = std::string(R"("note": "a,b", )") + (testing::kSamplePatient + 1);
  std::istringstream json_in("{\"id\": \"\", " + rest + "\n{" + rest + "\n");
  std::ostringstream json_out, json_err;
  EXPECT_EQ(RunCommand(Options({"--id-column", "id", "--keep-columns"}), json_in, json_out, json_err), kExitRowsFailed);
  std::istringstream answers(json_out.str());
  for (std::string line; std::getline(answers, line);) {
    const Json answer = Json::parse(line);
    EXPECT_TRUE(answer["id"].is_null()) << line;
    EXPECT_EQ(answer["note"], "a,b") << line;
    EXPECT_EQ(answer["errors"][0]["field"], "id") << line;
  }
}

TEST(PredictStream, CsvColumnsTheModelDoesNotReadAreNoErrorsJsonFieldsStillAre) {
  std::istringstream csv(kKaggleCsv);
  std::ostringstream out, err;
  EXPECT_EQ(RunCommand(Options({}), csv, out, err), kExitOk) << err.str();
  std::istringstream json(std::string(testing::kSamplePatient).insert(1, R"("id": 9046, )"));
  EXPECT_EQ(RunCommand(Options({}), json, out, err), kExitRowsFailed);
}

TEST(PredictStream, ProgressGoesToStderrOnlyWhenAsked) {
  CliOptions options = Options({"--progress"});
  std::istringstream in(kKaggleCsv);
  std::ostringstream out, err;
  ASSERT_EQ(RunCommand(options, in, out, err), kExitOk);
  EXPECT_NE(err.str().find("3 rows"), std::string::npos) << err.str();
  EXPECT_EQ(err.str().back(), '\n');
  EXPECT_FALSE(Options({"--no-progress"}).progress.value_or(true));
  EXPECT_FALSE(Options({}).progress.has_value());  // main decides: a terminal or not
  EXPECT_EQ(ProgressBar::Line(500, 50, 100, 10), "[############............]  50%  500 rows  50 rows/s  0:10 elapsed  ETA 0:10");
  EXPECT_EQ(ProgressBar::Line(20000, 0, 0, 3725), "20.0k rows  5 rows/s  1:02:05 elapsed");
}

}  // namespace
}  // namespace stroke::apps
