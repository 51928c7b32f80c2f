// Helpers shared by the standard-protocol tests (protocol_*_test.cc): the
// three models every protocol is checked on, each with one record and the
// answer stroke::Model::Predict gives it, and replies read back as JSON.
#ifndef STROKE_TESTS_PROTOCOL_TEST_UTIL_H_
#define STROKE_TESTS_PROTOCOL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model_json.h"
#include "routes.h"
#include "stroke/status.h"
#include "test_util.h"

namespace stroke::apps::testing {

// A model and a record it answers: examples/patient.json for stroke, the
// first golden row for the others (binary, multiclass, regression).
struct ModelCase {
  std::string name;
  Model model;
  Record record;
  RecordPrediction expected;  // Model::Predict(record)

  // The record as a JSON object, its fields in schema order.
  Json RecordJson() const {
    Json out = Json::object();
    for (const FieldSpec& f : model.schema().fields()) out[f.name] = ValueJson(*record.Find(f.name));
    return out;
  }
  // The record as a row of values in schema order.
  Json RowJson() const {
    Json out = Json::array();
    for (const FieldSpec& f : model.schema().fields()) out.push_back(ValueJson(*record.Find(f.name)));
    return out;
  }
};

inline const std::vector<ModelCase>& ModelCases() {
  static const auto* cases = [] {
    auto* all = new std::vector<ModelCase>();
    for (const std::string name : {"stroke", "heart_disease", "loan_amount"}) {
      ModelCase c{name, stroke::testing::LoadOrDie(stroke::testing::ShippedBundlePath(name)), {}, {}};
      c.record = name == "stroke" ? stroke::testing::RecordOrDie(stroke::testing::ReadFile(
                                        std::string(STROKE_TEST_DATA_DIR) + "/../../examples/patient.json"))
                                  : c.model.golden_rows().at(0).inputs;
      StatusOr<RecordPrediction> p = c.model.Predict(c.record);
      EXPECT_TRUE(p.ok()) << name << ": " << p.status().ToString();
      if (p.ok()) c.expected = *p;
      all->push_back(std::move(c));
    }
    return all;
  }();
  return *cases;
}

inline const ModelCase& Case(const std::string& name) {
  for (const ModelCase& c : ModelCases()) {
    if (c.name == name) return c;
  }
  ADD_FAILURE() << "no model case " << name;
  return ModelCases()[0];
}

// A reply's body as JSON (a test failure when it is not JSON).
inline Json BodyJson(const Reply& reply) {
  Json body = Json::parse(reply.body, nullptr, false);
  EXPECT_FALSE(body.is_discarded()) << reply.body;
  return body;
}

// Every error reply: valid UTF-8 JSON, an object holding `key` as a string
// that contains `piece`.
inline void ExpectErrorBody(const Reply& reply, const std::string& key, const std::string& piece) {
  EXPECT_TRUE(IsValidUtf8(reply.body)) << reply.body;
  const Json body = BodyJson(reply);
  ASSERT_TRUE(body.is_object() && body.contains(key) && body[key].is_string()) << reply.body;
  EXPECT_NE(body[key].get<std::string>().find(piece), std::string::npos) << reply.body;
}

// The per-class probabilities of a prediction.
inline std::vector<double> Probabilities(const Prediction& p) {
  return std::vector<double>(p.probabilities.begin(), p.probabilities.begin() + p.num_classes);
}

// The sample patient with its `"age": 67` member replaced by `member`
// (e.g. R"("age": "NaN")"): the hostile-body tables' records.
inline std::string PatientWithAge(const std::string& member) {
  std::string record = stroke::testing::kSamplePatient;
  const std::string age = R"("age": 67)";
  return record.replace(record.find(age), age.size(), member);
}

}  // namespace stroke::apps::testing

#endif  // STROKE_TESTS_PROTOCOL_TEST_UTIL_H_
