// The Open Inference Protocol v2 layer (apps/serve/oip_v2.h) called as
// functions: metadata shapes, inference in both input layouts with numbers
// bit-identical to Model::Predict, a request written from the protocol's
// REST specification, and hostile requests - each a 400 (or 413) naming
// what was wrong, never a crash.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "oip_v2.h"
#include "oip_v2_tensors.h"
#include "protocol_test_util.h"

namespace stroke::apps {
namespace {

using testing::Case;
using testing::ModelCase;

// One tensor per input field, named as it, shape [rows], the record repeated.
Json ColumnTensors(const ModelCase& c, size_t rows = 1) {
  Json inputs = Json::array();
  for (const FieldSpec& f : c.model.schema().fields()) {
    Json data = Json::array();
    for (size_t i = 0; i < rows; ++i) data.push_back(ValueJson(*c.record.Find(f.name)));
    inputs.push_back({{"name", f.name}, {"shape", {rows}}, {"datatype", OipDatatypeOf(f.type)}, {"data", data}});
  }
  return inputs;
}

ProtocolReply Infer(const ModelCase& c, const Json& request, const ProtocolOptions& options = {}) {
  return OipInfer(c.model, c.name, "", JsonText(request), options);
}

// Checks every output tensor's shape: required keys, a known datatype, and
// as many data values as the shape's product.
void ExpectTensorShapes(const Json& outputs) {
  ASSERT_TRUE(outputs.is_array());
  for (const Json& t : outputs) {
    ASSERT_TRUE(t["name"].is_string() && t["datatype"].is_string() && t["shape"].is_array() && t["data"].is_array()) << t;
    size_t count = 1;
    for (const Json& d : t["shape"]) count *= d.get<size_t>();
    EXPECT_EQ(t["data"].size(), count) << t;
    const std::string type = t["datatype"];
    EXPECT_TRUE(type == "FP64" || type == "INT64" || type == "BYTES") << type;
  }
}

const Json* Output(const Json& answer, const std::string& name) {
  for (const Json& t : answer["outputs"]) {
    if (t["name"] == name) return &t;
  }
  ADD_FAILURE() << "no output " << name << " in " << answer;
  static const Json empty = Json::object();
  return &empty;
}

TEST(OipV2, ServerMetadata) {
  const Json body = testing::BodyJson(OipServerMetadata("1.2.3"));
  EXPECT_EQ(body, Json::parse(R"({"name":"stroke-serve","version":"1.2.3","extensions":[]})"));
}

TEST(OipV2, ModelMetadataFromTheSchema) {
  const Json stroke = testing::BodyJson(OipModelMetadata(Case("stroke").model, "stroke", {"1"}));
  EXPECT_EQ(stroke["name"], "stroke");
  EXPECT_EQ(stroke["versions"], Json::array({"1"}));
  EXPECT_EQ(stroke["platform"], "libstroke_bundle");
  ASSERT_EQ(stroke["inputs"].size(), 10u);
  EXPECT_EQ(stroke["inputs"][0], Json::parse(R"({"name":"gender","datatype":"BYTES","shape":[-1]})"));
  EXPECT_EQ(stroke["inputs"][1]["datatype"], "FP64");
  EXPECT_EQ(stroke["inputs"][2]["datatype"], "BOOL");
  EXPECT_EQ(stroke["outputs"][0], Json::parse(R"({"name":"probabilities","datatype":"FP64","shape":[-1,2]})"));
  EXPECT_EQ(stroke["outputs"][1], Json::parse(R"({"name":"predict","datatype":"INT64","shape":[-1]})"));
  const Json heart = testing::BodyJson(OipModelMetadata(Case("heart_disease").model, "heart_disease", {}));
  EXPECT_EQ(heart["inputs"][0]["datatype"], "INT64");
  EXPECT_EQ(heart["outputs"][3], Json::parse(R"({"name":"raw_margin","datatype":"FP64","shape":[-1,5]})"));
  const Json loan = testing::BodyJson(OipModelMetadata(Case("loan_amount").model, "loan_amount", {}));
  EXPECT_EQ(loan["outputs"][0], Json::parse(R"({"name":"value","datatype":"FP64","shape":[-1]})"));
  EXPECT_EQ(testing::BodyJson(OipModelReady("stroke", true)), Json::parse(R"({"name":"stroke","ready":true})"));
  EXPECT_EQ(OipModelReady("stroke", false).status, 503);
}

// Every output of every task equals what Model::Predict gives, bit for bit.
TEST(OipV2, InferIsModelPredictExactly) {
  for (const ModelCase& c : testing::ModelCases()) {
    SCOPED_TRACE(c.name);
    const ProtocolReply answer = Infer(c, {{"inputs", ColumnTensors(c, 3)}});
    ASSERT_EQ(answer.reply.status, 200) << answer.reply.body;
    EXPECT_EQ(answer.predicted, 3u);
    const Json body = testing::BodyJson(answer.reply);
    EXPECT_EQ(body["model_name"], c.name);
    EXPECT_EQ(body["model_version"], "1");
    EXPECT_FALSE(body.contains("id"));
    ExpectTensorShapes(body["outputs"]);
    const RecordPrediction& p = c.expected;
    if (c.model.task() == Task::kRegression) {
      EXPECT_EQ((*Output(body, "value"))["data"], Json::array({p.value, p.value, p.value}));
      EXPECT_EQ((*Output(body, "predict"))["datatype"], "FP64");
      EXPECT_EQ((*Output(body, "raw_margin"))["shape"], Json::array({3, 1}));
      continue;
    }
    const Json& probabilities = *Output(body, "probabilities");
    EXPECT_EQ(probabilities["shape"], Json::array({3, p.num_classes}));
    const std::vector<double> expected = testing::Probabilities(p);
    const std::vector<double> data = probabilities["data"];
    for (size_t row = 0; row < 3; ++row) {
      EXPECT_EQ(std::vector<double>(data.begin() + row * expected.size(), data.begin() + (row + 1) * expected.size()),
                expected);
    }
    EXPECT_EQ((*Output(body, "predict"))["data"][2], p.prediction);
    EXPECT_EQ((*Output(body, "label"))["data"][0], p.label);
    const Json& raw = *Output(body, "raw_margin");
    const size_t width = raw["shape"][1];
    EXPECT_EQ(raw["data"][width > 1 ? static_cast<size_t>(p.prediction) : 0], p.raw_margin);
    EXPECT_EQ(width, c.model.task() == Task::kMulticlassClassification ? static_cast<size_t>(p.num_classes) : 1u);
  }
}

// One [n, k] tensor in schema order: numeric for an all-numeric schema, BYTES
// (strings read as CSV cells) for mixed types; data flat or nested.
TEST(OipV2, InferFromOneMatrix) {
  const ModelCase& heart = Case("heart_disease");
  Json row = heart.RowJson();
  for (Json& v : row) {
    if (v.is_boolean()) v = v.get<bool>() ? 1 : 0;
  }
  const Json nested = {{"inputs", {{{"name", "input-0"}, {"shape", {2, row.size()}}, {"datatype", "FP64"},
                                    {"data", {row, row}}}}}};
  Json flat = nested;
  flat["inputs"][0]["data"] = row;
  for (const Json& v : row) flat["inputs"][0]["data"].push_back(v);
  for (const Json& request : {nested, flat}) {
    const ProtocolReply answer = Infer(heart, request);
    ASSERT_EQ(answer.reply.status, 200) << answer.reply.body;
    std::vector<double> expected = testing::Probabilities(heart.expected);
    expected.insert(expected.end(), expected.begin(), expected.end());
    EXPECT_EQ((*Output(testing::BodyJson(answer.reply), "probabilities"))["data"].get<std::vector<double>>(), expected);
  }
  const ModelCase& stroke = Case("stroke");
  const Json strings = {"Male", "67", "false", "true", "Yes", "Private", "Urban", "228.69", "36.6", "formerly smoked"};
  const ProtocolReply answer =
      Infer(stroke, {{"inputs", {{{"name", "input-0"}, {"shape", {1, 10}}, {"datatype", "BYTES"}, {"data", strings}}}},
                     {"outputs", {{{"name", "probabilities"}}}}});
  ASSERT_EQ(answer.reply.status, 200) << answer.reply.body;
  EXPECT_EQ((*Output(testing::BodyJson(answer.reply), "probabilities"))["data"].get<std::vector<double>>(),
            testing::Probabilities(stroke.expected));
}

// A request written from the specification's inference example (an id, one
// requested output, shapes [n, 1], parameters): the response keeps its shape.
TEST(OipV2, SpecificationShapedRequest) {
  const ModelCase& c = Case("stroke");
  Json inputs = ColumnTensors(c);
  for (Json& t : inputs) t["shape"] = {1, 1};
  inputs[1]["datatype"] = "FP32";
  inputs[1]["parameters"] = {{"content_type", "np"}};
  const Json request = {{"id", "42"}, {"parameters", {{"trace", true}}}, {"inputs", inputs},
                        {"outputs", {{{"name", "label"}}, {{"name", "probabilities"}}}}};
  const ProtocolReply answer = OipInfer(c.model, "stroke", "7", JsonText(request), {});
  ASSERT_EQ(answer.reply.status, 200) << answer.reply.body;
  EXPECT_EQ(answer.reply.content_type, "application/json");
  const Json body = testing::BodyJson(answer.reply);
  EXPECT_EQ(body["id"], "42");
  EXPECT_EQ(body["model_version"], "7");
  ASSERT_EQ(body["outputs"].size(), 2u);
  EXPECT_EQ(body["outputs"][0], Json::parse(R"({"name":"label","shape":[1],"datatype":"BYTES","data":["stroke"]})"));
  EXPECT_EQ(body["outputs"][1]["shape"], Json::array({1, 2}));
  ExpectTensorShapes(body["outputs"]);
}

struct Hostile {
  std::string name;
  std::function<void(Json& request)> change;  // applied to a valid stroke request
  std::string message;                        // a piece of the error
  int status = 400;
  size_t max_rows = 1000;
};

TEST(OipV2, HostileRequestsAreRefusedByName) {
  const ModelCase& c = Case("stroke");
  auto input = [](Json& r, const std::string& name) -> Json& {
    for (Json& t : r["inputs"]) {
      if (t["name"] == name) return t;
    }
    return r["inputs"][0];
  };
  const std::vector<Hostile> cases = {
      {"no inputs", [](Json& r) { r.erase("inputs"); }, "\"inputs\" must be a non-empty array"},
      {"empty inputs", [](Json& r) { r["inputs"] = Json::array(); }, "\"inputs\" must be a non-empty array"},
      {"a number as input", [](Json& r) { r["inputs"][0] = 3; }, "inputs[0]: expected a tensor"},
      {"no name", [](Json& r) { r["inputs"][0].erase("name"); }, "inputs[0]: \"name\" must be a string"},
      {"unknown datatype", [&](Json& r) { input(r, "age")["datatype"] = "FP128"; }, "input \"age\": unknown datatype \"FP128\""},
      {"negative shape", [&](Json& r) { input(r, "age")["shape"] = {-1}; }, "input \"age\": \"shape\" dimensions must be whole"},
      {"fractional shape", [&](Json& r) { input(r, "age")["shape"] = {1.5}; }, "got 1.5"},
      {"shape of 1e30", [&](Json& r) { input(r, "age")["shape"] = {1e30}; }, "dimensions must be whole numbers"},
      {"shape overflows", [&](Json& r) { input(r, "age")["shape"] = {UINT64_MAX, UINT64_MAX}; }, "is too large"},
      {"three dimensions", [&](Json& r) { input(r, "age")["shape"] = {1, 1, 1}; }, "\"shape\" must be [n] or [n, k]"},
      {"data too short", [&](Json& r) { input(r, "age")["shape"] = {2}; }, "shape [2] holds 2 values, \"data\" has 1"},
      {"data an object", [&](Json& r) { input(r, "age")["data"] = {{"a", 1}}; }, "\"data\" must be an array"},
      {"object in data", [&](Json& r) { input(r, "age")["data"] = {{{"a", 1}}}; }, "holds an object"},
      {"nested too deep", [&](Json& r) { input(r, "age")["data"] = {{{67}}}; }, "nested \"data\" must be 1 arrays of 1"},
      {"a category as FP64", [&](Json& r) { input(r, "gender")["datatype"] = "FP64"; },
       "input \"gender\": datatype FP64 cannot carry a category field: send BYTES"},
      {"a number as BOOL", [&](Json& r) { input(r, "age")["datatype"] = "BOOL"; }, "datatype BOOL cannot carry a number field"},
      {"NaN as a string", [&](Json& r) { input(r, "age")["data"] = {"NaN"}; },
       "input \"age\", row 0: expected a number (FP64), got \"NaN\""},
      {"a fraction as INT64", [&](Json& r) { input(r, "age")["datatype"] = "INT64"; input(r, "age")["data"] = {6.5}; },
       "input \"age\", row 0: expected an integer (INT64), got 6.5"},
      {"negative UINT8", [&](Json& r) { input(r, "age")["datatype"] = "UINT8"; input(r, "age")["data"] = {-3}; },
       "expected an integer in [0, 255] (UINT8), got -3"},
      {"INT8 out of its range", [&](Json& r) { input(r, "age")["datatype"] = "INT8"; input(r, "age")["data"] = {1000}; },
       "expected an integer in [-128, 127] (INT8), got 1000"},
      {"INT64 out of its range", [&](Json& r) {
         input(r, "age")["datatype"] = "INT64"; input(r, "age")["data"] = {uint64_t{1} << 63}; },
       "expected an integer in [-9223372036854775808, 9223372036854775807] (INT64), got "},
      {"FP16 out of its range", [&](Json& r) { input(r, "age")["datatype"] = "FP16"; input(r, "age")["data"] = {70000}; },
       "expected a number of magnitude <= 65504 (FP16), got 70000"},
      {"FP32 out of its range", [&](Json& r) { input(r, "age")["datatype"] = "FP32"; input(r, "age")["data"] = {-1e39}; },
       "expected a number of magnitude <= 3.4028234663852886e+38 (FP32), got -1e+39"},
      {"missing input", [](Json& r) { r["inputs"].erase(8); }, "missing input \"bmi\""},
      {"unknown input", [&](Json& r) { r["inputs"].push_back(input(r, "age")); r["inputs"].back()["name"] = "agee"; },
       "unknown input \"agee\": the model's inputs are \"gender\", \"age\""},
      {"input twice", [&](Json& r) { r["inputs"].push_back(input(r, "age")); }, "input \"age\" is given twice"},
      {"rows differ", [&](Json& r) { input(r, "age")["shape"] = {2}; input(r, "age")["data"] = {1, 2}; },
       "input \"age\" has 2 rows but input \"gender\" has 1"},
      {"no rows", [](Json& r) { for (Json& t : r["inputs"]) { t["shape"] = {0}; t["data"] = Json::array(); } }, "has no rows"},
      {"more rows than allowed", [](Json& r) { for (Json& t : r["inputs"]) { t["shape"] = {2}; t["data"].push_back(t["data"][0]); } },
       "a request of 2 rows exceeds the limit of 1", 413, 1},
      {"beyond the limits", [&](Json& r) { input(r, "age")["data"] = {150}; }, "input \"age\", row 0: must be in [0, 130], got 150"},
      {"unknown category", [&](Json& r) { input(r, "gender")["data"] = {"Robot"}; },
       "input \"gender\", row 0: expected one of \"Male\""},
      {"unknown output", [](Json& r) { r["outputs"] = {{{"name", "proba"}}}; },
       "unknown output \"proba\": this model's outputs are \"probabilities\", \"predict\", \"label\", \"raw_margin\""},
      {"an output twice", [](Json& r) { r["outputs"] = {{{"name", "label"}}, {{"name", "label"}}}; }, "requested twice"},
      {"outputs not a list", [](Json& r) { r["outputs"] = "label"; }, "\"outputs\" must be an array"},
      {"id a number", [](Json& r) { r["id"] = 42; }, "\"id\" must be a string, got 42"},
      {"parameters a list", [](Json& r) { r["parameters"] = Json::array(); }, "\"parameters\" must be an object"},
      {"a matrix too narrow", [](Json& r) { r["inputs"] = {{{"name", "input-0"}, {"shape", {1, 3}}, {"datatype", "FP64"},
                                                              {"data", {1, 2, 3}}}}; },
       "input \"input-0\": shape [1, 3] has 3 columns; the model takes 10 inputs"},
      {"a numeric matrix for categories", [](Json& r) {
         r["inputs"] = {{{"name", "input-0"}, {"shape", {1, 10}}, {"datatype", "FP64"}, {"data", Json(std::vector<int>(10, 0))}}}; },
       "datatype FP64 cannot carry column 0 (\"gender\", a category field)"},
      {"a matrix cell out of range", [](Json& r) {
         r["inputs"] = {{{"name", "input-0"}, {"shape", {1, 10}}, {"datatype", "BYTES"},
                         {"data", {"Male", "200", "0", "1", "Yes", "Private", "Urban", "80", "20", "smokes"}}}}; },
       "input \"input-0\", row 0, column 1 (\"age\"): must be in [0, 130], got 200"},
  };
  for (const Hostile& h : cases) {
    SCOPED_TRACE(h.name);
    Json request = {{"inputs", ColumnTensors(c)}};
    h.change(request);
    ProtocolOptions options;
    options.max_rows = h.max_rows;
    const ProtocolReply answer = Infer(c, request, options);
    EXPECT_EQ(answer.reply.status, h.status);
    EXPECT_EQ(answer.predicted, 0u);
    testing::ExpectErrorBody(answer.reply, "error", h.message);
  }
}

// Bodies that are not a request at all: not JSON, not UTF-8, keys twice,
// nesting deeper than anyone needs, a top level that is not an object.
TEST(OipV2, BrokenBodiesAreRefused) {
  const ModelCase& c = Case("stroke");
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"{", "not valid JSON"},
      {"", "not valid JSON"},
      {"{\"inputs\": [{\"name\": \"\xff\xfe\"}]}", "not valid UTF-8"},
      {R"({"inputs": [], "inputs": []})", "key \"inputs\" appears twice"},
      {std::string(5000, '[') + std::string(5000, ']'), "deeper than 32 levels"},
      {R"([{"inputs": []}])", "expected an inference request object"},
      {"null", "got null"},
      {"{\"inputs\": [{\"name\": \"age\", \"shape\": [1], \"datatype\": \"FP64\", \"data\": [1e400]}]}", ""},
  };
  for (const auto& [body, message] : bodies) {
    SCOPED_TRACE(body.substr(0, 40));
    const ProtocolReply answer = OipInfer(c.model, "stroke", "", body, {});
    EXPECT_EQ(answer.reply.status, 400);
    testing::ExpectErrorBody(answer.reply, "error", message);
  }
}

}  // namespace
}  // namespace stroke::apps
