// The MLflow scoring-server layer (apps/serve/mlflow_scoring.h) called as
// functions: /ping and /version, /invocations in every input format MLflow
// 2.x accepts (dataframe_split, dataframe_records, instances, inputs, CSV)
// with numbers bit-identical to Model::Predict, Content-Type checks, and
// hostile bodies - each answered in MLflow's error shape.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mlflow_scoring.h"
#include "protocol_test_util.h"

namespace stroke::apps {
namespace {

using testing::Case;
using testing::ModelCase;

const std::string kJson = "application/json";

ProtocolReply Invoke(const ModelCase& c, const std::string& body, const std::string& type = kJson,
                     size_t max_rows = 1000) {
  MlflowOptions options;
  options.protocol.max_rows = max_rows;
  return MlflowInvocations(c.model, body, type, options);
}

TEST(Mlflow, PingAndVersion) {
  const Reply ping = MlflowPing();
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body, "\n");
  const Reply version = MlflowVersion();
  EXPECT_EQ(version.status, 200);
  EXPECT_EQ(version.body, "2.11.1");
}

// The same two records in every JSON format and as CSV: the label (or value)
// and, with predict_method "predict_proba", the probabilities of
// Model::Predict exactly.
TEST(Mlflow, EveryFormatIsModelPredictExactly) {
  for (const ModelCase& c : testing::ModelCases()) {
    SCOPED_TRACE(c.name);
    const Json record = c.RecordJson(), row = c.RowJson();
    Json columns = Json::array(), by_column = Json::object();
    for (const FieldSpec& f : c.model.schema().fields()) {
      columns.push_back(f.name);
      by_column[f.name] = {record[f.name], record[f.name]};
    }
    std::vector<Json> requests = {
        {{"dataframe_split", {{"columns", columns}, {"data", {row, row}}}}},
        {{"dataframe_split", {{"columns", columns}, {"data", {row, row}}, {"index", {7, 8}}}}},
        {{"dataframe_split", {{"data", {row, row}}}}},
        {{"dataframe_records", {record, record}}},
        {{"instances", {record, row}}},
        {{"inputs", {row, record}}},
        {{"inputs", by_column}},
    };
    for (const Json& request : requests) {
      SCOPED_TRACE(JsonText(request).substr(0, 80));
      const ProtocolReply answer = Invoke(c, JsonText(request));
      ASSERT_EQ(answer.reply.status, 200) << answer.reply.body;
      EXPECT_EQ(answer.predicted, 2u);
      const Json body = testing::BodyJson(answer.reply);
      const Json one = c.model.task() == Task::kRegression ? Json(c.expected.value) : Json(c.expected.label);
      EXPECT_EQ(body, Json({{"predictions", {one, one}}}));
      if (c.model.task() == Task::kRegression) continue;
      Json proba = request;
      proba["params"] = {{"predict_method", "predict_proba"}};
      const Json probabilities = testing::BodyJson(Invoke(c, JsonText(proba)).reply);
      ASSERT_EQ(probabilities["predictions"].size(), 2u) << probabilities;
      for (const Json& p : probabilities["predictions"]) {
        EXPECT_EQ(p.get<std::vector<double>>(), testing::Probabilities(c.expected));
      }
    }
  }
  const ModelCase& stroke = Case("stroke");
  const std::string csv =
      "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
      "smoking_status\nMale,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked\n";
  MlflowOptions proba;
  proba.probabilities = true;
  const ProtocolReply answer = MlflowInvocations(stroke.model, csv, "text/csv; charset=UTF-8", proba);
  ASSERT_EQ(answer.reply.status, 200) << answer.reply.body;
  EXPECT_EQ(testing::BodyJson(answer.reply)["predictions"][0].get<std::vector<double>>(),
            testing::Probabilities(stroke.expected));
}

// Content types as MLflow reads them: JSON or CSV, charset UTF-8 only, no
// other parameter; an empty frame is an empty answer.
TEST(Mlflow, ContentTypes) {
  const ModelCase& c = Case("stroke");
  const std::string body = R"({"dataframe_records": []})";
  struct TypeCase {
    std::string type;
    int status;
    std::string message;
  };
  const std::vector<TypeCase> cases = {
      {"application/json", 200, ""},
      {"Application/JSON; charset=\"utf-8\"", 200, ""},
      {"application/json;", 200, ""},
      {"", 415, "only supports the following content types: text/csv, application/json. Got ''"},
      {"text/plain", 415, "Got 'text/plain'"},
      {"application/json; charset=latin-1", 415, "The scoring server only supports UTF-8"},
      {"application/json; format=pandas-split", 415, "Unrecognized content type parameters: format"},
  };
  for (const TypeCase& t : cases) {
    SCOPED_TRACE(t.type);
    const ProtocolReply answer = Invoke(c, body, t.type);
    EXPECT_EQ(answer.reply.status, t.status);
    if (t.status == 200) {
      EXPECT_EQ(answer.reply.body, R"({"predictions":[]})");
    } else {
      testing::ExpectErrorBody(answer.reply, "message", t.message);
      EXPECT_EQ(testing::BodyJson(answer.reply)["error_code"], "BAD_REQUEST");
    }
  }
}

TEST(Mlflow, HostileBodiesAreRefusedInMlflowsShape) {
  const ModelCase& c = Case("stroke");
  const std::string record = stroke::testing::kSamplePatient;
  auto with = testing::PatientWithAge;
  struct Hostile {
    std::string body, error_code, message;
    int status = 400;
    std::string type = kJson;
  };
  const std::string bad = "BAD_REQUEST", invalid = "INVALID_PARAMETER_VALUE";
  const std::vector<Hostile> cases = {
      {"{", bad, "Invalid input. Ensure that input is a valid JSON formatted string. Error: the body is not valid JSON"},
      {"{\"instances\": [\"\xed\xa0\x80\"]}", bad, "not valid UTF-8"},
      {"[" + record + "]", bad, "exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', "
                                "'inputs'}. Received a list."},
      {"3", bad, "Received a number."},
      {R"({"data": []})", bad, "Received dictionary with input fields: [\"data\"]"},
      {R"({"instances": [], "inputs": []})", bad, "Received dictionary with input fields: [\"instances\", \"inputs\"]"},
      {R"({"dataframe_split": []})", bad, "dataframe_split must be an object"},
      {R"({"dataframe_split": {"columns": ["age"]}})", bad, "dataframe_split needs \"data\""},
      {R"({"dataframe_split": {"columns": ["age", "age"], "data": []}})", bad, "column \"age\" appears twice"},
      {R"({"dataframe_split": {"columns": [1], "data": []}})", bad, "must be names (strings), got 1"},
      {R"({"dataframe_split": {"columns": ["age"], "data": [[1, 2]]}})", bad, "row 0 must be an array of 1 values"},
      {R"({"dataframe_split": {"columns": ["age"], "data": [[1]], "index": [1, 2]}})", bad, "\"index\" must be an array of 1"},
      {R"({"dataframe_records": {"age": 3}})", bad, "dataframe_records must be an array of records, got object"},
      {R"({"inputs": {"age": [1, 2], "bmi": [3]}})", bad, "inputs column \"bmi\" has 1 values, the others 2"},
      {R"({"inputs": {"age": 1}})", bad, "inputs column \"age\" must be an array of values, got 1"},
      {R"({"instances": [3]})", invalid, "Failed to enforce schema of data: row 0: expected a record (an object)"},
      {R"({"dataframe_records": [)" + with(R"("age": 150)") + "]}", invalid,
       "Failed to enforce schema of data: row 0, column \"age\": must be in [0, 130], got 150"},
      {R"({"dataframe_records": [)" + with(R"("age": "NaN")") + "]}", invalid, "row 0, column \"age\": expected a number, got \"NaN\""},
      {R"({"dataframe_records": [)" + with(R"("age": {"a": [1]})") + "]}", invalid, "column \"age\": expected a number, got object"},
      {R"({"dataframe_records": [)" + record + R"(], "params": {"predict_method": "score"}})", invalid,
       "params.predict_method must be \"predict\" or \"predict_proba\", got \"score\""},
      {R"({"dataframe_records": [)" + record + "," + record + "]}", bad, "a request of 2 records exceeds the limit of 1", 413},
      {"age,bmi\n\"broken", bad, "Failed to parse input as a CSV table", 400, "text/csv"},
      {"gender,age\nMale,67\n", bad, "Failed to parse input as a CSV table", 400, "text/csv"},
      {R"({"dataframe_records": )" + std::string(40, '[') + std::string(40, ']') + "}", bad, "deeper than 32 levels"},
  };
  for (const Hostile& h : cases) {
    SCOPED_TRACE(h.body.substr(0, 60));
    const ProtocolReply answer = Invoke(c, h.body, h.type, h.status == 413 ? 1 : 1000);
    EXPECT_EQ(answer.reply.status, h.status);
    EXPECT_EQ(answer.predicted, 0u);
    testing::ExpectErrorBody(answer.reply, "message", h.message);
    EXPECT_EQ(testing::BodyJson(answer.reply)["error_code"], h.error_code);
  }
}

}  // namespace
}  // namespace stroke::apps
