#include "stroke/record.h"

#include <gtest/gtest.h>

namespace stroke {
namespace {

TEST(ParseRecordJson, KeepsTypesAndOrder) {
  auto record = ParseRecordJson(R"({"age": 67, "bmi": 36.6, "smoker": true, "gender": "Male", "x": null})");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  ASSERT_EQ(record->size(), 5u);
  EXPECT_EQ(record->fields()[0].first, "age");
  EXPECT_TRUE(record->Find("age")->is_integer);
  EXPECT_FALSE(record->Find("bmi")->is_integer);
  EXPECT_EQ(record->Find("bmi")->number, 36.6);
  EXPECT_EQ(record->Find("smoker")->kind, Value::Kind::kBool);
  EXPECT_EQ(record->Find("gender")->text, "Male");
  EXPECT_EQ(record->Find("x")->kind, Value::Kind::kNull);
  EXPECT_EQ(record->Find("missing"), nullptr);
}

TEST(ParseRecordJson, NestedValuesBecomeOther) {
  auto record = ParseRecordJson(R"({"age": [1, 2]})");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->Find("age")->kind, Value::Kind::kOther);
  EXPECT_EQ(record->Find("age")->Describe(), "array");
}

const std::string kDeepJson(100, '[');

struct BadJsonCase {
  const char* text;
  const char* expected_message_part;
};

class ParseRecordJsonErrors : public ::testing::TestWithParam<BadJsonCase> {};

TEST_P(ParseRecordJsonErrors, NamesTheProblem) {
  auto record = ParseRecordJson(GetParam().text);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(record.status().message().find(GetParam().expected_message_part), std::string::npos)
      << record.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRecordJsonErrors,
    ::testing::Values(BadJsonCase{"", "invalid JSON"}, BadJsonCase{"{\"age\": ", "invalid JSON"},
                      BadJsonCase{"[1, 2]", "expected a JSON object"},
                      BadJsonCase{"42", "expected a JSON object"},
                      BadJsonCase{R"({"age": 1, "age": 2})", "\"age\" appears twice"},
                      BadJsonCase{R"({"age": NaN})", "no NaN"},
                      BadJsonCase{kDeepJson.c_str(), "deeper than 64"}));

TEST(ParseRecordsJson, ArrayKeepsGoodElementsAndReportsBadOnes) {
  auto records = ParseRecordsJson(R"([{"a": 1}, 7, {"b": 2}])");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_TRUE((*records)[0].ok());
  EXPECT_FALSE((*records)[1].ok());
  EXPECT_NE((*records)[1].status().message().find("got number"), std::string::npos);
  EXPECT_TRUE((*records)[2].ok());
}

TEST(ParseRecordsJson, SingleObjectIsOneRecord) {
  auto records = ParseRecordsJson(R"({"a": 1})");
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 1u);
}

TEST(ParseRecordsJson, ScalarIsAnError) {
  auto records = ParseRecordsJson("\"text\"");
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("object or an array"), std::string::npos);
}

}  // namespace
}  // namespace stroke
