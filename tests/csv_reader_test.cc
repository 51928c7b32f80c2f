// src/csv_reader.h (ParseCsv): rows split at every comma, eight bytes at a
// time for a row without quotes, whatever bytes stand around the commas
// (bytes one off ',' in either bit pattern, NUL, high bytes), and the
// quoted cells and line ends of RFC 4180.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "csv_reader.h"

namespace stroke::internal {
namespace {

std::vector<std::vector<std::string>> Rows(const CsvTable& table) {
  std::vector<std::vector<std::string>> rows;
  for (const CsvTable::Row& row : table.rows) {
    rows.emplace_back();
    for (std::string_view cell : table.CellsOf(row)) rows.back().emplace_back(cell);
  }
  return rows;
}

TEST(ParseCsv, SplitsUnquotedRowsAtEveryCommaWhateverTheBytesAround) {
  // ',' is 0x2C: '-' (0x2D), '+' (0x2B), 0xAC and 0xAD differ from it in one
  // bit or carry into the next byte in a word-wide zero-byte test.
  const std::string alphabet = std::string(",,,-+a.\xAC\xAD ") + '\0';
  std::mt19937 random(16);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    std::vector<std::vector<std::string>> expected;
    std::vector<size_t> lines;
    const int num_lines = 1 + static_cast<int>(random() % 4);
    for (int line = 1; line <= num_lines; ++line) {
      const size_t length = random() % 41;
      std::string row;
      for (size_t i = 0; i < length; ++i) row += alphabet[random() % alphabet.size()];
      text += row + (line < num_lines || random() % 2 ? "\n" : "");
      if (row.empty()) continue;  // a blank line is no row
      expected.emplace_back(1);
      for (char c : row) {
        if (c == ',') {
          expected.back().emplace_back();
        } else {
          expected.back().back() += c;
        }
      }
      lines.push_back(static_cast<size_t>(line));
    }
    SCOPED_TRACE(testing::PrintToString(text));
    const StatusOr<CsvTable> table = ParseCsv(text);
    ASSERT_TRUE(table.ok()) << table.status().message();
    EXPECT_EQ(Rows(*table), expected);
    ASSERT_EQ(table->rows.size(), lines.size());
    for (size_t r = 0; r < lines.size(); ++r) EXPECT_EQ(table->rows[r].line, lines[r]);
  }
}

TEST(ParseCsv, QuotedCellsAndLineEnds) {
  const StatusOr<CsvTable> table = ParseCsv("a,\"b,c\",d\r\n\"x\"\"y\",,z\r\n\n\"two\nlines\",0123456789abcdef,");
  ASSERT_TRUE(table.ok()) << table.status().message();
  const std::vector<std::vector<std::string>> expected = {
      {"a", "b,c", "d"}, {"x\"y", "", "z"}, {"two\nlines", "0123456789abcdef", ""}};
  EXPECT_EQ(Rows(*table), expected);
  EXPECT_EQ(table->rows[2].line, 4u);
  EXPECT_FALSE(ParseCsv("a,\"b\nc").ok());   // unterminated
  EXPECT_FALSE(ParseCsv("a,\"b\"c,d").ok());  // text after a closing quote
}

}  // namespace
}  // namespace stroke::internal
