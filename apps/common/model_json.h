// JSON renderings of libstroke types shared by stroke-predict and stroke-serve:
// issues, a model's metadata and input schema.
#ifndef STROKE_APPS_COMMON_MODEL_JSON_H_
#define STROKE_APPS_COMMON_MODEL_JSON_H_

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "stroke/model.h"

namespace stroke::apps {

using Json = nlohmann::ordered_json;

// [{"field": ..., "type": ..., "message": ...}, ...]
Json IssuesJson(const std::vector<Issue>& issues);

// The bundle's metadata, decision threshold, labels, input schema and
// feature names - what `stroke-predict info` and GET /model show.
Json ModelInfoJson(const Model& model);

// A prediction's fields for the model's task, in output order (JSON and CSV).
// Binary: probability, prediction, label, raw_margin. Multiclass: prediction,
// label, probability, probabilities (label -> p). Regression: value.
std::vector<std::pair<std::string, Json>> PredictionFields(const Model& model, const RecordPrediction& p);

// TreeSHAP explanations of prepared features, for every explained output
// (Model::ExplainedOutputs): {"expected_value", "raw_score", "by_input":
// {input: contribution}, "contributions": {feature: contribution}} - one
// object, or for multiclass an array with "class" and "label" in each.
Json ExplanationJson(const Model& model, std::span<const double> features, ExplainScratch& scratch);

// A value as JSON: a number written without fraction or exponent as an
// integer while a double holds every integer of its size (below 2^53), any
// other number as the shortest text that reads back as the same double,
// with a fraction or exponent (1.0 stays 1.0); kOther and kInvalid as their
// description.
Json ValueJson(const Value& value);

// A record as one line of JSON text (for audit lines): each value as
// ValueJson, byte for byte what JsonText gives for that object, written
// directly where keys and strings are plain ASCII (no DOM per request).
std::string RecordText(const Record& record);

// One input field as the bundle declares it.
Json FieldJson(const FieldSpec& field);

// `value` as JSON text (indent as Json::dump: -1 = one line). A byte that is
// not UTF-8 - a client's bytes echoed in an error message, a file name -
// becomes U+FFFD instead of throwing: every JSON the apps write goes through here.
std::string JsonText(const Json& value, int indent = -1);

// One-line JSON object text built member by member from parts already
// rendered, so that a part rendered once (an answer) is reused, not rendered
// again: the text is byte for byte what JsonText gives for the same object.
// Keys are plain ASCII names (no quote, backslash or control character).
class JsonObjectText {
 public:
  JsonObjectText() = default;
  // Continues `object`, the JsonText of an object, with more members.
  explicit JsonObjectText(std::string object) : text_(std::move(object)) { text_.pop_back(); }
  // `json_text`: a JsonText rendering (one line).
  JsonObjectText& Raw(std::string_view key, std::string_view json_text);
  // `value` as JsonText renders it. Strings of printable ASCII without a
  // quote or backslash, and unsigned integers, are written directly (what
  // JsonText writes for them), sparing a Json and a serializer per member.
  template <typename T>
  JsonObjectText& Add(std::string_view key, const T& value) {
    if constexpr (std::is_convertible_v<const T&, std::string_view> && !std::is_same_v<T, Json>) {
      if (AddPlainString(key, value)) return *this;
      return Raw(key, JsonText(Json(std::string_view(value))));
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
      return Raw(key, fmt::to_string(value));
    } else {
      return Raw(key, JsonText(value));
    }
  }
  std::string Close();  // the text; the builder is left empty

 private:
  bool AddPlainString(std::string_view key, std::string_view value);  // false: not plain, nothing added
  std::string text_ = "{";
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_MODEL_JSON_H_
