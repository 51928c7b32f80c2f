#include "stroke/schema.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
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
  EXPECT_STREQ(IssueKindName(bad.result.errors[0].kind), "missing");
}

Schema ColorSchema(bool accept_unknown, double code) {
  FieldSpec color{.name = "color", .type = FieldType::kCategory, .categories = {"red", "blue"}};
  color.accept_unknown = accept_unknown;
  color.unknown_code = code;
  StatusOr<Schema> schema = Schema::Create({color});
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return *schema;
}

TEST(SchemaCheck, UnknownCategoryIsAnErrorUnlessTheFieldAcceptsIt) {
  std::vector<double> inputs(1);
  CheckResult refused;
  EXPECT_FALSE(ColorSchema(false, -1).Check(RecordOrDie(R"({"color": "green"})"), inputs, &refused));
  EXPECT_STREQ(IssueKindName(refused.errors[0].kind), "category");

  CheckResult accepted;
  ASSERT_TRUE(ColorSchema(true, -1).Check(RecordOrDie(R"({"color": "green"})"), inputs, &accepted));
  EXPECT_EQ(inputs[0], -1);
  ASSERT_EQ(accepted.warnings.size(), 1u);
  EXPECT_EQ(accepted.warnings[0].field, "color");
  EXPECT_STREQ(IssueKindName(accepted.warnings[0].kind), "unknown_category");
  EXPECT_NE(accepted.warnings[0].message.find("green"), std::string::npos);

  CheckResult as_missing;
  ASSERT_TRUE(ColorSchema(true, NAN).Check(RecordOrDie(R"({"color": "green"})"), inputs, &as_missing));
  EXPECT_TRUE(std::isnan(inputs[0]));

  CheckResult by_request;
  CheckOptions strict;
  strict.refuse_unknown_categories = true;
  EXPECT_FALSE(ColorSchema(true, -1).Check(RecordOrDie(R"({"color": "green"})"), inputs, &by_request, strict));
  EXPECT_EQ(by_request.errors[0].field, "color");

  CheckResult known;
  ASSERT_TRUE(ColorSchema(true, -1).Check(RecordOrDie(R"({"color": "blue"})"), inputs, &known, strict));
  EXPECT_EQ(inputs[0], 1);
  EXPECT_TRUE(known.warnings.empty());
}

TEST(SchemaCheck, KnownCodesRefuseOtherNumbersNamingTheFieldValueAndCodes) {
  FieldSpec cp{.name = "cp", .type = FieldType::kInteger, .nullable = true, .impute = NAN};
  cp.known_codes = {1, 2, 3, 4};
  StatusOr<Schema> schema = Schema::Create({cp});
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<double> inputs(1);
  CheckResult known;
  ASSERT_TRUE(schema->Check(RecordOrDie(R"({"cp": 4})"), inputs, &known));
  EXPECT_EQ(inputs[0], 4);
  CheckResult null;  // nullable without impute: passed on as missing, whatever the codes
  ASSERT_TRUE(schema->Check(RecordOrDie(R"({"cp": null})"), inputs, &null));
  EXPECT_TRUE(std::isnan(inputs[0]));
  CheckResult unknown;
  ASSERT_FALSE(schema->Check(RecordOrDie(R"({"cp": 7})"), inputs, &unknown));
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_EQ(unknown.errors[0].field, "cp");
  EXPECT_STREQ(IssueKindName(unknown.errors[0].kind), "category");
  EXPECT_EQ(unknown.errors[0].message, "expected one of 1, 2, 3, 4, got 7");
}

// handle_unknown="ignore" on numeric codes: an unseen code passes on as given
// (its one-hot features are all 0) with a warning, unless the caller refuses.
TEST(SchemaCheck, KnownCodesKeepAnUnknownCodeWithAWarningWhenAccepted) {
  FieldSpec cp{.name = "cp", .type = FieldType::kInteger, .accept_unknown = true};
  cp.known_codes = {1, 2, 3, 4};
  StatusOr<Schema> schema = Schema::Create({cp});
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<double> inputs(1);
  CheckResult kept;
  ASSERT_TRUE(schema->Check(RecordOrDie(R"({"cp": 7})"), inputs, &kept));
  EXPECT_EQ(inputs[0], 7);
  ASSERT_EQ(kept.warnings.size(), 1u);
  EXPECT_EQ(kept.warnings[0].field, "cp");
  EXPECT_EQ(kept.warnings[0].kind, IssueKind::kUnknownCategory);
  EXPECT_NE(kept.warnings[0].message.find("7 is not a code seen in training (1, 2, 3, 4)"), std::string::npos)
      << kept.warnings[0].message;
  CheckOptions strict;
  strict.refuse_unknown_categories = true;
  CheckResult refused;
  ASSERT_FALSE(schema->Check(RecordOrDie(R"({"cp": 7})"), inputs, &refused, strict));
  EXPECT_EQ(refused.errors[0].message, "expected one of 1, 2, 3, 4, got 7");

  FieldSpec no_codes{.name = "x", .type = FieldType::kNumber, .accept_unknown = true};
  EXPECT_FALSE(Schema::Create({no_codes}).ok());
}

TEST(SchemaCreate, KnownCodesMustBeWholeForAnIntegerField) {
  FieldSpec cp{.name = "cp", .type = FieldType::kInteger};
  cp.known_codes = {1, 2.5};
  EXPECT_FALSE(Schema::Create({cp}).ok());
}

TEST(SchemaCreate, UnknownCodeMustNotBeAKnownCategory) {
  FieldSpec color{.name = "color", .type = FieldType::kCategory, .categories = {"red", "blue"}};
  color.accept_unknown = true;
  color.unknown_code = 1;
  EXPECT_FALSE(Schema::Create({color}).ok());
}

TEST(SchemaValueFromText, BooleanCellsTakeOnePointZeroAndZeroPointZero) {
  FieldSpec flag{.name = "flag", .type = FieldType::kBoolean};
  StatusOr<Schema> schema = Schema::Create({flag});
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->ValueFromText(0, "1.0").kind, Value::Kind::kBool);
  EXPECT_TRUE(schema->ValueFromText(0, "1.0").boolean);
  EXPECT_FALSE(schema->ValueFromText(0, "0.0").boolean);
  EXPECT_EQ(schema->ValueFromText(0, "0.5").kind, Value::Kind::kString);
}

TEST(SchemaCheck, OutsideTrainingRangeIsAWarningNotAnError) {
  // The original stroke API's own test posts age 0 and expects an answer.
  Checked c = Check(R"({"age": 0, "smoker": true, "gender": "Male", "bmi": 0, "children": 0})");
  ASSERT_TRUE(c.ok);
  ASSERT_EQ(c.result.warnings.size(), 1u);
  EXPECT_EQ(c.result.warnings[0].field, "age");
  EXPECT_STREQ(IssueKindName(c.result.warnings[0].kind), "out_of_training_range");
}

// Numbers in messages are the shortest text that reads back as the same
// double: the bounds compared against and the value as the client wrote it.
TEST(SchemaCheck, MessagesShowNumbersExactlyAndShortly) {
  FieldSpec dose{.name = "dose", .type = FieldType::kNumber};
  dose.hard_min = 0.1;
  dose.hard_max = 1e16;
  dose.train_min = 0.30000000000000004;
  dose.train_max = 123456789012;
  StatusOr<Schema> schema = Schema::Create({dose});
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<double> inputs(1);
  CheckResult result;
  EXPECT_TRUE(schema->Check(RecordOrDie(R"({"dose": 0.3})"), inputs, &result));
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0].message,
            "0.3 is outside the training range in [0.30000000000000004, 123456789012]; the prediction is less reliable");
  result = {};
  EXPECT_FALSE(schema->Check(RecordOrDie(R"({"dose": 0.05})"), inputs, &result));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message, "must be in [0.1, 1e+16], got 0.05");
}

TEST(SchemaCheck, ReportsEveryProblemOfTheRecordTogether) {
  Checked c = Check(R"({"age": 150, "smoker": "yes", "gender": "male", "children": 1.5, "zip": "75001"})");
  ASSERT_FALSE(c.ok);
  std::vector<std::pair<std::string, std::string>> got;
  for (const Issue& e : c.result.errors) got.emplace_back(e.field, IssueKindName(e.kind));
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
  for (const Issue& e : c.result.errors) EXPECT_STREQ(IssueKindName(e.kind), "type") << e.field;
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

TEST(SchemaCheck, UnreadableValuesAreErrorsNamingTheFieldEvenWhereUnknownFieldsAreAllowed) {
  CheckOptions lenient;
  lenient.allow_unknown_fields = true;
  Checked c = Check("{\"age\": 1e400, \"smoker\": 1, \"gender\": \"M\xFF\", \"bmi\": 20, \"children\": 0, "
                    "\"n\xC3\x28\": 1, \"note\": \"\xFF\", \"id\": 9}",
                    lenient);
  ASSERT_FALSE(c.ok);
  ASSERT_EQ(c.result.errors.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"age", "number out of range: 1e400"},
      {"gender", "text is not valid UTF-8: \"M\uFFFD\""},
      {"n\uFFFD(", "the field name is not valid UTF-8"},
      {"note", "text is not valid UTF-8: \"\uFFFD\""}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(c.result.errors[i].field, expected[i].first);
    EXPECT_STREQ(IssueKindName(c.result.errors[i].kind), "invalid_value");
    EXPECT_EQ(c.result.errors[i].message, expected[i].second);
  }
}

TEST(SchemaCheck, MessagesQuotingRecordsBuiltByHandAreUtf8) {
  Record record;
  record.Set("age", Value::Number(1));
  record.Set("smoker", Value::Bool(true));
  record.Set("gender", Value::String("M\xFF"));
  record.Set("bmi", Value::Null());
  record.Set("children", Value::Number(0, true));
  record.Set("x\xFF", Value::Number(1));
  Schema schema = PatientSchema();
  std::vector<double> inputs(schema.fields().size());
  CheckResult result;
  ASSERT_FALSE(schema.Check(record, inputs, &result));
  ASSERT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(result.errors[0].message, "expected one of \"Male\", \"Female\", \"Other\", got \"M\uFFFD\"");
  EXPECT_EQ(result.errors[1].field, "x\uFFFD");
  EXPECT_STREQ(IssueKindName(result.errors[1].kind), "unknown_field");
}

TEST(SchemaValueFromText, UnreadableCsvCellsAreInvalidValues) {
  Schema schema = PatientSchema();
  for (size_t field : {0, 2, 3}) {
    const Value v = schema.ValueFromText(field, "a\xFF");
    EXPECT_EQ(v.kind, Value::Kind::kInvalid);
    EXPECT_EQ(v.text, "text is not valid UTF-8: \"a\uFFFD\"");
  }
  EXPECT_EQ(schema.ValueFromText(0, "1e400").text, "number out of range: 1e400");
  EXPECT_EQ(schema.ValueFromText(0, "-1e400").kind, Value::Kind::kInvalid);
  const Value tiny = schema.ValueFromText(0, "-1e-400");  // as the JSON parser: zero
  EXPECT_EQ(tiny.kind, Value::Kind::kNumber);
  EXPECT_EQ(tiny.number, 0);
  EXPECT_TRUE(std::signbit(tiny.number));
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

TEST(IssueKind, EveryKindHasItsOwnStableName) {
  const std::vector<std::pair<IssueKind, std::string>> names = {
      {IssueKind::kMissing, "missing"}, {IssueKind::kType, "type"}, {IssueKind::kCategory, "category"},
      {IssueKind::kLimit, "limit"}, {IssueKind::kUnknownField, "unknown_field"},
      {IssueKind::kInvalidValue, "invalid_value"}, {IssueKind::kNotFinite, "not_finite"},
      {IssueKind::kOutOfTrainingRange, "out_of_training_range"}, {IssueKind::kUnknownCategory, "unknown_category"},
      {IssueKind::kFeatureNotFinite, "feature_not_finite"}, {IssueKind::kInternal, "internal"},
      {IssueKind::kParse, "parse"}, {IssueKind::kTruncated, "truncated"}, {IssueKind::kNumber, "number"},
      {IssueKind::kEnum, "enum"}};
  for (const auto& [kind, name] : names) EXPECT_EQ(IssueKindName(kind), name);
}

}  // namespace
}  // namespace stroke
