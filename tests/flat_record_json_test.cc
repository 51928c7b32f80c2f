// The flat-object fast path (src/flat_record_json.h, simdjson) must answer
// exactly as the full reader: ParseRecordJson(body) takes the fast path where
// it can, while ParseRecordsJson("[" + body + "]") always takes the full
// reader (an array), so the two are compared on a corpus and on random
// mutations of it. The fast path is also called directly, to show that it
// answers the bodies it exists for rather than leaving them all to the full
// reader (which would pass the comparison, slowly).
#include "flat_record_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "stroke/record.h"

namespace stroke {
namespace {

using namespace std::string_literals;

std::string Describe(const Record& record) {
  std::string out;
  for (const auto& [name, v] : record.fields()) {
    uint64_t bits;
    std::memcpy(&bits, &v.number, sizeof bits);
    out += name + "=" + std::to_string(static_cast<int>(v.kind)) + "/" + std::to_string(bits) + "/" +
           std::to_string(v.is_integer) + "/" + std::to_string(v.boolean) + "/" + v.text + ";";
  }
  return out;
}

std::string Describe(const StatusOr<Record>& r) {
  // Messages differ in columns (the "[" prefix); both come from the full reader.
  return r.ok() ? Describe(*r) : "error";
}

std::string ViaFullReader(const std::string& body) {
  auto records = ParseRecordsJson("[" + body + "]");
  if (!records.ok() || records->size() != 1) return "error";
  return Describe((*records)[0]);
}

// Where the fast path answers, its answer is the full reader's.
void ExpectSameAnswer(const std::string& body) {
  const std::string full = ViaFullReader(body);
  EXPECT_EQ(Describe(ParseRecordJson(body)), full) << body;
  if (Record fast; ParseFlatRecordJson(body, &fast)) {
    EXPECT_EQ(Describe(fast), full) << body;
  }
}

// Bodies the fast path must answer itself.
const std::string kAnswered[] = {
    R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "bmi": 36.6, "x": null})",
    R"({})", R"(  { "a" : 1 }  )", "{\n\t\"a\":\r\n-0}", R"({"a": 0.1, "b": 1e5, "c": 1E-3, "d": -2.5e+10})",
    R"({"a": 123456789012345678, "b": -123456789012345678, "c": 1234567890123456789})",
    R"({"a": 9223372036854775807, "b": -9223372036854775808, "c": 9223372036854775808, "d": 18446744073709551615})",
    R"({"a": 5e-324, "b": 2.2250738585072011e-308, "c": 1.7976931348623157e308, "d": 0.30000000000000004})",
    R"({"a": -0.0, "b": -0e0, "c": 0e-5, "d": 1e-400, "e": -1e-400, "f": 1.00000000000000011102230246251565404236316680908203125})",
    R"({"a": 9007199254740993, "b": 2.4703282292062328e-324, "c": 179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9})",
    R"({"a": "", "b": "Self-employed", "c": "never smoked", "d": "caf\u00e9", "e": "tab\there"})",
    R"({"a": "\"\\\/\b\f\n\r\t", "b": "\ud83d\ude00", "c": "\u0000", "d": "日本語", "e": "Zürich"})",
    R"({"caf\u00e9": 1, "na\"me": 2, "": 3, "Ω": "ω"})",
};

// Bodies it must leave to the full reader (which answers or refuses them).
const std::string kLeftToTheFullReader[] = {
    R"({"a": [1, 2], "b": {"c": 1}})", R"({"a": 1, "a": 2})", R"({"a": 1, "\u0061": 2})",
    R"({"a": 18446744073709551616})", R"({"a": -9223372036854775809})", R"({"a": 123456789012345678901234567890})",
    R"({"a": 1e400})", R"({"a": -1e400})", R"({"a": "\ud800"})", R"({"a": "\udc00"})", R"({"a": "\ud800\u0041"})",
    "{\"a\": \"\xff\"}", "{\"\xc3\": 1}", "{\"a\": \"\xed\xa0\x80\"}", "{\"a\": 1}\0"s, "{\"a\": \"x\0y\"}"s,
    "{\"a\": \"x\x01y\"}", R"([{"a": 1}])", R"(42)", R"("a")", "",
    R"({"a": 1,})", R"({"a" 1})", R"({"a": 01})", R"({"a": NaN})", R"({"a": Infinity})", R"({"a": 1)",
    R"({"a": 1}x)", R"({"a": 1} {})", R"({"a": tru})", R"({"a": nul})", R"({"a": truex})", R"({"a": -})",
    R"({"a": 1.})", R"({"a": .5})", R"({"a": 1e})", R"({"a": +1})", R"({"a": 0x10})", R"({'a': 1})",
    R"({"a": "\x"})", R"({"a": "\u12"})", R"({a: 1})",
};

TEST(FlatRecordJson, AnswersTheFlatBodiesAsTheFullReader) {
  for (const std::string& body : kAnswered) {
    Record fast;
    EXPECT_TRUE(ParseFlatRecordJson(body, &fast)) << body;
    EXPECT_EQ(Describe(fast), ViaFullReader(body)) << body;
    EXPECT_EQ(Describe(ParseRecordJson(body)), ViaFullReader(body)) << body;
  }
}

TEST(FlatRecordJson, LeavesTheRestToTheFullReader) {
  for (const std::string& body : kLeftToTheFullReader) {
    Record fast;
    fast.Set("untouched", Value::Null());
    EXPECT_FALSE(ParseFlatRecordJson(body, &fast)) << body;
    EXPECT_EQ(fast.size(), 1u) << body;
    ExpectSameAnswer(body);
  }
}

TEST(FlatRecordJson, KeepsIntegerSpellingAndSignsAsTheFullReader) {
  Record fast;
  ASSERT_TRUE(ParseFlatRecordJson(R"({"a": -0, "b": -0.0, "c": 3, "d": 3.0, "e": 3e0})", &fast));
  EXPECT_TRUE(fast.Find("a")->is_integer);
  EXPECT_FALSE(std::signbit(fast.Find("a")->number));  // the integer 0, as nlohmann reads it
  EXPECT_FALSE(fast.Find("b")->is_integer);
  EXPECT_TRUE(std::signbit(fast.Find("b")->number));
  EXPECT_TRUE(fast.Find("c")->is_integer);
  EXPECT_FALSE(fast.Find("d")->is_integer);
  EXPECT_FALSE(fast.Find("e")->is_integer);
}

TEST(FlatRecordJson, AnswersAsTheFullReaderOnMutations) {
  const std::string base = kAnswered[0];
  const std::string alphabet = "{}[]\":,-+.eE0123456789 \\tfnulxa\x01\xc3\xa9\xff"s + '\0';
  std::mt19937 rng(5);
  for (int i = 0; i < 6000; ++i) {
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
    ExpectSameAnswer(body);
    if (HasFailure()) return;
  }
}

TEST(FlatRecordJson, RandomNumbersReadBitForBitAsTheFullReader) {
  std::mt19937_64 rng(11);
  std::string body = "{";
  for (int i = 0; i < 3000; ++i) {
    uint64_t bits = rng();
    double x;
    std::memcpy(&x, &bits, sizeof x);
    if (!std::isfinite(x)) continue;
    char text[40];
    if (i % 2) {
      std::snprintf(text, sizeof text, "%.17g", x);
    } else {
      std::snprintf(text, sizeof text, "%.*e", static_cast<int>(rng() % 20), x);
    }
    body += (body.size() > 1 ? ", \"n" : "\"n") + std::to_string(i) + "\": " + text;
  }
  body += "}";
  Record fast;
  ASSERT_TRUE(ParseFlatRecordJson(body, &fast));
  EXPECT_EQ(Describe(fast), ViaFullReader(body));
}

// Above the size whose parser a thread keeps (64 KiB), and from several threads.
TEST(FlatRecordJson, LargeBodiesAndThreadsAnswerAlike) {
  std::string large = "{";
  for (int i = 0; i < 8000; ++i) large += (i ? ", \"field" : "\"field") + std::to_string(i) + "\": \"value\"";
  large += "}";
  ASSERT_GT(large.size(), 64u * 1024);
  Record fast;
  ASSERT_TRUE(ParseFlatRecordJson(large, &fast));
  EXPECT_EQ(fast.size(), 8000u);
  EXPECT_EQ(Describe(fast), ViaFullReader(large));

  std::vector<std::thread> threads;
  std::vector<int> answered(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &answered] {
      for (int i = 0; i < 500; ++i) {
        const std::string body = "{\"thread\": " + std::to_string(t) + ", \"i\": " + std::to_string(i) + "}";
        Record record;
        if (ParseFlatRecordJson(body, &record) && record.Find("thread")->number == t &&
            record.Find("i")->number == i) {
          ++answered[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answered, std::vector<int>(4, 500));
}

}  // namespace
}  // namespace stroke
