// ParseJsonFast (apps/serve/protocol_json_fast.h) builds exactly the DOM
// nlohmann's parser builds - same keys in the same order, same values, same
// number types - or leaves the body to the full parser: a table of bodies
// each way, and random mutations of a protocol request checked against
// nlohmann.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "protocol_input.h"
#include "protocol_json_fast.h"

namespace stroke::apps {
namespace {

// Same JSON text and, all the way down, the same value types (the text
// cannot tell an unsigned 5 from a signed one).
bool SameTypes(const Json& a, const Json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
      if (i.key() != j.key() || !SameTypes(i.value(), j.value())) return false;
    }
  } else if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameTypes(a[i], b[i])) return false;
    }
  }
  return true;
}

void ExpectAsNlohmann(const std::string& text) {
  Json fast;
  ASSERT_TRUE(ParseJsonFast(text, kMaxProtocolDepth, &fast)) << text;
  const Json full = Json::parse(text);
  EXPECT_EQ(fast.dump(), full.dump()) << text;
  EXPECT_TRUE(SameTypes(fast, full)) << text;
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string ObjectOfKeys(int n, bool repeat_last) {
  std::string text = "{";
  for (int i = 0; i < n; ++i) text += (i ? "," : "") + ("\"k" + std::to_string(repeat_last && i == n - 1 ? 0 : i) + "\": " + std::to_string(i));
  return text + "}";
}

const char kOipRequest[] =
    R"({"id": "42", "inputs": [{"name": "gender", "shape": [1], "datatype": "BYTES", "data": ["Male"]},)"
    R"( {"name": "age", "shape": [1, 1], "datatype": "FP64", "data": [[67.5]]},)"
    R"( {"name": "hypertension", "shape": [1], "datatype": "BOOL", "data": [false]},)"
    R"( {"name": "bmi", "shape": [1], "datatype": "FP64", "data": [null]}],)"
    R"( "outputs": [{"name": "probabilities"}], "parameters": {"x": -1}})";

TEST(ParseJsonFast, BuildsWhatNlohmannBuilds) {
  for (const std::string& text : std::vector<std::string>{
           kOipRequest, "{}", "[]", "0", "[0, -1.5]", "3", "-3", "3.0", "1e5", "-1.5e-7", "1E2", "0.1",
           "18446744073709551615", "9223372036854775807", "-9223372036854775808", "1.7976931348623157e308",
           "4.9e-324", "true", "false", "null", R"("")", R"("caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n")",
           "\"caf\xc3\xa9\"", R"({"a\u0000b": 1, "": [], "x": {"y": {"z": [1, [2, [3]]]}}})", " \t\n[1 , 2 ]\r\n",
           ObjectOfKeys(40, false), Nested(kMaxProtocolDepth)}) {
    SCOPED_TRACE(text);
    ExpectAsNlohmann(text);
  }
}

TEST(ParseJsonFast, LeavesToTheFullParserWhatItMustName) {
  for (const std::string& text : std::vector<std::string>{
           "", "  ", "{", "[1,]", "{\"a\": 1,}", "[1] 2", "nul", "01", "1.", "+1", ".5", "'a'", "[NaN]", "1e400",
           "-1e400", "-0", "[0, -0]", "[0, -0.5]", "18446744073709551616", "-9223372036854775809", "\"a\tb\"", "\"\\x\"", "\"\\ud800\"",
           R"({"a": 1, "a": 2})", R"({"a": {"b": 1, "b": 1}})", ObjectOfKeys(40, true),
           Nested(kMaxProtocolDepth + 1), "{\"a\": " + Nested(kMaxProtocolDepth) + "}"}) {
    SCOPED_TRACE(text);
    Json out;
    EXPECT_FALSE(ParseJsonFast(text, kMaxProtocolDepth, &out));
  }
}

// Random bytes of JSON's own alphabet written over a protocol request: the
// fast path never accepts what nlohmann refuses, and what it accepts is
// nlohmann's DOM (duplicate keys aside, which it leaves to the full parser).
TEST(ParseJsonFast, AnswersAsNlohmannOnMutations) {
  const std::string alphabet = "{}[]\",:0123456789.-+eEtrufalsn \\u/x";
  std::mt19937 random(7);
  size_t accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string text = kOipRequest;
    for (int k = 0; k < 1 + i % 3; ++k) text[random() % text.size()] = alphabet[random() % alphabet.size()];
    Json fast;
    const bool ok = ParseJsonFast(text, kMaxProtocolDepth, &fast);
    const Json full = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (full.is_discarded()) {
      EXPECT_FALSE(ok) << text;
      continue;
    }
    if (!ok) continue;
    ++accepted;
    EXPECT_EQ(fast.dump(), full.dump()) << text;
    EXPECT_TRUE(SameTypes(fast, full)) << text;
  }
  EXPECT_GT(accepted, 500u);  // the comparison did happen
}

}  // namespace
}  // namespace stroke::apps
