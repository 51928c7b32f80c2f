// stroke-predict's command line (CLI11) and the CSV reader it shares with
// stroke-serve: bad flags refused naming them, the bundle-limit flags, quoting.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_options.h"
#include "csv.h"
#include "load_limit_flags.h"
#include "stroke/record_input.h"

namespace stroke::apps {
namespace {

TEST(CliOptions, RefusesBadFlags) {
  EXPECT_FALSE(ParseCliOptions({"--threshold", "1.5"}).ok());
  EXPECT_FALSE(ParseCliOptions({"--threshold"}).ok());
  EXPECT_FALSE(ParseCliOptions({"--format", "xml"}).ok());
  EXPECT_FALSE(ParseCliOptions({"--frobnicate"}).ok());
  EXPECT_FALSE(ParseCliOptions({"a.json", "b.json"}).ok());
  EXPECT_FALSE(ParseCliOptions({"info", "--output", "csv"}).ok());
  EXPECT_FALSE(ParseCliOptions({"--output", "text"}).ok());
  EXPECT_TRUE(ParseCliOptions({"--help"})->help);
}

TEST(CliOptions, IntegerFlagsNameWhatTheyExpect) {
  for (const char* bad : {"abc", "1.5", "2e0", "0x10", "", "0", "257", "-1"}) {
    auto refused = ParseCliOptions({"--threads", bad});
    ASSERT_FALSE(refused.ok()) << bad;
    const std::string expected = "expected an integer in [1, 256], got \"" + std::string(bad) + "\"";
    EXPECT_NE(refused.status().message().find(expected), std::string::npos) << refused.status().message();
    EXPECT_NE(refused.status().message().find("--threads"), std::string::npos) << refused.status().message();
  }
  auto threads = ParseCliOptions({"--threads", "256"});
  ASSERT_TRUE(threads.ok()) << threads.status().ToString();
  EXPECT_EQ(threads->threads, 256);
  auto refused = ParseCliOptions({"--max-record-bytes", "1MB"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("expected an integer in [1, 1099511627776], got \"1MB\""), std::string::npos)
      << refused.status().message();
}

TEST(CliOptions, BundleLimitFlagsSetLoadOptions) {
  auto options = ParseCliOptions({"--max-tree-depth", "5000", "--max-features", "12"});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->load.max_tree_depth, 5000u);
  EXPECT_EQ(options->load.max_features, 12u);
  EXPECT_EQ(options->load.max_trees, LoadOptions().max_trees);
  for (const char* bad : {"0", "-3", "1e3", "", "99999999999"}) {
    auto refused = ParseCliOptions({"--max-tree-nodes", bad});
    ASSERT_FALSE(refused.ok()) << bad;
    const std::string expected = "--max-tree-nodes: expected an integer in [1, 2147483647], got \"" + std::string(bad) + "\"";
    EXPECT_EQ(refused.status().message().rfind(expected, 0), 0u) << refused.status().message();
  }
  EXPECT_FALSE(ParseCliOptions({"--max-tree-depth"}).ok());
  for (const LoadLimitFlag& flag : LoadLimitFlags()) {
    EXPECT_NE(CliUsage().find(std::string("--") + flag.name + " N"), std::string::npos) << flag.name;
  }
}

TEST(Csv, QuotesRoundTrip) {
  // Read by the library's input module (no model fields: every cell is text).
  auto input = ReadInput("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\r\n1,2,3", {InputFormat::kCsv, "", ""}, Schema());
  ASSERT_TRUE(input.ok()) << input.status().message();
  ASSERT_EQ(input->rows.size(), 1u);
  ASSERT_TRUE(input->rows[0].record.ok());
  EXPECT_EQ(input->rows[0].line, 3u);
  EXPECT_EQ(input->rows[0].record->Find("b,c")->text, "2");
  EXPECT_EQ(input->rows[0].record->Find("say \"hi\"")->text, "3");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
}

}  // namespace
}  // namespace stroke::apps
