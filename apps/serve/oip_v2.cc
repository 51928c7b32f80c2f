#include "oip_v2.h"

#include <fmt/format.h>

#include <array>
#include <functional>

#include "oip_v2_tensors.h"
#include "protocol_input.h"
#include "stroke/scoring.h"

namespace stroke::apps {
namespace {

// One output the model answers: its name, datatype and width (columns per row).
struct OutputSpec {
  std::string name;
  const char* datatype;
  size_t width;  // 1: shape [n]; else [n, width]
  bool matrix;   // shape [n, width] even when width is 1
};

std::vector<OutputSpec> OutputsOf(const Model& model) {
  const size_t k = static_cast<size_t>(model.num_classes());
  switch (model.task()) {
    case Task::kRegression:
      return {{"value", "FP64", 1, false}, {"predict", "FP64", 1, false}, {"raw_margin", "FP64", 1, true}};
    case Task::kBinaryClassification:
      return {{"probabilities", "FP64", k, true}, {"predict", "INT64", 1, false}, {"label", "BYTES", 1, false},
              {"raw_margin", "FP64", 1, true}};
    case Task::kMulticlassClassification:
      return {{"probabilities", "FP64", k, true}, {"predict", "INT64", 1, false}, {"label", "BYTES", 1, false},
              {"raw_margin", "FP64", k, true}};
  }
  return {};
}

Json ShapeOf(const OutputSpec& out, int64_t rows) {
  return out.matrix ? Json::array({rows, static_cast<int64_t>(out.width)}) : Json::array({rows});
}

// The outputs the request asks for, in its order; all of them without "outputs".
StatusOr<std::vector<OutputSpec>> RequestedOutputs(const Json& request, const Model& model) {
  std::vector<OutputSpec> all = OutputsOf(model);
  auto outputs = request.find("outputs");
  if (outputs == request.end()) return all;
  if (!outputs->is_array()) return InvalidInputError("\"outputs\" must be an array of {\"name\": ...}");
  std::vector<std::string> names;
  for (const OutputSpec& o : all) names.push_back(o.name);
  std::vector<OutputSpec> chosen;
  for (size_t i = 0; i < outputs->size(); ++i) {
    const Json& o = (*outputs)[i];
    auto name = o.is_object() ? o.find("name") : o.end();
    if (!o.is_object() || name == o.end() || !name->is_string()) {
      return InvalidInputError(fmt::format("outputs[{}] must be an object with a string \"name\"", i));
    }
    const std::string& wanted = name->get_ref<const std::string&>();
    auto known = std::find_if(all.begin(), all.end(), [&](const OutputSpec& s) { return s.name == wanted; });
    if (known == all.end()) {
      return InvalidInputError("unknown output \"" + wanted + "\": this model's outputs are " + QuotedNames(names));
    }
    if (std::any_of(chosen.begin(), chosen.end(), [&](const OutputSpec& s) { return s.name == wanted; })) {
      return InvalidInputError("output \"" + wanted + "\" is requested twice");
    }
    chosen.push_back(*known);
  }
  if (chosen.empty()) return InvalidInputError("\"outputs\" is empty: name at least one of " + QuotedNames(names));
  return chosen;
}

// Output `spec` of every row of `scored`, row-major.
Json OutputData(const OutputSpec& spec, const Model& model, const BatchScore& scored) {
  Json data = Json::array();
  const bool multiclass = model.task() == Task::kMulticlassClassification;
  std::array<double, kMaxOutputs> raw{};
  const size_t raw_width = static_cast<size_t>(model.ensemble().num_outputs());
  for (size_t i = 0; i < scored.rows.size(); ++i) {
    const RecordPrediction& p = scored.rows[i].prediction;
    if (spec.name == "probabilities") {
      for (int c = 0; c < p.num_classes; ++c) data.push_back(p.probabilities[c]);
    } else if (spec.name == "predict") {
      if (model.task() == Task::kRegression) {
        data.push_back(p.value);
      } else {
        data.push_back(static_cast<int64_t>(p.prediction));
      }
    } else if (spec.name == "label") {
      data.push_back(p.label);
    } else if (spec.name == "value") {
      data.push_back(p.value);
    } else if (spec.name == "raw_margin" && multiclass) {  // every class's raw score, from the kept features
      model.ensemble().PredictRaw(scored.FeaturesOf(i), Span<double>(raw.data(), raw_width));
      for (size_t c = 0; c < raw_width; ++c) data.push_back(raw[c]);
    } else {
      data.push_back(p.raw_margin);
    }
  }
  return data;
}

}  // namespace

Reply OipError(int status, const std::string& message) { return JsonReply(status, {{"error", message}}); }

Reply OipServerMetadata(const std::string& server_version, const std::vector<std::string>& extensions) {
  return JsonReply(200, {{"name", "stroke-serve"}, {"version", server_version}, {"extensions", extensions}});
}

Reply OipModelMetadata(const Model& model, const std::string& name, const std::vector<std::string>& versions) {
  Json inputs = Json::array();
  for (const FieldSpec& f : model.schema().fields()) {
    inputs.push_back({{"name", f.name}, {"datatype", OipDatatypeOf(f.type)}, {"shape", {-1}}});
  }
  Json outputs = Json::array();
  for (const OutputSpec& o : OutputsOf(model)) {
    outputs.push_back({{"name", o.name}, {"datatype", o.datatype}, {"shape", ShapeOf(o, -1)}});
  }
  return JsonReply(200, {{"name", name}, {"versions", versions}, {"platform", kOipPlatform},
                         {"inputs", inputs}, {"outputs", outputs}});
}

Reply OipModelReady(const std::string& name, bool ready) {
  return JsonReply(ready ? 200 : 503, {{"name", name}, {"ready", ready}});
}

ProtocolReply OipInfer(const Model& model, const std::string& name, const std::string& version,
                       std::string_view body, const ProtocolOptions& options) {
  auto fail = [](int status, const std::string& message) { return ProtocolReply{OipError(status, message), 0}; };
  StatusOr<Json> request = ParseProtocolJson(body);
  if (!request.ok()) return fail(400, request.status().message());
  if (!request->is_object()) {
    return fail(400, "expected an inference request object {\"inputs\": [...]}, got " + DescribeJson(*request));
  }
  auto id = request->find("id");
  if (id != request->end() && !id->is_string()) return fail(400, "\"id\" must be a string, got " + DescribeJson(*id));
  auto parameters = request->find("parameters");
  if (parameters != request->end() && !parameters->is_object()) return fail(400, "\"parameters\" must be an object");
  StatusOr<std::vector<OutputSpec>> outputs = RequestedOutputs(*request, model);
  if (!outputs.ok()) return fail(400, outputs.status().message());
  auto inputs = request->find("inputs");
  if (inputs == request->end() || !inputs->is_array() || inputs->empty()) {
    return fail(400, "\"inputs\" must be a non-empty array of tensors {\"name\", \"shape\", \"datatype\", \"data\"}");
  }
  std::vector<OipTensor> tensors;
  for (size_t i = 0; i < inputs->size(); ++i) {
    StatusOr<OipTensor> tensor = ReadOipTensor((*inputs)[i], i);
    if (!tensor.ok()) return fail(400, tensor.status().message());
    tensors.push_back(std::move(*tensor));
  }
  bool too_many = false, matrix = false;
  StatusOr<std::vector<InputRow>> rows = OipRows(tensors, model.schema(), options.max_rows, &too_many, &matrix);
  if (!rows.ok()) return fail(too_many ? 413 : 400, rows.status().message());

  ScoreOptions score;
  score.check = options.check;
  score.keep_features = model.task() == Task::kMulticlassClassification &&
                        std::any_of(outputs->begin(), outputs->end(), [](const OutputSpec& o) { return o.name == "raw_margin"; });
  const BatchScore scored = ScoreRecords(model, *rows, score);
  if (scored.failed > 0) {
    const Schema& schema = model.schema();
    return fail(400, FailedRowsMessage(scored, [&](size_t row, const Issue& issue) {
      const int column = schema.IndexOf(issue.field);
      if (matrix) {
        return column < 0 ? fmt::format("input \"{}\", row {}", tensors[0].name, row)
                          : fmt::format("input \"{}\", row {}, column {} (\"{}\")", tensors[0].name, row, column, issue.field);
      }
      return fmt::format("input \"{}\", row {}", issue.field, row);
    }));
  }
  if (options.answered) options.answered(*rows, scored);
  const int64_t n = static_cast<int64_t>(scored.rows.size());
  Json answer = {{"model_name", name}, {"model_version", version.empty() ? model.info().version : version}};
  if (id != request->end()) answer["id"] = *id;
  Json tensors_out = Json::array();
  for (const OutputSpec& o : *outputs) {
    tensors_out.push_back({{"name", o.name}, {"shape", ShapeOf(o, n)}, {"datatype", o.datatype},
                           {"data", OutputData(o, model, scored)}});
  }
  answer["outputs"] = std::move(tensors_out);
  return ProtocolReply{JsonReply(200, answer), scored.rows.size()};
}

}  // namespace stroke::apps
