// src/csv_reader.h (CsvRowReader): rows split at every comma, eight bytes at a
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

// Every row of `text`, and their lines; `status`: why the reader stopped.
std::vector<std::vector<std::string>> Rows(std::string_view text, std::vector<size_t>* lines = nullptr,
                                           Status* status = nullptr) {
  CsvRowReader reader(text);
  std::vector<std::string_view> cells;
  std::vector<std::vector<std::string>> rows;
  while (reader.Next(&cells)) {
    rows.emplace_back(cells.begin(), cells.end());
    if (lines != nullptr) lines->push_back(reader.line());
  }
  if (status != nullptr) *status = reader.status();
  return rows;
}

TEST(CsvRowReader, SplitsUnquotedRowsAtEveryCommaWhateverTheBytesAround) {
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
    std::vector<size_t> got_lines;
    Status status;
    EXPECT_EQ(Rows(text, &got_lines, &status), expected);
    EXPECT_EQ(got_lines, lines);
    EXPECT_TRUE(status.ok()) << status.message();
  }
}

TEST(CsvRowReader, QuotedCellsAndLineEnds) {
  std::vector<size_t> lines;
  Status status;
  const std::vector<std::vector<std::string>> expected = {
      {"a", "b,c", "d"}, {"x\"y", "", "z"}, {"two\nlines", "0123456789abcdef", ""}, {"\"\""}, {"", ""}};
  EXPECT_EQ(Rows("a,\"b,c\",d\r\n\"x\"\"y\",,z\r\n\n\"two\nlines\",0123456789abcdef,\r\r\"\"\"\"\"\"\n,", &lines, &status),
            expected);
  EXPECT_EQ(lines, (std::vector<size_t>{1, 2, 4, 7, 8}));
  EXPECT_TRUE(status.ok());
  // Errors name the line, after the rows before them.
  EXPECT_EQ(Rows("x\n\na,\"b\nc", &lines, &status).size(), 1u);
  EXPECT_EQ(status.message(), "CSV line 3: unterminated quoted field");
  EXPECT_EQ(Rows("a,\"b\"c,d", &lines, &status).size(), 0u);
  EXPECT_EQ(status.message(), "CSV line 1: text after a closing quote");
}

TEST(CsvRowReader, ManyBlankLinesInARow) {
  // CR-only blank lines take the byte-by-byte route, one after another:
  // linear time, no recursion.
  const std::string text = std::string(1'000'000, '\r') + "a,b\r" + std::string(1'000'000, '\n') + "c";
  std::vector<size_t> lines;
  EXPECT_EQ(Rows(text, &lines), (std::vector<std::vector<std::string>>{{"a", "b"}, {"c"}}));
  EXPECT_EQ(lines, (std::vector<size_t>{1'000'001, 2'000'001}));  // "a,b\r\n": one line end
}

}  // namespace
}  // namespace stroke::internal
