// The KServe V1 layer (apps/serve/kserve_v1.h) called as functions: model
// status, :predict from records and rows with numbers bit-identical to
// Model::Predict, requests and responses shaped as KServe's V1 data plane,
// and hostile bodies - each a 400 (or 413) naming instances[i] and the field.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kserve_v1.h"
#include "protocol_test_util.h"

namespace stroke::apps {
namespace {

using testing::Case;
using testing::ModelCase;

ProtocolReply Predict(const ModelCase& c, const std::string& body, bool probabilities = false, size_t max_rows = 1000) {
  KServeV1Options options;
  options.probabilities = probabilities;
  options.protocol.max_rows = max_rows;
  return KServeV1Predict(c.model, body, options);
}

TEST(KServeV1, ModelStatus) {
  const Reply ready = KServeV1ModelStatus("stroke", true);
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(testing::BodyJson(ready), Json::parse(R"({"name":"stroke","ready":true})"));
  EXPECT_EQ(KServeV1ModelStatus("stroke", false).status, 503);
}

// Records and rows in schema order, under "instances" or "inputs": the
// class label (or the value), and with probabilities every class's
// probability - exactly Model::Predict's.
TEST(KServeV1, PredictIsModelPredictExactly) {
  for (const ModelCase& c : testing::ModelCases()) {
    SCOPED_TRACE(c.name);
    const Json instances = {c.RecordJson(), c.RowJson()};
    for (const char* key : {"instances", "inputs"}) {
      const std::string body = JsonText({{key, instances}});
      const ProtocolReply classes = Predict(c, body);
      ASSERT_EQ(classes.reply.status, 200) << classes.reply.body;
      EXPECT_EQ(classes.predicted, 2u);
      const Json answer = testing::BodyJson(classes.reply);
      ASSERT_EQ(answer.size(), 1u);
      ASSERT_EQ(answer["predictions"].size(), 2u);
      if (c.model.task() == Task::kRegression) {
        EXPECT_EQ(answer["predictions"], Json::array({c.expected.value, c.expected.value}));
        continue;
      }
      EXPECT_EQ(answer["predictions"], Json::array({c.expected.label, c.expected.label}));
      const Json probabilities = testing::BodyJson(Predict(c, body, /*probabilities=*/true).reply);
      for (const Json& p : probabilities["predictions"]) {
        EXPECT_EQ(p.get<std::vector<double>>(), testing::Probabilities(c.expected));
      }
    }
  }
}

// A request written from KServe's V1 data plane: {"instances": [...]} ->
// {"predictions": [...]}; an empty list is an empty answer.
TEST(KServeV1, DataPlaneShapes) {
  const ModelCase& c = Case("stroke");
  const ProtocolReply one = Predict(c, R"({"instances": [)" + std::string(stroke::testing::kSamplePatient) + "]}");
  EXPECT_EQ(one.reply.body, R"({"predictions":["stroke"]})");
  EXPECT_EQ(one.reply.content_type, "application/json");
  const ProtocolReply none = Predict(c, R"({"instances": []})");
  EXPECT_EQ(none.reply.status, 200);
  EXPECT_EQ(none.reply.body, R"({"predictions":[]})");
  EXPECT_EQ(none.predicted, 0u);
}

TEST(KServeV1, HostileBodiesAreRefusedByName) {
  const ModelCase& c = Case("stroke");
  const std::string record = stroke::testing::kSamplePatient;
  auto with = testing::PatientWithAge;
  struct Hostile {
    std::string body, message;
    int status = 400;
  };
  const std::vector<Hostile> cases = {
      {"{", "Unrecognized request format: the body is not valid JSON: parse error at line 1, column 2"},
      {"{\"instances\": [\"\xc3\x28\"]}", "not valid UTF-8"},
      {R"({"instances": [], "instances": []})", "key \"instances\" appears twice"},
      {"[" + record + "]", "expected a request object {\"instances\": [...]}"},
      {R"({"data": []})", "Expected key \"instances\" in request body"},
      {R"({"instances": {"age": 3}})", "Expected \"instances\" to be a list"},
      {R"({"inputs": 3})", "Expected \"inputs\" to be a list"},
      {R"({"instances": [], "inputs": []})", "send either \"instances\" or \"inputs\", not both"},
      {R"({"instances": [3]})", "instances[0]: expected a record (an object) or a row (an array of 10 values"},
      {R"({"instances": [[1, 2]]})", "instances[0]: expected a row of 10 values in schema order (\"gender\", \"age\""},
      {R"({"instances": [)" + record + "," + with(R"("age": 150)") + "]}", "instances[1].age: must be in [0, 130], got 150"},
      {R"({"instances": [)" + with(R"("age": "NaN")") + "]}", "instances[0].age: expected a number, got \"NaN\""},
      {R"({"instances": [)" + with(R"("age": [[[]]])") + "]}", "instances[0].age: expected a number, got array"},
      {R"({"instances": [)" + with(R"("age": 67, "agee": 1)") + "]}", "instances[0].agee: is not an input of this model"},
      {R"({"instances": [)" + with(R"("age": 1e400)") + "]}", "number overflow parsing '1e400'"},
      {R"({"instances": [)" + record + "," + record + "]}", "a request of 2 instances exceeds the limit of 1", 413},
      {R"({"instances": )" + std::string(100, '[') + std::string(100, ']') + "}", "deeper than 32 levels"},
  };
  for (const Hostile& h : cases) {
    SCOPED_TRACE(h.body.substr(0, 60));
    const ProtocolReply answer = Predict(c, h.body, false, h.status == 413 ? 1 : 1000);
    EXPECT_EQ(answer.reply.status, h.status);
    EXPECT_EQ(answer.predicted, 0u);
    testing::ExpectErrorBody(answer.reply, "error", h.message);
  }
}

// More bad records than a message lists: the first ten, then a count.
TEST(KServeV1, ManyBadRecordsAreCounted) {
  const ModelCase& c = Case("stroke");
  Json instances = Json::array();
  for (int i = 0; i < 30; ++i) instances.push_back(Json::object());
  const ProtocolReply answer = Predict(c, JsonText({{"instances", instances}}));
  EXPECT_EQ(answer.reply.status, 400);
  testing::ExpectErrorBody(answer.reply, "error", "instances[0].gender: field required (category)");
  testing::ExpectErrorBody(answer.reply, "error", "; and 290 more");
}

}  // namespace
}  // namespace stroke::apps
