// CSV rows read straight into checked inputs (Schema::CheckCell,
// InputOptions::prepare, ScoreRecords on a RecordInput): the same answers,
// warnings and errors as the Record route, bit for bit - and the fast route
// really taken for clean rows, never for a row with anything to report.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "stroke/record_input.h"
#include "stroke/scoring.h"
#include "test_util.h"

namespace stroke {
namespace {

uint64_t Bits(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Cells worth trying on any field: numbers at and past its limits and
// training range, codes, null tokens, booleans, categories and near misses.
std::vector<std::string> CellsFor(const FieldSpec& field) {
  std::vector<std::string> cells = {"", "N/A", "0", "1", "-0", "2", "1.0", "0.0", "67", "67.5", "true", "FALSE",
                                    "yes", "1e400", "1e-400", "nan", "inf", "-inf", "abc", " 5", "+5", "0x10",
                                    "\xff", "1e5", "-3", "99999999999999999999"};
  for (double x : {field.hard_min, field.hard_max, field.train_min, field.train_max}) {
    if (!std::isfinite(x)) continue;
    for (double d : {-1.0, -1e-9, 0.0, 1e-9, 1.0}) cells.push_back(fmt::format("{}", x + d));
  }
  for (double code : field.known_codes) cells.push_back(fmt::format("{}", code));
  for (const std::string& token : field.null_tokens) cells.push_back(token);
  for (const std::string& category : field.categories) {
    cells.push_back(category);
    cells.push_back(category + " ");
    cells.push_back("\"" + category);
  }
  return cells;
}

TEST(SchemaCheckCell, AgreesWithCheckOnEveryFieldOfEveryBundle) {
  size_t clean = 0, dirty = 0;
  for (const std::string& path : testing::AllBundlePaths()) {
    const Model model = testing::LoadOrDie(path);
    for (const FieldSpec& spec : model.schema().fields()) {
      StatusOr<Schema> one = Schema::Create({spec});
      ASSERT_TRUE(one.ok()) << one.status().ToString();
      for (const std::string& cell : CellsFor(spec)) {
        for (bool refuse : {false, true}) {
          SCOPED_TRACE(path + " " + spec.name + " cell \"" + cell + "\"" + (refuse ? " refusing unknowns" : ""));
          CheckOptions options;
          options.refuse_unknown_categories = refuse;
          Record record;
          record.Set(spec.name, one->ValueFromText(0, cell));
          CheckResult result;
          double by_check = -7, by_cell = -8;
          one->Check(record, Span<double>(&by_check, 1), &result, options);
          const bool fast = one->CheckCell(0, cell, &by_cell, options);
          EXPECT_EQ(fast, result.errors.empty() && result.warnings.empty());
          if (fast) {
            EXPECT_EQ(Bits(by_cell), Bits(by_check));
          }
          (fast ? clean : dirty) += 1;
        }
      }
    }
  }
  EXPECT_GT(clean, 50u);
  EXPECT_GT(dirty, 50u);
}

// A golden row's value as a CSV cell that reads back to the same value.
std::string CellOf(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kNumber: return fmt::format("{}", value.number);
    case Value::Kind::kBool: return value.boolean ? "true" : "false";
    case Value::Kind::kString: {
      std::string quoted = "\"";
      for (char c : value.text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      return quoted + "\"";
    }
    default: return "";
  }
}

// Every answer of `a` equals `b`'s: ok, errors, warnings, and the prediction's bits.
void ExpectSameAnswers(const BatchScore& a, const BatchScore& b) {
  ASSERT_EQ(a.rows.size(), b.rows.size());
  EXPECT_EQ(a.failed, b.failed);
  for (size_t i = 0; i < a.rows.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i + 1));
    const RowScore &x = a.rows[i], &y = b.rows[i];
    ASSERT_EQ(x.ok, y.ok);
    EXPECT_EQ(JoinIssues(x.errors), JoinIssues(y.errors));
    EXPECT_EQ(JoinIssues(x.prediction.warnings), JoinIssues(y.prediction.warnings));
    EXPECT_EQ(x.prediction.label, y.prediction.label);
    EXPECT_EQ(x.prediction.prediction, y.prediction.prediction);
    EXPECT_EQ(Bits(x.prediction.probability), Bits(y.prediction.probability));
    EXPECT_EQ(Bits(x.prediction.raw_margin), Bits(y.prediction.raw_margin));
    EXPECT_EQ(Bits(x.prediction.value), Bits(y.prediction.value));
    for (size_t k = 0; k < x.prediction.probabilities.size(); ++k) {
      EXPECT_EQ(Bits(x.prediction.probabilities[k]), Bits(y.prediction.probabilities[k]));
    }
  }
  ASSERT_EQ(a.features.size(), b.features.size());
  for (size_t i = 0; i < a.features.size(); ++i) EXPECT_EQ(Bits(a.features[i]), Bits(b.features[i])) << i;
}

// Reads `csv` prepared and as Records, scores both with `options`, checks
// they agree; returns how many rows were prepared.
size_t ExpectPreparedAnswersAsRecords(const Model& model, const std::string& csv, const ScoreOptions& options,
                                      const std::string& id_column = "") {
  InputOptions plain{InputFormat::kCsv, "", id_column};
  InputOptions fast = plain;
  fast.prepare = options.check;
  StatusOr<RecordInput> a = ReadInput(csv, fast, model.schema());
  StatusOr<RecordInput> b = ReadInput(csv, plain, model.schema());
  EXPECT_TRUE(a.ok() && b.ok());
  if (!a.ok() || !b.ok()) return 0;
  ExpectSameAnswers(ScoreRecords(model, *a, options), ScoreRecords(model, b->rows, options));
  size_t prepared = 0;
  for (size_t i = 0; i < a->rows.size(); ++i) {
    prepared += a->rows[i].prepared;
    EXPECT_FALSE(b->rows[i].prepared);
    EXPECT_EQ(a->rows[i].id.kind, b->rows[i].id.kind);
    EXPECT_EQ(a->rows[i].id.text, b->rows[i].id.text);
  }
  return prepared;
}

const std::string kHeader =
    "id,gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
    "smoking_status,stroke";

TEST(PreparedCsv, StrokeRowsOfEveryKindAnswerAsTheirRecords) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  const std::vector<std::string> rows = {
      "1,Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1",     // clean
      "2,Female,61,0,0,Yes,Self-employed,Rural,202.21,N/A,never smoked,1",  // N/A bmi imputed: clean
      "3,\"Female\",80,0,1,Yes,Private,Rural,105.92,32.5,never smoked,1", // a quoted cell: clean
      "4,Male,90,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1",     // outside the training range: a warning
      "5,Male,old,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1",    // not a number
      "6,Male,67,0,1,Yes,Private,Urban,228.69,36.6,sometimes,1",           // unknown category
      "7,Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,\xff", // not UTF-8 in another column
      "8,Male,67,0,1,Yes,Private,Urban",                                   // short
      ",Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1",      // empty id
      "\xfe,Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1", // id not UTF-8
      "11,Male,-1,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1",    // below the hard limit
      "12,Other,1e400,2,1,Yes,Private,Urban,,36.6,formerly smoked,1",      // several at once
  };
  // The reader checks an all-ASCII text once, and others cell by cell: both ways.
  std::string csv = kHeader + "\n", ascii_csv = kHeader + "\n";
  for (const std::string& row : rows) {
    csv += row + "\n";
    if (row.find_first_of("\xfe\xff") == std::string::npos) ascii_csv += row + "\n";
  }
  for (const std::string* text : {&csv, &ascii_csv}) {
    for (const std::string& id : {std::string(), std::string("id")}) {
      for (bool refuse : {false, true}) {
        SCOPED_TRACE(std::string(text == &csv ? "" : "ASCII only, ") + "id column \"" + id + "\"" +
                     (refuse ? ", refusing unknown categories" : ""));
        ScoreOptions options;
        options.check.allow_unknown_fields = true;
        options.check.refuse_unknown_categories = refuse;
        options.keep_features = true;
        // Rows 1-3 are clean; without an id column, so is 9 (its empty id is just another cell).
        EXPECT_EQ(ExpectPreparedAnswersAsRecords(model, *text, options, id), id.empty() ? 4u : 3u);
      }
    }
  }
  // Unknown columns not allowed: no row is prepared (each answers its unknown fields).
  ScoreOptions strict;
  EXPECT_EQ(ExpectPreparedAnswersAsRecords(model, csv, strict), 0u);
  EXPECT_EQ(ExpectPreparedAnswersAsRecords(model, csv, strict, "id"), 0u);  // "stroke" is still unknown
}

TEST(PreparedCsv, EveryKindOfLineEndAnswersAsLf) {
  // Lines ending in a lone CR (a row each, as in old Mac files) outnumber the
  // text's '\n's, which size the reader's first guess of the rows.
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  std::vector<std::string> rows;
  for (int i = 1; i <= 300; ++i) {
    rows.push_back(std::to_string(i) + ",Female," + std::to_string(20 + i % 60) +
                   ",0,1,Yes,Private,Urban,10" + std::to_string(i % 10) + ".5,2" + std::to_string(i % 10) +
                   ".1,never smoked,0");
  }
  auto joined = [&](auto line_end) {
    std::string csv = kHeader + line_end(0);
    for (size_t i = 0; i < rows.size(); ++i) csv += rows[i] + line_end(i + 1);
    return csv;
  };
  const std::string lf = joined([](size_t) { return "\n"; });
  ScoreOptions options;
  options.check.allow_unknown_fields = true;
  const BatchScore expected = ScoreRecords(model, *ReadInput(lf, {InputFormat::kCsv, "", "id"}, model.schema()),
                                           options);
  for (const auto& [name, csv] : std::vector<std::pair<std::string, std::string>>{
           {"CR", joined([](size_t) { return "\r"; })},
           {"CRLF", joined([](size_t) { return "\r\n"; })},
           {"LF, 3 lone CRs", joined([](size_t i) { return i % 100 == 50 ? "\r" : "\n"; })},
           {"CR, one LF", joined([](size_t i) { return i == 7 ? "\n" : "\r"; })}}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(ExpectPreparedAnswersAsRecords(model, csv, options, "id"), rows.size());
    InputOptions fast{InputFormat::kCsv, "", "id"};
    fast.prepare = options.check;
    const StatusOr<RecordInput> input = ReadInput(csv, fast, model.schema());
    ASSERT_TRUE(input.ok());
    ASSERT_EQ(input->inputs.size(), rows.size() * model.schema().fields().size());
    ExpectSameAnswers(ScoreRecords(model, *input, options), expected);
  }
}

TEST(PreparedCsv, GoldenRowsOfEveryBundleAnswerAsTheirRecords) {
  for (const std::string& path : testing::AllBundlePaths()) {
    SCOPED_TRACE(path);
    const Model model = testing::LoadOrDie(path);
    std::string csv;
    for (const FieldSpec& field : model.schema().fields()) csv += (csv.empty() ? "" : ",") + field.name;
    csv += "\n";
    for (const GoldenRow& golden : model.golden_rows()) {
      std::string line;
      for (const FieldSpec& field : model.schema().fields()) {
        const Value* value = golden.inputs.Find(field.name);
        line += (line.empty() ? "" : ",") + (value ? CellOf(*value) : std::string());
      }
      csv += line + "\n";
    }
    ScoreOptions options;
    const size_t prepared = ExpectPreparedAnswersAsRecords(model, csv, options);
    EXPECT_GT(prepared, 0u);
  }
}

TEST(PreparedCsv, OtherChecksThanPreparedWithAreRefusedNotGuessed) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  InputOptions read{InputFormat::kCsv, "", "id"};
  read.prepare = CheckOptions{true, false};
  StatusOr<RecordInput> input =
      ReadInput(kHeader + "\n1,Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked,1\n", read, model.schema());
  ASSERT_TRUE(input.ok());
  ASSERT_TRUE(input->rows[0].prepared);
  ScoreOptions other;
  other.check = CheckOptions{true, true};
  const BatchScore scored = ScoreRecords(model, *input, other);
  ASSERT_FALSE(scored.rows[0].ok);
  EXPECT_EQ(scored.rows[0].errors[0].kind, IssueKind::kInternal);
  EXPECT_FALSE(ScoreRecords(model, input->rows, ScoreOptions{read.prepare.value()}).rows[0].ok);  // rows alone
  EXPECT_TRUE(ScoreRecords(model, *input, ScoreOptions{read.prepare.value()}).rows[0].ok);
}

}  // namespace
}  // namespace stroke
