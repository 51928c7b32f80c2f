#include "stroke/record.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

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

TEST(Value, DescribesNumbersByTheShortestTextThatReadsBack) {
  EXPECT_EQ(Value::Number(36.6).Describe(), "36.6");
  EXPECT_EQ(Value::Number(0.30000000000000004).Describe(), "0.30000000000000004");
  EXPECT_EQ(Value::Number(67, true).Describe(), "67");
  EXPECT_EQ(Value::Number(-0.0).Describe(), "-0");
  EXPECT_EQ(Value::Number(1e16).Describe(), "1e+16");
  EXPECT_EQ(Value::Number(5e-324).Describe(), "5e-324");
}

// A long string is cut at kDescribedTextBytes, at a character's start, with
// its length: messages do not grow with what a client sent.
TEST(Value, DescribesALongStringByItsStartAndLength) {
  const std::string hundred(Value::kDescribedTextBytes, 'x');
  EXPECT_EQ(Value::String(hundred).Describe(), "\"" + hundred + "\"");
  EXPECT_EQ(Value::String(std::string(5 << 20, 'x')).Describe(), "\"" + hundred + "...\" (5242880 bytes)");
  // "é" is 2 bytes: 99 x then é straddles byte 100, so the cut comes before it.
  const std::string straddling = std::string(99, 'x') + "\xc3\xa9" + "tail";
  EXPECT_EQ(Value::String(straddling).Describe(), "\"" + std::string(99, 'x') + "...\" (105 bytes)");
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


TEST(ParseRecordJson, SkipsAUtf8ByteOrderMark) {
  for (const std::string body : {R"({"a": 1})", R"({"a": "caf\u00e9", "b": [1]})"}) {  // fast path and full parser
    auto record = ParseRecordJson("\xEF\xBB\xBF" + body);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    EXPECT_EQ(record->fields()[0].first, "a");
  }
  auto records = ParseRecordsJson("\xEF\xBB\xBF[{\"a\": 1}, {\"a\": 2}]");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 2u);
  EXPECT_EQ(SkipUtf8Bom("\xEF\xBB\xBF"), "");
  EXPECT_EQ(SkipUtf8Bom("\xEF\xBBx"), "\xEF\xBBx");
}

// A field the parser could not read keeps its name and says why.
struct UnreadableField {
  const char* name;
  std::string json;
  std::string field;    // the field's name in the record (valid UTF-8)
  std::string message;  // its kInvalid value's text
};

void PrintTo(const UnreadableField& c, std::ostream* os) { *os << c.name; }

class UnreadableFields : public ::testing::TestWithParam<UnreadableField> {};

TEST_P(UnreadableFields, BecomeInvalidValuesNamingTheField) {
  const UnreadableField& c = GetParam();
  auto record = ParseRecordJson(c.json);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  const Value* value = record->Find(c.field);
  ASSERT_NE(value, nullptr) << "fields: " << record->fields()[0].first;
  EXPECT_EQ(value->kind, Value::Kind::kInvalid);
  EXPECT_EQ(value->text, c.message);
  EXPECT_TRUE(IsValidUtf8(value->text));
  EXPECT_EQ(record->Find("ok")->number, 1);  // the other fields are read
  // The same inside an array of records, next to a good one.
  auto records = ParseRecordsJson(R"([{"ok": 2}, )" + c.json + "]");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0]->Find("ok")->number, 2);
  ASSERT_NE((*records)[1]->Find(c.field), nullptr);
  EXPECT_EQ((*records)[1]->Find(c.field)->text, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, UnreadableFields,
    ::testing::Values(
        UnreadableField{"Overflow", R"({"age": 1e400, "ok": 1})", "age", "number out of range: 1e400"},
        UnreadableField{"NegativeOverflow", R"({"ok": 1, "age": -1.5E+309})", "age", "number out of range: -1.5E+309"},
        UnreadableField{"LongInteger", "{\"age\": 1" + std::string(400, '0') + ", \"ok\": 1}", "age",
                        "number out of range: 1" + std::string(39, '0') + "..."},
        UnreadableField{"Nested", R"({"age": [1, {"x": 1e999}], "ok": 1})", "age", "number out of range: 1e999"},
        UnreadableField{"ByteFF", "{\"gender\": \"M\xFFle\", \"ok\": 1}", "gender",
                        "text is not valid UTF-8: \"M\uFFFDle\""},
        UnreadableField{"BadContinuation", "{\"gender\": \"\xC3\x28\", \"ok\": 1}", "gender",
                        "text is not valid UTF-8: \"\uFFFD(\""},
        UnreadableField{"Overlong", "{\"gender\": \"\xC0\xAF\", \"ok\": 1}", "gender",
                        "text is not valid UTF-8: \"\uFFFD\uFFFD\""},
        UnreadableField{"Surrogate", "{\"gender\": \"\xED\xA0\x80\", \"ok\": 1}", "gender",
                        "text is not valid UTF-8: \"\uFFFD\uFFFD\uFFFD\""},
        UnreadableField{"EscapesKept", "{\"gender\": \"\\\"\xFF\\\\\", \"ok\": 1}", "gender",
                        "text is not valid UTF-8: \"\\\"\uFFFD\\\\\""},
        UnreadableField{"Key", "{\"ag\xFF" "e\": 30, \"ok\": 1}", "ag\uFFFDe", "the field name is not valid UTF-8"},
        UnreadableField{"KeyAndValue", "{\"a\xC3\x28\": \"\xFF\", \"ok\": 1}", "a\uFFFD(",
                        "the field name is not valid UTF-8"}),
    [](const ::testing::TestParamInfo<UnreadableField>& info) { return std::string(info.param.name); });

TEST(ParseRecordJson, TinyNumbersReadAsZeroAsTheParserHasThem) {
  auto record = ParseRecordJson(R"({"a": 1e-400, "b": -1e-400, "c": 5e-324, "d": 1e-310})");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->Find("a")->number, 0);
  EXPECT_TRUE(std::signbit(record->Find("b")->number));
  EXPECT_EQ(record->Find("c")->number, 5e-324);
  EXPECT_EQ(record->Find("d")->number, 1e-310);
}

TEST(ParseRecordJson, UnmendableErrorsHaveUtf8Messages) {
  // Mending the keys would make them equal: the parser's own error stands.
  for (const char* text : {"{\"a\xFF\": 1, \"a\xFE\": 2}", "{\"a\": \"\xFF", "\"\xFF\"", "[1e400]"}) {
    auto record = ParseRecordJson(text);
    ASSERT_FALSE(record.ok()) << text;
    EXPECT_TRUE(IsValidUtf8(record.status().message())) << record.status().message();
    EXPECT_NO_THROW(nlohmann::json(record.status().message()).dump());
  }
}

TEST(Utf8, ValidityAndReplacement) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  for (const char* bad : {"\xFF", "\xC3\x28", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xE2\x82", "\x80", "\xF8\x88\x80\x80\x80"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
    EXPECT_TRUE(IsValidUtf8(ToValidUtf8(bad))) << bad;
  }
  EXPECT_EQ(ToValidUtf8("a\xFF" "b\xC3\xA9"), "a\uFFFDb\u00E9");
  EXPECT_EQ(ToValidUtf8("\xE2\x82"), "\uFFFD\uFFFD");
  EXPECT_EQ(Status(StatusCode::kInvalidInput, "bad \xFF").message(), "bad \uFFFD");
  EXPECT_EQ(Value::String("\xFF").Describe(), "\"\uFFFD\"");
  EXPECT_EQ(Value::Text("ok").kind, Value::Kind::kString);
  EXPECT_EQ(Value::Text("\xFF").text, "text is not valid UTF-8: \"\uFFFD\"");
}

}  // namespace
}  // namespace stroke

// Records past a few fields are looked up through an index: the answers
// must be the same as the plain scan's (order kept, replace, absent keys,
// duplicates refused by the parser).
TEST(Record, ManyFieldsKeepOrderReplaceAndFind) {
  stroke::Record r;
  for (int i = 0; i < 1000; ++i) r.Set("f" + std::to_string(i), stroke::Value::Number(i));
  r.Set("f7", stroke::Value::String("seven"));
  ASSERT_EQ(r.size(), 1000u);
  EXPECT_EQ(r.fields()[7].first, "f7");
  EXPECT_EQ(r.Find("f7")->text, "seven");
  EXPECT_EQ(r.Find("f999")->number, 999);
  EXPECT_EQ(r.Find("f1000"), nullptr);
  EXPECT_EQ(r.Find(""), nullptr);
  stroke::Record copy = r;  // the index travels with the fields
  copy.Set("f0", stroke::Value::Number(-1));
  EXPECT_EQ(copy.Find("f0")->number, -1);
  EXPECT_EQ(r.Find("f0")->number, 0);
}

TEST(ParseRecordJson, ADuplicateAmongManyKeysIsRefused) {
  std::string text = "{";
  for (int i = 0; i < 5000; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  auto wide = stroke::ParseRecordJson(text.substr(0, text.size() - 1) + "}");
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  EXPECT_EQ(wide->size(), 5000u);
  EXPECT_EQ(wide->Find("k4321")->number, 4321);
  auto duplicated = stroke::ParseRecordJson(text + "\"k4321\":1}");
  EXPECT_FALSE(duplicated.ok());
}
