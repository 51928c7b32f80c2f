// src/short_decimal.h (ParseShortDecimal): the texts it takes read as
// std::from_chars reads them, bit for bit, and it leaves every other text to
// from_chars.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "short_decimal.h"

namespace stroke::internal {
namespace {

uint64_t Bits(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

double FromChars(const std::string& text) {
  double x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  EXPECT_TRUE(ec == std::errc() && end == text.data() + text.size()) << text;
  return x;
}

TEST(ShortDecimal, ReadsAsFromCharsBitForBit) {
  std::mt19937_64 random(16);
  size_t taken = 0;
  for (int trial = 0; trial < 1'000'000; ++trial) {
    // 1 to 15 digits, the point after any of them but the last, or none.
    const size_t digits = 1 + random() % 15;
    std::string text;
    for (size_t i = 0; i < digits; ++i) text += static_cast<char>('0' + random() % 10);
    const size_t point = random() % (digits + 2);
    if (point > 0 && point < digits) text.insert(point, ".");
    double x = -1;
    ASSERT_TRUE(ParseShortDecimal(text, &x)) << text;
    ASSERT_EQ(Bits(x), Bits(FromChars(text))) << text;
    ++taken;
  }
  EXPECT_EQ(taken, 1'000'000u);
  // The edges: the most digits, the smallest fraction, halfway cases of the
  // division (0.1 + 0.2's operands), zeros.
  for (const std::string text : {"0", "00", "0.0", "000000000000000", "999999999999999", "99999999999999.9",
                                 "0.00000000000001", "1.00000000000001", "0.1", "0.2", "0.3", "101.15", "28.6",
                                 "9007199254740.99", "4503599627370.49", "123456789012.345"}) {
    double x = -1;
    ASSERT_TRUE(ParseShortDecimal(text, &x)) << text;
    EXPECT_EQ(Bits(x), Bits(FromChars(text))) << text;
  }
}

TEST(ShortDecimal, LeavesEveryOtherTextToFromChars) {
  for (const std::string text : {"", ".", ".5", "5.", "-1", "+1", "-0", "1e5", "1E5", "0x10", "1.2.3", " 1", "1 ",
                                 "inf", "nan", "1,5", "1234567890123456", "123456789012345.6", "0.000000000000001",
                                 "9007199254740993"}) {
    double x = -1;
    EXPECT_FALSE(ParseShortDecimal(text, &x)) << text;
    EXPECT_EQ(x, -1) << text;  // untouched
  }
}

}  // namespace
}  // namespace stroke::internal
