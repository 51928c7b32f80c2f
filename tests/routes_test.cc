// stroke-serve's record routes called as functions (routes.h), no socket: a
// table of requests and the status and body each gets; the answer rendered
// once and reused for the reply, the /logs entry and the audit line.
// Socket tests (serve_*_test) keep what only a socket shows.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "routes.h"
#include "test_util.h"

namespace stroke::apps {
namespace {

const std::string kRecord = testing::kSamplePatient;
const std::string kCsv =
    "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,avg_glucose_level,bmi,"
    "smoking_status\nMale,67,0,1,Yes,Private,Urban,228.69,36.6,formerly smoked\n";

const Model& StrokeModel() {
  static const Model* model = new Model(testing::LoadOrDie(testing::ShippedBundlePath("stroke")));
  return *model;
}

struct Fixture {
  Metrics metrics{"test", "stroke", "1"};
  EventLog log{100};
  testing::TempDir dir{"stroke_routes_test_"};
  Routes routes;
  explicit Fixture(bool audit = false, RouteSettings settings = {})
      : routes(StrokeModel(), std::move(settings), &metrics, &log) {
    if (audit) {
      EXPECT_TRUE(log.OpenAudit(dir.File("audit.log"), false).ok());
    }
  }
  Reply Call(const std::string& route, const std::string& body, const std::string& type,
             const std::string& query) const {
    const RequestInfo who{"r1", "ann", route, "10.0.0.1"};
    if (route == "/prediction") return routes.Prediction(who, body, type, query);
    if (route == "/predict_proba") return routes.PredictProba(who, body, type, query);
    if (route == "/explain") return routes.Explain(who, body, type, "", query);
    if (route == "/explain?format=dashboard") return routes.Explain(who, body, type, "dashboard", query);
    return routes.Predict(who, body, type, query);
  }
};

struct Case {
  std::string name, route, body, content_type, unknown_categories;
  int status;
  std::string body_has;  // a piece of the reply's body
};

TEST(Routes, Table) {
  const std::string json = "application/json";
  const std::vector<Case> cases = {
      {"one record", "/predict", kRecord, json, "", 200, R"("label":"stroke")"},
      {"a batch", "/predict", "[" + kRecord + "," + kRecord + "]", json, "", 200, R"("n_rows":2,"predictions":[{)"},
      {"an empty batch", "/predict", "[]", json, "", 200, R"("n_rows":0,"predictions":[]})"},
      {"csv", "/predict", kCsv, "text/csv; charset=utf-8", "", 200, R"("n_rows":1)"},
      {"no content type is json", "/predict", kRecord, "", "", 200, R"("model_version":"1"})"},
      {"+json", "/predict", kRecord, "application/vnd.x+json", "", 200, R"("warnings":[])"},
      {"xml refused", "/predict", kRecord, "application/xml", "", 415, "send application/json or text/csv"},
      {"latin-1 refused", "/predict", kRecord, "application/json; charset=latin-1", "", 415, "send UTF-8"},
      {"not json", "/predict", "{", json, "", 422, R"("type":"value_error.jsondecode")"},
      {"a bad field", "/predict", R"({"gender": "Robot"})", json, "", 422, R"("loc":["body","gender"])"},
      {"a bad row in a batch", "/predict", "[" + kRecord + ", 3]", json, "", 422, R"("loc":["body",1])"},
      {"a bad query value", "/predict", kRecord, json, "maybe", 422, R"("loc":["query","unknown_categories"])"},
      {"original api", "/prediction", kRecord, json, "", 200, R"({"prediction":1,"proba":0.6676})"},
      {"original api, one object only", "/prediction", "[" + kRecord + "]", json, "", 422, "expected one JSON object"},
      {"original api, no csv", "/prediction", kCsv, "text/csv", "", 415, "send application/json\""},
      {"probabilities", "/predict_proba", kRecord, json, "", 200, R"("probabilities":[0.33)"},
      {"explain", "/explain", kRecord, json, "", 200, R"("model_version":"1","explanation":{)"},
      {"explain a batch", "/explain", "[" + kRecord + "]", json, "", 200, R"("n_rows":1,"predictions":[{)"},
      {"dashboard", "/explain?format=dashboard", kRecord, json, "", 200, R"("feat":[)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Fixture f;
    const Reply reply = f.Call(c.route, c.body, c.content_type, c.unknown_categories);
    EXPECT_EQ(reply.status, c.status) << reply.body;
    EXPECT_NE(reply.body.find(c.body_has), std::string::npos) << reply.body;
    EXPECT_EQ(reply.content_type, "application/json");
  }
}

// The answer is rendered once: the reply to one record is the /logs entry's
// "first", and the audit line's "outputs" are its prediction fields.
TEST(Routes, OneRenderingForReplyLogAndAudit) {
  Fixture f(/*audit=*/true);
  const Reply reply = f.Call("/predict", kRecord, "application/json", "");
  ASSERT_EQ(reply.status, 200);
  const Reply logs = f.routes.Logs(RequestInfo{"r2", "ann", "/logs", "10.0.0.1"}, "", "", "INFO");
  EXPECT_NE(logs.body.find(R"("remote":"10.0.0.1","records":1,"first":)" + reply.body + "}"), std::string::npos)
      << logs.body;
  f.log.FlushAudit();
  std::ifstream file(f.dir.File("audit.log"));
  std::stringstream audit;
  audit << file.rdbuf();
  const std::string outputs = reply.body.substr(0, reply.body.find(R"(,"message":)")) + "}";
  EXPECT_NE(audit.str().find(R"("outputs":)" + outputs + R"(,"model":"stroke","model_version":"1","latency_ms":)"),
            std::string::npos) << audit.str();
  EXPECT_EQ(audit.str().find(R"({"time":")"), 0u);
}

// ?id_column=key: each answer carries its record's key first, as "id"; the
// model does not see it; a record without it is a 422.
TEST(Routes, IdColumnIsAnsweredFirst) {
  const std::string tagged = R"({"key": "p-1", )" + kRecord.substr(1);
  Fixture f(/*audit=*/true);
  const RequestInfo who{"r1", "ann", "/predict", "10.0.0.1"};
  const Reply plain = f.routes.Predict(who, kRecord, "application/json");
  const Reply one = f.routes.Predict(who, tagged, "application/json", "", "key");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body, R"({"id":"p-1",)" + plain.body.substr(1));
  const Reply csv = f.routes.Predict(who, "key," + kCsv.substr(0, kCsv.find('\n') + 1) + "7," +
                                              kCsv.substr(kCsv.find('\n') + 1), "text/csv", "", "key");
  EXPECT_NE(csv.body.find(R"("predictions":[{"id":"7","probability":)"), std::string::npos) << csv.body;
  const Reply proba = f.routes.PredictProba(who, "[" + tagged + "]", "application/json", "", "key");
  EXPECT_NE(proba.body.find(R"({"predictions":[{"id":"p-1","prediction":1,)"), std::string::npos) << proba.body;
  const Reply explained = f.routes.Explain(who, tagged, "application/json", "", "", "key");
  EXPECT_EQ(explained.body.find(R"({"id":"p-1","probability":)"), 0u) << explained.body;
  const Reply missing = f.routes.Predict(who, "[" + tagged + "," + kRecord + "]", "application/json", "", "key");
  EXPECT_EQ(missing.status, 422);
  const std::string missing_key = R"x({"loc":["body",1,"key"],"msg":"field required (the identifier column: )x"
                                  R"x(a non-empty string or a number)","type":"value_error.missing"})x";
  EXPECT_NE(missing.body.find(missing_key), std::string::npos) << missing.body;
  EXPECT_EQ(f.routes.Predict(who, tagged, "application/json").status, 422);  // without id_column: an unknown field
  f.log.FlushAudit();
  std::ifstream file(f.dir.File("audit.log"));
  std::stringstream audit;
  audit << file.rdbuf();
  EXPECT_NE(audit.str().find(R"("row":0,"id":"p-1","inputs":{"gender":)"), std::string::npos) << audit.str();
}

// JsonObjectText gives what JsonText gives for the same object.
TEST(Routes, ObjectTextIsJsonText) {
  const Json parts = {{"a", "x\"y\xff"}, {"b", 1.5}, {"c", Json::array({1, nullptr})}, {"d", {{"e", true}}}};
  JsonObjectText text;
  for (const auto& [key, value] : parts.items()) text.Add(key, value);
  EXPECT_EQ(text.Close(), JsonText(parts));
  EXPECT_EQ(JsonObjectText(JsonText(Json::object())).Add("k", 1).Close(), R"({"k":1})");
  for (const std::string& v : {std::string("plain id-7"), std::string("q\"b\\"), std::string("tab\t\x01\x7f"),
                               std::string("caf\xc3\xa9"), std::string("bad\xff"), std::string()}) {
    EXPECT_EQ(JsonObjectText().Add("s", v).Add("n", size_t{18446744073709551615u}).Close(),
              JsonText(Json{{"s", v}, {"n", size_t{18446744073709551615u}}}));
  }
  EXPECT_EQ(JsonObjectText(R"({"a":1})").Raw("b", "[2]").Close(), R"({"a":1,"b":[2]})");
}

// The audit line's "inputs": RecordText gives what JsonText gives for the
// record as a JSON object of ValueJson values, whatever its keys and values.
TEST(Routes, RecordTextIsJsonText) {
  for (const std::string& body :
       {std::string(testing::kSamplePatient), std::string(R"({"n": -0.0, "big": 1e300, "i": 9007199254740993, "f": 1.5e-7})"),
        std::string(R"({"q\"k": "v", "caf\u00e9": 1, "s": "tab\t\u0001 \"x\""})"),
        std::string(R"({"nested": {"a": [1]}, "none": null, "yes": true, "no": false, "empty": ""})"),
        std::string("{\"bad\": \"x\xff\"}"), std::string("{}")}) {
    StatusOr<Record> record = ParseRecordJson(body);
    ASSERT_TRUE(record.ok()) << body << ": " << record.status().message();
    Json expected = Json::object();
    for (const auto& [name, value] : record->fields()) expected[name] = ValueJson(value);
    EXPECT_EQ(RecordText(*record), JsonText(expected)) << body;
  }
}

}  // namespace
}  // namespace stroke::apps
