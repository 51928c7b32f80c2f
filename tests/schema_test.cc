#include "stroke/schema.h"

#include <gtest/gtest.h>

#include <vector>

#include "test_util.h"

namespace stroke {
namespace {

using testing::RecordOrDie;

Schema PatientSchema() {
  FieldSpec age{.name = "age", .type = FieldType::kNumber};
  age.hard_min = 0;
  age.hard_max = 130;
  age.train_min = 0.08;
  age.train_max = 82;
  FieldSpec smoker{.name = "smoker", .type = FieldType::kBoolean};
  FieldSpec gender{.name = "gender", .type = FieldType::kCategory, .categories = {"Male", "Female", "Other"}};
  FieldSpec bmi{.name = "bmi", .type = FieldType::kNumber, .nullable = true, .impute = 28.1,
                .null_tokens = {"N/A"}};
  FieldSpec children{.name = "children", .type = FieldType::kInteger};
  StatusOr<Schema> schema = Schema::Create({age, smoker, gender, bmi, children});
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return *schema;
}

struct Checked {
  bool ok;
  CheckResult result;
  std::vector<double> inputs;
};

Checked Check(const std::string& json, CheckOptions options = {}) {
  Schema schema = PatientSchema();
  Checked c{false, {}, std::vector<double>(schema.fields().size())};
  c.ok = schema.Check(RecordOrDie(json), c.inputs, &c.result, options);
  return c;
}

TEST(SchemaCheck, WritesCodesInSchemaOrder) {
  Checked c = Check(R"({"children": 2, "gender": "Female", "smoker": true, "age": 67.5, "bmi": 30})");
  ASSERT_TRUE(c.ok) << c.result.ToStatus().ToString();
  EXPECT_EQ(c.inputs, (std::vector<double>{67.5, 1, 1, 30, 2}));
  EXPECT_TRUE(c.result.warnings.empty());
}

TEST(SchemaCheck, BooleansAcceptTrueFalseAndZeroOne) {
  EXPECT_EQ(Check(R"({"age": 1, "smoker": 1, "gender": "Male", "bmi": 20, "children": 0})").inputs[1], 1);
  EXPECT_EQ(Check(R"({"age": 1, "smoker": 0, "gender": "Male", "bmi": 20, "children": 0})").inputs[1], 0);
  EXPECT_EQ(Check(R"({"age": 1, "smoker": false, "gender": "Male", "bmi": 20, "children": 0})").inputs[1], 0);
  Checked two = Check(R"({"age": 1, "smoker": 2, "gender": "Male", "bmi": 20, "children": 0})");
  ASSERT_FALSE(two.ok);
  EXPECT_EQ(two.result.errors[0].field, "smoker");
  EXPECT_NE(two.result.errors[0].message.find("true/false or 0/1"), std::string::npos);
}

TEST(SchemaCheck, NullIsImputedOnlyWhereNullable) {
  Checked c = Check(R"({"age": 50, "smoker": true, "gender": "Male", "bmi": null, "children": 0})");
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(c.inputs[3], 28.1);
  Checked bad = Check(R"({"age": null, "smoker": true, "gender": "Male", "bmi": 20, "children": 0})");
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.result.errors[0].field, "age");
  EXPECT_EQ(bad.result.errors[0].type, "missing");
}

TEST(SchemaCheck, OutsideTrainingRangeIsAWarningNotAnError) {
  // The original stroke API's own test posts age 0 and expects an answer.
  Checked c = Check(R"({"age": 0, "smoker": true, "gender": "Male", "bmi": 0, "children": 0})");
  ASSERT_TRUE(c.ok);
  ASSERT_EQ(c.result.warnings.size(), 1u);
  EXPECT_EQ(c.result.warnings[0].field, "age");
  EXPECT_EQ(c.result.warnings[0].type, "out_of_training_range");
}

TEST(SchemaCheck, ReportsEveryProblemOfTheRecordTogether) {
  Checked c = Check(R"({"age": 150, "smoker": "yes", "gender": "male", "children": 1.5, "zip": "75001"})");
  ASSERT_FALSE(c.ok);
  std::vector<std::pair<std::string, std::string>> got;
  for (const Issue& e : c.result.errors) got.emplace_back(e.field, e.type);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{
                     {"age", "limit"}, {"smoker", "type"}, {"gender", "category"},
                     {"bmi", "missing"}, {"children", "type"}, {"zip", "unknown_field"}}));
  EXPECT_NE(c.result.errors[2].message.find(R"("Male", "Female", "Other")"), std::string::npos)
      << c.result.errors[2].message;
  EXPECT_NE(c.result.errors[0].message.find("in [0, 130]"), std::string::npos);
  EXPECT_NE(c.result.ToStatus().message().find("zip: is not an input"), std::string::npos);
}

TEST(SchemaCheck, UnknownFieldsCanBeAllowed) {
  CheckOptions lenient;
  lenient.allow_unknown_fields = true;
  EXPECT_TRUE(Check(R"({"age": 1, "smoker": 1, "gender": "Male", "bmi": 20, "children": 0, "id": 9})", lenient).ok);
}

TEST(SchemaCheck, RejectsNonFiniteAndWrongTypes) {
  Checked c = Check(R"({"age": "67", "smoker": true, "gender": 1, "bmi": [1], "children": true})");
  ASSERT_FALSE(c.ok);
  ASSERT_EQ(c.result.errors.size(), 4u);
  for (const Issue& e : c.result.errors) EXPECT_EQ(e.type, "type") << e.field;
}

TEST(SchemaValueFromText, ReadsCsvCells) {
  Schema schema = PatientSchema();
  EXPECT_EQ(schema.ValueFromText(0, "67.5").number, 67.5);
  EXPECT_EQ(schema.ValueFromText(0, "abc").kind, Value::Kind::kString);
  EXPECT_EQ(schema.ValueFromText(1, "TRUE").boolean, true);
  EXPECT_EQ(schema.ValueFromText(1, "0").kind, Value::Kind::kBool);
  EXPECT_EQ(schema.ValueFromText(2, "Male").text, "Male");
  EXPECT_EQ(schema.ValueFromText(3, "N/A").kind, Value::Kind::kNull);
  EXPECT_EQ(schema.ValueFromText(3, "").kind, Value::Kind::kNull);
  EXPECT_TRUE(schema.ValueFromText(4, "3").is_integer);
}

TEST(SchemaCreate, RejectsInconsistentFields) {
  FieldSpec a{.name = "a"};
  EXPECT_NE(Schema::Create({a, a}).status().message().find("inputs[1].name: \"a\" is declared twice"),
            std::string::npos);
  FieldSpec cat{.name = "c", .type = FieldType::kCategory};
  EXPECT_NE(Schema::Create({cat}).status().message().find("inputs[0].categories"), std::string::npos);
  FieldSpec limits{.name = "l"};
  limits.hard_min = 5;
  limits.hard_max = 1;
  EXPECT_NE(Schema::Create({limits}).status().message().find("min must not exceed max"), std::string::npos);
}

}  // namespace
}  // namespace stroke
