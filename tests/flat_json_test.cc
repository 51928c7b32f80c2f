// The flat-object fast path (src/flat_json.h) must answer exactly as the full
// JSON parser: ParseRecordJson(body) takes the fast path where it can, while
// ParseRecordsJson("[" + body + "]") always takes the full parser (an array),
// so the two are compared on a corpus and on random mutations of it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "stroke/record.h"

namespace stroke {
namespace {

std::string Describe(const StatusOr<Record>& r) {
  if (!r.ok()) return "error";  // messages differ in columns (the "[" prefix); both come from the full parser
  std::string out;
  for (const auto& [name, v] : r->fields()) {
    uint64_t bits;
    std::memcpy(&bits, &v.number, sizeof bits);
    out += name + "=" + std::to_string(static_cast<int>(v.kind)) + "/" + std::to_string(bits) + "/" +
           std::to_string(v.is_integer) + "/" + std::to_string(v.boolean) + "/" + v.text + ";";
  }
  return out;
}

std::string ViaFullParser(const std::string& body) {
  auto records = ParseRecordsJson("[" + body + "]");
  if (!records.ok() || records->size() != 1) return "error";
  return Describe((*records)[0]);
}

const char* const kCorpus[] = {
    R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "bmi": 36.6, "x": null})",
    R"({})", R"(  { "a" : 1 }  )", "{\n\t\"a\":\r\n-0}", R"({"a": 0.1, "b": 1e5, "c": 1E-3, "d": -2.5e+10})",
    R"({"a": 123456789012345678, "b": -123456789012345678, "c": 1234567890123456789})",
    R"({"a": 5e-324, "b": 2.2250738585072011e-308, "c": 1.7976931348623157e308, "d": 0.30000000000000004})",
    R"({"a": "", "b": "Self-employed", "c": "never smoked", "d": "caf\u00e9", "e": "tab\there"})",
    R"({"a": [1, 2], "b": {"c": 1}})",
    R"({"a": 1, "a": 2})", R"({"a": 1,})", R"({"a" 1})", R"({"a": 01})", R"({"a": NaN})", R"({"a": 1)",
    R"({"a": 1}x)", R"({"a": tru})", R"({"a": -})", R"({"a": 1.})", R"({"a": .5})", R"({"a": 1e})",
};

TEST(FlatJson, AnswersAsTheFullParserOnTheCorpus) {
  for (const char* body : kCorpus) {
    EXPECT_EQ(Describe(ParseRecordJson(body)), ViaFullParser(body)) << body;
  }
}

TEST(FlatJson, AnswersAsTheFullParserOnMutations) {
  const std::string base = kCorpus[0];
  const std::string alphabet = "{}[]\":,-+.eE0123456789 \\tfnulxa\x01\xc3";
  std::mt19937 rng(5);
  for (int i = 0; i < 4000; ++i) {
    std::string body = base;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const size_t at = rng() % body.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: body[at] = c; break;
        case 1: body.insert(body.begin() + static_cast<long>(at), c); break;
        default: body.erase(at, 1);
      }
    }
    ASSERT_EQ(Describe(ParseRecordJson(body)), ViaFullParser(body)) << body;
  }
}

}  // namespace
}  // namespace stroke
