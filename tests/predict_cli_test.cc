// stroke-predict, run in-process: formats, per-row errors, exit statuses,
// --emit-features, --threshold, info; and the bad-input table on the stroke model.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_options.h"
#include "stroke/record_input.h"
#include "hostile_bundles.h"
#include "predict_command.h"
#include "test_util.h"

namespace stroke::apps {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kPatient = testing::kSamplePatient;

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

CliRun Predict(const std::vector<std::string>& args, const std::string& input) {
  auto options = ParseCliOptions(args);
  EXPECT_TRUE(options.ok()) << options.status().ToString();
  if (!options.ok()) return {-1, "", ""};
  options->model = options->model.empty() ? testing::ShippedBundlePath("stroke") : options->model;
  std::istringstream in(input);
  std::ostringstream out, err;
  const int code = RunCommand(*options, in, out, err);
  return {code, out.str(), err.str()};
}

double LibraryProbability(const std::string& json) {
  static const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  auto answer = model.Predict(testing::RecordOrDie(json));
  EXPECT_TRUE(answer.ok());
  return answer.ok() ? answer->probability : -1;
}

TEST(PredictCli, JsonObjectInJsonObjectOut) {
  CliRun run = Predict({}, kPatient);
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  Json answer = Json::parse(run.out);
  EXPECT_EQ(answer["row"], 1);
  EXPECT_EQ(answer["probability"].get<double>(), LibraryProbability(kPatient));
  EXPECT_EQ(answer["label"], answer["prediction"] == 1 ? "stroke" : "no stroke");
  EXPECT_TRUE(answer["warnings"].empty());
}

TEST(PredictCli, BadRowIsReportedOthersAnsweredExitOne) {
  const std::string bad = R"({"gender": "Robot", "age": -1})";
  std::string array = "[";
  array.append(kPatient).append(", ").append(bad).append(", ").append(kPatient).append("]");
  CliRun run = Predict({}, array);
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  Json answers = Json::parse(run.out);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_TRUE(answers[0].contains("probability"));
  EXPECT_TRUE(answers[2].contains("probability"));
  ASSERT_TRUE(answers[1].contains("errors"));
  EXPECT_EQ(answers[1]["errors"][0]["field"], "gender");
  EXPECT_NE(run.err.find("row 2: gender: expected one of"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("age: must be in [0, 130], got -1"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("1 of 3 records failed"), std::string::npos) << run.err;
}

TEST(PredictCli, JsonLinesWithLineNumbers) {
  std::string lines_in = kPatient;
  lines_in.append("\n\nnot json\n").append(kPatient).append("\n");
  CliRun run = Predict({}, lines_in);
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  std::istringstream lines(run.out);
  std::string line;
  std::vector<Json> answers;
  while (std::getline(lines, line)) answers.push_back(Json::parse(line));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[1]["errors"][0]["type"], "parse");
  EXPECT_EQ(answers[2]["row"], 3);
  EXPECT_NE(run.err.find("row 2 (line 3): invalid JSON"), std::string::npos) << run.err;
}

TEST(PredictCli, CsvWithNullTokenAndCsvOut) {
  const std::string csv =
      "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
      "smoking_status\n"
      "Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked\n"
      "Female,61,0,0,Yes,Self-employed,Rural,202.21,N/A,never smoked\n"
      "Female,abc,0,0,Yes,Self-employed,Rural,202.21,N/A,never smoked\n";
  CliRun run = Predict({}, csv);
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  // The answers read back by the library's input module (no model fields: every cell is text).
  auto rows = ReadInput(run.out, {InputFormat::kCsv, "", ""}, Schema());
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->rows.size(), 3u);
  auto cell = [&](size_t row, const char* column) { return rows->rows[row].record->Find(column)->text; };
  EXPECT_EQ(std::stod(cell(0, "probability")), LibraryProbability(kPatient));
  const std::string imputed =
      R"({"gender": "Female", "age": 61, "hypertension": 0, "heart_disease": 0, "ever_married": "Yes", )"
      R"("work_type": "Self-employed", "Residence_type": "Rural", "avg_glucose_level": 202.21, "bmi": null, )"
      R"("smoking_status": "never smoked"})";
  EXPECT_EQ(std::stod(cell(1, "probability")), LibraryProbability(imputed));
  EXPECT_NE(cell(2, "errors").find("age: expected a number, got \"abc\""), std::string::npos);
  EXPECT_NE(run.err.find("row 3 (line 4)"), std::string::npos) << run.err;
}

const char kStrokeCsv[] =
    "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
    "smoking_status\n"
    "Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked\n";

TEST(PredictCli, ByteOrderMarkIsIgnoredInEveryFormat) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string lines = bom + kPatient + "\n" + kPatient + "\n";
  for (const std::string& input : {bom + kPatient, bom + "[" + kPatient + "]", lines, bom + kStrokeCsv}) {
    CliRun run = Predict({"--output", "jsonl"}, input);  // formats detected from the text
    EXPECT_EQ(run.exit_code, kExitOk) << input << "\n" << run.err;
    EXPECT_EQ(Json::parse(run.out.substr(0, run.out.find('\n')))["probability"], LibraryProbability(kPatient));
  }
  EXPECT_EQ(Predict({"--format", "csv"}, bom + kStrokeCsv).exit_code, kExitOk);
}

TEST(PredictCli, IdColumnIsCarriedToEachAnswerUnderItsNameAndNotGivenToTheModel) {
  const std::string tagged = std::string(R"({"key": "a-1", )") + (kPatient + 1);
  CliRun jsonl = Predict({"--id-column", "key", "--output", "jsonl"}, tagged + "\n" + kPatient + "\n");
  EXPECT_EQ(jsonl.exit_code, kExitRowsFailed);  // the second record has no key
  const Json first = Json::parse(jsonl.out.substr(0, jsonl.out.find('\n')));
  EXPECT_EQ(first.begin().key(), "row");
  EXPECT_EQ(std::next(first.begin()).key(), "key");
  EXPECT_EQ(first["key"], "a-1");
  EXPECT_FALSE(first.contains("id"));
  EXPECT_EQ(first["probability"], LibraryProbability(kPatient));
  EXPECT_NE(jsonl.err.find("row 2 (line 2): key: field required (the identifier column"), std::string::npos)
      << jsonl.err;

  CliRun csv = Predict({"--id-column", "key"}, "key," + std::string(kStrokeCsv).insert(
      std::string(kStrokeCsv).find('\n') + 1, "17,"));
  ASSERT_EQ(csv.exit_code, kExitOk) << csv.err;
  EXPECT_EQ(csv.out.substr(0, 8), "row,key,");
  EXPECT_EQ(csv.out.substr(csv.out.find('\n') + 1, 5), "1,17,");
  EXPECT_EQ(Predict({"--id-column", "key"}, kStrokeCsv).exit_code, kExitUsage);  // no such column
  // A name the answers use themselves is refused before anything is read.
  CliRun clash = Predict({"--id-column", "label"}, kStrokeCsv);
  EXPECT_EQ(clash.exit_code, kExitUsage);
  EXPECT_NE(clash.err.find("--id-column \"label\": the answers have a field of that name"), std::string::npos) << clash.err;
}

TEST(PredictCli, BadIdentifierIsAnErrorOfTheIdColumnWithANullId) {
  // JSON: "" and null are missing identifiers, an object the wrong type; a record without one too.
  const std::string rest = kPatient + 1;
  CliRun json = Predict({"--id-column", "key"}, "[{\"key\": \"\", " + rest + ", {\"key\": null, " + rest +
                                                     ", {\"key\": {}, " + rest + ", " + kPatient + "]");
  EXPECT_EQ(json.exit_code, kExitRowsFailed);
  const Json answers = Json::parse(json.out);
  ASSERT_EQ(answers.size(), 4u);
  const std::string types[] = {"missing", "missing", "type", "missing"};
  for (size_t i = 0; i < answers.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(answers[i]["key"].is_null());
    ASSERT_EQ(answers[i]["errors"].size(), 1u);
    EXPECT_EQ(answers[i]["errors"][0]["field"], "key");
    EXPECT_EQ(answers[i]["errors"][0]["type"], types[i]);
  }
  EXPECT_NE(json.err.find("row 1: key: expected the identifier, a non-empty string or a number, got an empty string"),
            std::string::npos) << json.err;

  // CSV, answered as JSON Lines: an empty cell is missing, bytes that are not UTF-8 an invalid value.
  const std::string stroke_csv = kStrokeCsv;
  const size_t header_end = stroke_csv.find('\n') + 1;
  const std::string row = stroke_csv.substr(header_end);
  CliRun csv = Predict({"--id-column", "key", "--output", "jsonl"},
                       "key," + stroke_csv.substr(0, header_end) + "," + row + "\xff," + row);
  EXPECT_EQ(csv.exit_code, kExitRowsFailed);
  std::istringstream lines(csv.out);
  std::string line;
  for (const std::string type : {"missing", "invalid_value"}) {
    ASSERT_TRUE(std::getline(lines, line));
    const Json answer = Json::parse(line);
    EXPECT_TRUE(answer["key"].is_null()) << line;
    EXPECT_EQ(answer["errors"][0]["field"], "key") << line;
    EXPECT_EQ(answer["errors"][0]["type"], type) << line;
  }
}

TEST(PredictCli, NumberIdsAreTheSameTextInJsonAndCsvAnswers) {
  // As JSON answers write them: integers as given, other numbers the shortest text of their
  // double with a fraction or exponent (1.0 stays 1.0).
  const std::vector<std::pair<std::string, std::string>> ids = {
      {"1.0", "1.0"}, {"7", "7"}, {"0.1", "0.1"}, {"2.50", "2.5"}, {"1e3", "1000.0"},
      {"-9007199254740991", "-9007199254740991"}, {"9007199254740991", "9007199254740991"}};
  std::string input;
  for (const auto& [given, written] : ids) input += "{\"key\": " + given + ", " + (kPatient + 1) + "\n";
  CliRun jsonl = Predict({"--id-column", "key", "--output", "jsonl"}, input);
  CliRun csv = Predict({"--id-column", "key", "--output", "csv"}, input);
  ASSERT_EQ(jsonl.exit_code, kExitOk) << jsonl.err;
  ASSERT_EQ(csv.exit_code, kExitOk) << csv.err;
  std::istringstream jsonl_lines(jsonl.out), csv_lines(csv.out);
  std::string jsonl_line, csv_line;
  std::getline(csv_lines, csv_line);  // the header
  for (const auto& [given, written] : ids) {
    ASSERT_TRUE(std::getline(jsonl_lines, jsonl_line) && std::getline(csv_lines, csv_line));
    const std::string row = csv_line.substr(0, csv_line.find(','));
    EXPECT_EQ(jsonl_line.substr(0, jsonl_line.find(",\"probability\"")), "{\"row\":" + row + ",\"key\":" + written)
        << given;
    EXPECT_EQ(csv_line.substr(row.size() + 1, written.size() + 1), written + ",") << given;
  }
  // Beyond 2^53 a double does not hold every integer: the id could come back as another one.
  CliRun big = Predict({"--id-column", "key", "--output", "jsonl"},
                       std::string("{\"key\": 9007199254740993, ") + (kPatient + 1));
  EXPECT_EQ(big.exit_code, kExitRowsFailed);
  const Json refused = Json::parse(big.out);
  EXPECT_TRUE(refused["key"].is_null());
  EXPECT_EQ(refused["errors"][0]["field"], "key");
  EXPECT_EQ(refused["errors"][0]["type"], "limit");
}

TEST(PredictCli, UnreadableJsonValuesAreErrorsNamingTheFieldInValidUtf8) {
  std::string huge_age = kPatient, bad_text = kPatient;
  huge_age.replace(huge_age.find("67"), 2, "1e400");
  bad_text.replace(bad_text.find("Male"), 4, "M\xFFle");
  bad_text.insert(1, "\"x\xC3\x28\": 1, ");
  CliRun run = Predict({}, "[" + huge_age + ", " + bad_text + ", " + kPatient + "]");
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  Json answers = Json::parse(run.out);  // throws on invalid UTF-8
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0]["errors"], Json::parse(R"([{"field": "age", "type": "invalid_value",
                                                   "message": "number out of range: 1e400"}])"));
  EXPECT_EQ(answers[1]["errors"][0]["field"], "gender");  // schema fields first, then the others
  EXPECT_EQ(answers[1]["errors"][0]["message"], "text is not valid UTF-8: \"M\uFFFDle\"");
  EXPECT_EQ(answers[1]["errors"][1]["field"], "x\uFFFD(");
  EXPECT_EQ(answers[1]["errors"][1]["message"], "the field name is not valid UTF-8");
  EXPECT_TRUE(answers[2].contains("probability"));
  EXPECT_TRUE(IsValidUtf8(run.err)) << run.err;
}

TEST(PredictCli, CsvThatIsNotUtf8NamesTheColumn) {
  std::string csv = kStrokeCsv;
  csv.replace(csv.find("Private"), 7, "Priv\xE9te");  // Latin-1, not UTF-8
  CliRun run = Predict({"--output", "jsonl"}, csv);
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  Json answer = Json::parse(run.out);
  EXPECT_EQ(answer["errors"][0]["field"], "work_type");
  EXPECT_EQ(answer["errors"][0]["message"], "text is not valid UTF-8: \"Priv\uFFFDte\"");
  std::string header = kStrokeCsv;
  header.replace(header.find("bmi"), 3, "bm\xFF");
  CliRun refused = Predict({}, header);
  EXPECT_EQ(refused.exit_code, kExitUsage);
  EXPECT_NE(refused.err.find("CSV header: the name of column 9 (\"bm\uFFFD\") is not valid UTF-8"), std::string::npos)
      << refused.err;
}

TEST(PredictCli, BytesThatAreNotUtf8AreReplacedInJsonOutput) {
  // A CSV cell is echoed in its error message; JSON cannot hold the byte 0x86.
  const std::string csv =
      "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
      "smoking_status\n"
      "Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly \x86moked\n";
  CliRun run = Predict({"--output", "json"}, csv);
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  Json answers = Json::parse(run.out);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_NE(answers[0]["errors"][0]["message"].get<std::string>().find("formerly \uFFFDmoked"), std::string::npos)
      << run.out;
}

TEST(PredictCli, UnknownColumnsAreErrorsUnlessAllowed) {
  const std::string record = std::string(kPatient).insert(1, R"("id": 9046, )");
  EXPECT_EQ(Predict({}, record).exit_code, kExitRowsFailed);
  EXPECT_EQ(Predict({"--allow-unknown-fields"}, record).exit_code, kExitOk);
}

TEST(PredictCli, EmitFeaturesShowsThePreparedVector) {
  CliRun run = Predict({"--emit-features"}, kPatient);
  ASSERT_EQ(run.exit_code, kExitOk);
  Json features = Json::parse(run.out)["features"];
  EXPECT_EQ(features.size(), 21u);
  EXPECT_EQ(features["age"], 67);
  EXPECT_EQ(features["bmi"], 36.6);  // float32 36.6 printed as its shortest text
  EXPECT_EQ(features["gender_Male"], 1);
  EXPECT_EQ(features["gender_Female"], 0);
}

TEST(PredictCli, ExplainAddsContributions) {
  CliRun run = Predict({"--explain"}, kPatient);
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  Json answer = Json::parse(run.out);
  const Json& e = answer["explanation"];
  double total = e["expected_value"].get<double>();
  for (const auto& [name, value] : e["contributions"].items()) total += value.get<double>();
  EXPECT_NEAR(total, answer["raw_margin"].get<double>(), 1e-9);
  EXPECT_NEAR(e["raw_score"].get<double>(), answer["raw_margin"].get<double>(), 1e-9);
  EXPECT_FALSE(ParseCliOptions({"--explain", "--output", "csv"}).ok());
  CliRun multi = Predict({"--explain", "--model", testing::ShippedBundlePath("heart_disease")},
                         Json::parse(R"({"age":63,"sex":1,"cp":1,"trestbps":145,"chol":233,"fbs":1,"restecg":2,)"
                                     R"("thalach":150,"exang":0,"oldpeak":2.3,"slope":3,"ca":null,"thal":null})").dump());
  ASSERT_EQ(multi.exit_code, kExitOk) << multi.err;
  EXPECT_EQ(Json::parse(multi.out)["explanation"].size(), 5u);  // one per class
}

TEST(PredictCli, ThresholdOverridesTheBundle) {
  EXPECT_EQ(Json::parse(Predict({"--threshold", "0"}, kPatient).out)["prediction"], 1);
  EXPECT_EQ(Json::parse(Predict({"--threshold", "1"}, kPatient).out)["prediction"], 0);
}

TEST(PredictCli, InfoPrintsMetadataAndSchema) {
  CliRun text = Predict({"info"}, "");
  ASSERT_EQ(text.exit_code, kExitOk);
  EXPECT_NE(text.out.find("synthetic"), std::string::npos);
  EXPECT_NE(text.out.find("smoking_status"), std::string::npos);
  CliRun json = Predict({"info", "--output", "json"}, "");
  Json info = Json::parse(json.out);
  EXPECT_EQ(info["name"], "stroke");
  EXPECT_EQ(info["inputs"].size(), 10u);
  EXPECT_EQ(info["features"].size(), 21u);
}

TEST(PredictCli, BundledModelByName) {
  CliRun run = Predict({"--model", "lung_cancer", "info", "--output", "json"}, "");
  EXPECT_EQ(run.exit_code, kExitOk) << run.err;
  CliRun missing = Predict({"--model", "no_such_model"}, kPatient);
  EXPECT_EQ(missing.exit_code, kExitUsage);
  EXPECT_NE(missing.err.find("no bundled model \"no_such_model\""), std::string::npos) << missing.err;
}

TEST(PredictCli, LinesEndingInALoneCrAnswerEveryRow) {
  // Old Mac line ends: more rows than the block has '\n's.
  std::string csv = std::string(kStrokeCsv).substr(0, std::string(kStrokeCsv).find('\n')) + "\r";
  for (int i = 0; i < 50; ++i) csv += "Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked\r";
  CliRun run = Predict({"--output", "jsonl"}, csv);
  EXPECT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 50);
  EXPECT_EQ(Json::parse(run.out.substr(0, run.out.find('\n')))["probability"], LibraryProbability(kPatient));
}

TEST(PredictCli, UnreadableInputIsAUsageError) {
  EXPECT_EQ(Predict({"--format", "json"}, "{").exit_code, kExitUsage);
  EXPECT_EQ(Predict({"/nonexistent.json"}, "").exit_code, kExitUsage);
  const std::string header = std::string(kStrokeCsv).substr(0, std::string(kStrokeCsv).find('\n') + 1);
  CliRun quote = Predict({"--format", "csv"}, header + "\"Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked\n");
  EXPECT_EQ(quote.exit_code, kExitUsage);
  EXPECT_NE(quote.err.find("CSV line 2: unterminated quoted field"), std::string::npos) << quote.err;
}

TEST(PredictCli, DeepTreeIsRefusedUntilTheDepthLimitIsRaised) {
  std::vector<std::string> trees = testing::TinyTreesJson();
  trees.push_back(testing::TreeJson(testing::ChainTree(10000)));
  const std::string bundle = (std::filesystem::temp_directory_path() /
                              ("stroke_predict_test_" + std::to_string(::getpid()) + "_deep.bundle.json")).string();
  std::ofstream(bundle) << testing::TinyBundleWithTrees(trees);
  const std::string record = R"({"x": 50, "n": 1, "flag": true, "color": "red"})";
  CliRun refused = Predict({"--model", bundle}, record);
  EXPECT_EQ(refused.exit_code, kExitUsage);
  EXPECT_NE(refused.err.find("ensemble.trees[2]: depth 10000 exceeds the limit of 1024 (LoadOptions.max_tree_depth; "
                             "--max-tree-depth in stroke-predict and stroke-serve)"),
            std::string::npos)
      << refused.err;
  CliRun answered = Predict({"--model", bundle, "--max-tree-depth", "10000", "--explain"}, record);
  std::filesystem::remove(bundle);
  ASSERT_EQ(answered.exit_code, kExitOk) << answered.err;
  Json answer = Json::parse(answered.out);
  EXPECT_EQ(answer["raw_margin"], 25.0);  // tree_scale 0.5 times the chain's leaf 50
  EXPECT_NEAR(answer["explanation"]["raw_score"].get<double>(), 25.0, 1e-9 * 25);
}

TEST(PredictCli, MulticlassAnswersCarryEveryClass) {
  const std::string record =
      R"({"age": 63, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1, "restecg": 2, "thalach": 150, )"
      R"("exang": 0, "oldpeak": 2.3, "slope": 3, "ca": null, "thal": null})";
  CliRun run = Predict({"--model", testing::ShippedBundlePath("heart_disease")}, record);
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  Json answer = Json::parse(run.out);
  ASSERT_EQ(answer["probabilities"].size(), 5u);
  double sum = 0, best = 0;
  for (const auto& [label, p] : answer["probabilities"].items()) {
    sum += p.get<double>();
    best = std::max(best, p.get<double>());
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_EQ(answer["probability"].get<double>(), best);
  EXPECT_EQ(answer["label"], std::to_string(answer["prediction"].get<int>()));
  CliRun csv = Predict({"--model", testing::ShippedBundlePath("heart_disease"), "--output", "csv"}, record);
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
            "row,prediction,label,probability,probability_0,probability_1,probability_2,probability_3,"
            "probability_4,warnings,errors");
}

TEST(PredictCli, RegressionAnswersAValue) {
  const std::string csv =
      "Gender,Married,Dependents,Education,Self_Employed,ApplicantIncome,CoapplicantIncome,Loan_Amount_Term,"
      "Credit_History,Property_Area\n"
      "Male,Yes,1,Graduate,No,4583,1508,360,1,Rural\n"
      ",No,3+,Not Graduate,,2000,0,,,Urban\n";
  CliRun run = Predict({"--model", testing::ShippedBundlePath("loan_amount"), "--output", "jsonl"}, csv);
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  Json first = Json::parse(run.out.substr(0, run.out.find('\n')));
  EXPECT_TRUE(first["value"].is_number());
  EXPECT_FALSE(first.contains("probability"));
}

TEST(PredictCli, MissingValueIsAnErrorWhereTheModelCannotTakeIt) {
  // stroke's bmi is imputed; heart disease's ca goes to the trees; lung cancer has no nullable field.
  const std::string lung = R"({"AGE": 60, "GENDER": null})";
  CliRun run = Predict({"--model", testing::ShippedBundlePath("lung_cancer")}, lung);
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  EXPECT_NE(run.err.find("GENDER: is required, got null"), std::string::npos) << run.err;
}

// ---- bad input on the stroke model: each record gets its precise error

struct BadInput {
  const char* name;
  const char* change;  // JSON merged over a valid patient ("remove" values delete)
  const char* field;
  const char* message;
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

class StrokeBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(StrokeBadInput, NamesFieldAndExpectation) {
  Json record = Json::parse(kPatient);
  const Json change = Json::parse(GetParam().change);
  for (const auto& [key, value] : change.items()) {
    if (value == "remove") {
      record.erase(key);
    } else {
      record[key] = value;
    }
  }
  CliRun run = Predict({"--output", "json"}, record.dump());
  EXPECT_EQ(run.exit_code, kExitRowsFailed);
  Json errors = Json::parse(run.out)["errors"];
  ASSERT_EQ(errors.size(), 1u) << errors.dump();
  EXPECT_EQ(errors[0]["field"], GetParam().field);
  EXPECT_NE(errors[0]["message"].get<std::string>().find(GetParam().message), std::string::npos)
      << errors[0]["message"];
}

INSTANTIATE_TEST_SUITE_P(
    Table, StrokeBadInput,
    ::testing::Values(
        BadInput{"UnknownCategory", R"({"gender": "male"})", "gender",
                 R"(expected one of "Male", "Female", "Other", got "male")"},
        BadInput{"NumberAsString", R"({"age": "67"})", "age", "expected a number, got \"67\""},
        BadInput{"ImpossibleAge", R"({"age": 150})", "age", "must be in [0, 130], got 150"},
        BadInput{"NegativeGlucose", R"({"avg_glucose_level": -3})", "avg_glucose_level", "must be in [0, 1000]"},
        BadInput{"BooleanTwo", R"({"hypertension": 2})", "hypertension", "expected a boolean (true/false or 0/1)"},
        BadInput{"BooleanText", R"({"heart_disease": "yes"})", "heart_disease", "expected a boolean"},
        BadInput{"Missing", R"({"smoking_status": "remove"})", "smoking_status", "field required"},
        BadInput{"NullNotNullable", R"({"age": null})", "age", "is required, got null"},
        BadInput{"Extra", R"({"id": 1})", "id", "is not an input of this model"},
        BadInput{"Array", R"({"bmi": [36.6]})", "bmi", "got array"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return std::string(info.param.name); });

TEST(StrokeInput, OriginalApiTestRecordIsAccepted) {
  // S1's own test: age 0, glucose 0, bmi 0, hypertension true -> 200 with an answer.
  Json record = Json::parse(kPatient);
  record["age"] = 0;
  record["avg_glucose_level"] = 0;
  record["bmi"] = 0;
  record["hypertension"] = true;
  CliRun run = Predict({}, record.dump());
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  Json answer = Json::parse(run.out);
  EXPECT_EQ(answer["warnings"].size(), 3u);
  EXPECT_EQ(answer["warnings"][0]["type"], "out_of_training_range");
}

}  // namespace
}  // namespace stroke::apps
