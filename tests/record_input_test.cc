// stroke/record_input.h (ReadInput): one table of inputs (formats declared, named by
// an extension or detected; a byte-order mark; bad rows among good ones; the
// identifier column) and what ReadInput makes of each.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model_json.h"
#include "stroke/record_input.h"
#include "test_util.h"

namespace stroke::apps {
namespace {

const std::string kBom = "\xEF\xBB\xBF";
const std::string kRecord = testing::kSamplePatient;  // 10 fields
const std::string kTagged = R"({"key": "p-1", )" + kRecord.substr(1);  // 11 fields
const std::string kHeader =
    "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,smoking_status";
const std::string kCells = "Male,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked";

struct Case {
  std::string name;
  std::string text;
  InputOptions options;
  std::string outcome;            // "json", "jsonl", "csv" (+ " single"), or "error: <message start>"
  // "row@line <n>f id=<json>", "row@line ! <message start>", or for a bad
  // identifier "row@line <n>f ! <id_error type> <field>: <message start>"
  std::vector<std::string> rows;
};

std::string Describe(const InputRow& row) {
  std::string out = std::to_string(row.row) + "@" + std::to_string(row.line) + " ";
  if (!row.record.ok()) return out + "! " + row.record.status().message();
  if (row.id_error) {
    return out + std::to_string(row.record->size()) + "f ! " + IssueKindName(row.id_error->kind) + " " +
           row.id_error->field + ": " + row.id_error->message;
  }
  return out + std::to_string(row.record->size()) + "f id=" + JsonText(ValueJson(row.id));
}

std::string Outcome(const StatusOr<RecordInput>& input) {
  if (!input.ok()) return "error: " + input.status().message();
  const char* names[] = {"auto", "json", "jsonl", "csv"};
  return std::string(names[static_cast<int>(input->format)]) + (input->single_object ? " single" : "");
}

TEST(RecordInput, Table) {
  const InputOptions detect;
  const InputOptions csv{InputFormat::kCsv, "", ""};
  const InputOptions by_key{InputFormat::kAuto, "", "key"};
  const std::vector<Case> cases = {
      {"one object", kRecord, detect, "json single", {"1@0 10f id=null"}},
      {"bom + one object", kBom + kRecord, detect, "json single", {"1@0 10f id=null"}},
      {"array", "[" + kRecord + "," + kRecord + "]", detect, "json", {"1@0 10f id=null", "2@0 10f id=null"}},
      {"array, one bad element", "[" + kRecord + ", 3]", detect, "json",
       {"1@0 10f id=null", "2@0 ! expected a JSON object (field -> value), got number"}},
      {"one object, a key twice", R"({"a": 1, "a": 2})", detect, "error: key \"a\" appears twice", {}},
      {"json lines", kRecord + "\n\n" + kRecord + "\n", detect, "jsonl", {"1@1 10f id=null", "2@3 10f id=null"}},
      {"bom + json lines, a bad line", kBom + kRecord + "\n{\"a\":\n" + kRecord, detect, "jsonl",
       {"1@1 10f id=null", "2@2 ! ", "3@3 10f id=null"}},
      {"not json", "{\"a\": ", detect, "error: ", {}},
      {"blank", " \n", detect, "error: ", {}},
      {"csv detected", kHeader + "\n" + kCells + "\n", detect, "csv", {"1@2 10f id=null"}},
      {"bom + csv declared", kBom + kHeader + "\n" + kCells + "\n", csv, "csv", {"1@2 10f id=null"}},
      {"csv, a short row", kHeader + "\nMale,67\n" + kCells + "\n", csv, "csv",
       {"1@2 ! has 2 cells, the header has 10", "2@3 10f id=null"}},
      {"csv without a model column", "gender\nMale\n", csv, "error: CSV header lacks the model's column(s) ", {}},
      {"extension names the format", kRecord + "\n" + kRecord, InputOptions{InputFormat::kAuto, "in.jsonl", ""},
       "jsonl", {"1@1 10f id=null", "2@2 10f id=null"}},
      {"declared beats detection", kRecord, InputOptions{InputFormat::kJsonl, "in.json", ""}, "jsonl",
       {"1@1 10f id=null"}},
      {"id: json object", kTagged, by_key, "json single", {"1@0 10f id=\"p-1\""}},
      {"id: array, one without", "[" + kTagged + "," + kRecord + "]", by_key, "json",
       {"1@0 10f id=\"p-1\"", "2@0 10f ! missing key: field required (the identifier column"}},
      {"id: json lines, a number", R"({"key": 7, )" + kRecord.substr(1) + "\n" + kTagged, by_key, "jsonl",
       {"1@1 10f id=7", "2@2 10f id=\"p-1\""}},
      {"id: csv column", "key," + kHeader + "\n7," + kCells + "\n", InputOptions{InputFormat::kCsv, "", "key"}, "csv",
       {"1@2 10f id=\"7\""}},
      {"id: csv header without it", kHeader + "\n" + kCells + "\n", InputOptions{InputFormat::kCsv, "", "key"},
       "error: CSV header lacks the identifier column \"key\"", {}},
      {"id: not a string or a number", std::string("[") + R"({"key": {"a": 1}, )" + kRecord.substr(1) + "," +
                                           R"({"key": null, )" + kRecord.substr(1) + "]",
       by_key, "json",
       {"1@0 10f ! type key: expected the identifier, a non-empty string or a number, got object",
        "2@0 10f ! missing key: expected the identifier, a non-empty string or a number, got null"}},
      {"id: csv, an empty cell or bytes that are not UTF-8",
       "key," + kHeader + "\n," + kCells + "\n\xff," + kCells + "\n", InputOptions{InputFormat::kCsv, "", "key"}, "csv",
       {"1@2 10f ! missing key: expected the identifier, a non-empty string or a number, got an empty cell",
        "2@3 10f ! invalid_value key: expected the identifier, a non-empty string or a number, "
        "got text is not valid UTF-8"}},
      {"id: json, an empty string", std::string("[") + R"({"key": "", )" + kRecord.substr(1) + "]", by_key, "json",
       {"1@0 10f ! missing key: expected the identifier, a non-empty string or a number, got an empty string"}},
      {"id: a model field stays", kRecord, InputOptions{InputFormat::kAuto, "", "age"}, "json single",
       {"1@0 10f id=67"}},
      {"id: a model column stays", kHeader + "\n" + kCells + "\n", InputOptions{InputFormat::kCsv, "", "gender"},
       "csv", {"1@2 10f id=\"Male\""}},
  };
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    StatusOr<RecordInput> input = ReadInput(c.text, c.options, model.schema());
    const std::string outcome = Outcome(input);
    EXPECT_EQ(outcome.substr(0, c.outcome.size()), c.outcome) << outcome;
    if (!input.ok()) continue;
    ASSERT_EQ(input->rows.size(), c.rows.size());
    for (size_t i = 0; i < c.rows.size(); ++i) {
      const std::string row = Describe(input->rows[i]);
      EXPECT_EQ(row.substr(0, c.rows[i].size()), c.rows[i]) << row;
      // A row without a readable identifier carries none (never its bad bytes).
      if (!input->rows[i].record.ok() || input->rows[i].id_error) {
        EXPECT_EQ(input->rows[i].id.kind, Value::Kind::kNull) << row;
      }
    }
  }
}

}  // namespace
}  // namespace stroke::apps
