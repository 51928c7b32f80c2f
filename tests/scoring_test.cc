// stroke/scoring.h (ScoreRecords, every front end's scoring loop): each row
// answered independently, in order, as Model::Predict answers it; bad rows
// named and never in the way of the good ones; features kept on request.
#include "stroke/scoring.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "stroke/record_input.h"
#include "test_util.h"

namespace stroke {
namespace {

const std::string kGood = testing::kSamplePatient;
const std::string kBadAge = R"({"gender": "Male", "age": "old"})";

StatusOr<RecordInput> Lines(const std::string& text, const Model& model) {
  return ReadInput(text, InputOptions{InputFormat::kJsonl, "", ""}, model.schema());
}

TEST(ScoreRecords, AnswersEveryRowInOrderAsModelPredict) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  auto input = Lines(kGood + "\n" + kBadAge + "\n{not json\n" + kGood + "\n", model);
  ASSERT_TRUE(input.ok()) << input.status().message();
  const BatchScore scored = ScoreRecords(model, input->rows);
  ASSERT_EQ(scored.rows.size(), 4u);
  EXPECT_EQ(scored.failed, 2u);
  EXPECT_TRUE(scored.features.empty());  // not asked for

  StatusOr<RecordPrediction> expected = model.Predict(testing::RecordOrDie(kGood));
  ASSERT_TRUE(expected.ok());
  for (size_t i : {0u, 3u}) {
    ASSERT_TRUE(scored.rows[i].ok) << i;
    EXPECT_EQ(scored.rows[i].prediction.probability, expected->probability) << i;  // bit for bit
    EXPECT_EQ(scored.rows[i].prediction.label, expected->label);
    EXPECT_TRUE(scored.rows[i].errors.empty());
  }
  // A record that fails the check: every error, each naming its field.
  ASSERT_FALSE(scored.rows[1].ok);
  ASSERT_FALSE(scored.rows[1].errors.empty());
  EXPECT_EQ(scored.rows[1].errors[0].field, "age");
  EXPECT_NE(JoinIssues(scored.rows[1].errors).find("bmi"), std::string::npos);  // missing fields too
  // A record that could not be read: one parse issue with the reader's message.
  ASSERT_FALSE(scored.rows[2].ok);
  ASSERT_EQ(scored.rows[2].errors.size(), 1u);
  EXPECT_EQ(scored.rows[2].errors[0].kind, IssueKind::kParse);
  EXPECT_EQ(scored.rows[2].errors[0].field, "");
  EXPECT_EQ(scored.rows[2].errors[0].message, input->rows[2].record.status().message());
}

TEST(ScoreRecords, ABadIdentifierIsTheFirstErrorOfAnOtherwiseCheckedRecord) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  const std::string empty_id = R"({"key": "", )" + kGood.substr(1);
  const std::string empty_id_bad_age = R"({"key": "", )" + kBadAge.substr(1);
  auto input = ReadInput(empty_id + "\n" + empty_id_bad_age + "\n", InputOptions{InputFormat::kJsonl, "", "key"},
                         model.schema());
  ASSERT_TRUE(input.ok()) << input.status().message();
  const BatchScore scored = ScoreRecords(model, input->rows);
  ASSERT_EQ(scored.failed, 2u);
  ASSERT_EQ(scored.rows[0].errors.size(), 1u);  // a good record: the identifier alone
  EXPECT_EQ(scored.rows[0].errors[0].field, "key");
  EXPECT_EQ(scored.rows[0].errors[0].kind, IssueKind::kMissing);
  ASSERT_GT(scored.rows[1].errors.size(), 2u);  // then the record's own errors
  EXPECT_EQ(scored.rows[1].errors[0].field, "key");
  EXPECT_EQ(scored.rows[1].errors[1].field, "age");
}

TEST(ScoreRecords, KeepsFeaturesRowByRowAndNaNForFailedRows) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  auto input = Lines(kBadAge + "\n" + kGood + "\n", model);
  ASSERT_TRUE(input.ok());
  ScoreOptions options;
  options.keep_features = true;
  const BatchScore scored = ScoreRecords(model, input->rows, options);
  ASSERT_EQ(scored.num_features, model.num_features());
  ASSERT_EQ(scored.features.size(), 2 * model.num_features());
  for (double x : scored.FeaturesOf(0)) EXPECT_TRUE(std::isnan(x));
  std::vector<double> expected(model.num_features());
  ASSERT_TRUE(model.Prepare(testing::RecordOrDie(kGood), expected).ok());
  const Span<const double> kept = scored.FeaturesOf(1);
  EXPECT_EQ(std::vector<double>(kept.begin(), kept.end()), expected);
}

TEST(ScoreRecords, AppliesCheckOptionsAndThreshold) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  const std::string extra = R"({"note": "x", )" + kGood.substr(1);
  auto input = Lines(extra + "\n", model);
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(ScoreRecords(model, input->rows).failed, 1u);  // an unknown field is an error by default
  ScoreOptions options;
  options.check.allow_unknown_fields = true;
  options.threshold = 0.0;  // every probability > 0: class 1
  const BatchScore scored = ScoreRecords(model, input->rows, options);
  ASSERT_EQ(scored.failed, 0u);
  EXPECT_EQ(scored.rows[0].prediction.prediction, 1);
  options.threshold = 1.0;
  EXPECT_EQ(ScoreRecords(model, input->rows, options).rows[0].prediction.prediction, 0);
}

TEST(ScoreRecords, NoRowsNoAnswers) {
  const Model model = testing::LoadOrDie(testing::ShippedBundlePath("stroke"));
  const BatchScore scored = ScoreRecords(model, std::vector<InputRow>{});
  EXPECT_TRUE(scored.rows.empty());
  EXPECT_EQ(scored.failed, 0u);
}

}  // namespace
}  // namespace stroke
