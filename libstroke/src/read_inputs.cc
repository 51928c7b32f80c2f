// Reads a bundle's "inputs" section (docs/bundle-format.md) into a Schema.
#include <algorithm>
#include <limits>
#include <map>

#include "load_limits.h"
#include "section_readers.h"

namespace stroke {
namespace {

const std::map<std::string, FieldType>& FieldTypes() {
  static const auto* types = new std::map<std::string, FieldType>{
      {"number", FieldType::kNumber}, {"integer", FieldType::kInteger},
      {"boolean", FieldType::kBoolean}, {"category", FieldType::kCategory}};
  return *types;
}

void ReadBounds(const JsonReader& field, const char* key, double* lo, double* hi) {
  if (!field.Has(key)) return;
  JsonReader bounds = field.Object(key);
  *lo = bounds.OptionalNumber("min", *lo);
  *hi = bounds.OptionalNumber("max", *hi);
}

}  // namespace

StatusOr<Schema> ReadInputs(const JsonReader& inputs, const LoadOptions& limits) {
  std::vector<FieldSpec> fields;
  if (!inputs.failed() && inputs.size() > limits.max_input_fields) {
    inputs.Fail(OverLimit("input field count " + std::to_string(inputs.size()), limits.max_input_fields,
                          "max_input_fields"));
  }
  for (size_t i = 0; i < inputs.size() && !inputs.failed(); ++i) {
    JsonReader in = inputs.Element(i);
    FieldSpec f;
    f.name = in.String("name");
    const std::string type = in.String("type");
    auto it = FieldTypes().find(type);
    if (!in.failed() && it == FieldTypes().end()) {
      in.Member("type").Fail("unknown type \"" + type + "\" (number, integer, boolean, category)");
    }
    if (in.failed()) break;
    f.type = it->second;
    f.description = in.OptionalString("description", "");
    if (f.type == FieldType::kCategory) {
      const size_t count = in.Array("categories").size();
      if (count > limits.max_categories) {
        in.Member("categories").Fail(OverLimit("category count " + std::to_string(count), limits.max_categories,
                                               "max_categories"));
        break;
      }
      f.categories = in.StringArray("categories");
    }
    if (in.Has("known_codes")) {
      if (f.type != FieldType::kNumber && f.type != FieldType::kInteger) {
        in.Member("known_codes").Fail("only a number or integer field has known codes");
      } else if (in.Array("known_codes").size() > limits.max_categories) {
        in.Member("known_codes").Fail(OverLimit("known code count " + std::to_string(in.Array("known_codes").size()),
                                                limits.max_categories, "max_categories"));
      } else {
        f.known_codes = in.DoubleArray("known_codes");
        if (!in.failed() && f.known_codes.empty()) in.Member("known_codes").Fail("must list at least one code");
      }
    }
    f.nullable = in.OptionalBool("nullable", false);
    if (in.Has("null_tokens")) f.null_tokens = in.StringArray("null_tokens");
    ReadBounds(in, "limits", &f.hard_min, &f.hard_max);
    ReadBounds(in, "training_range", &f.train_min, &f.train_max);
    if (f.nullable && !in.Has("impute")) {
      f.impute = std::numeric_limits<double>::quiet_NaN();  // missing: the trees decide
    } else if (f.nullable && f.type == FieldType::kCategory) {
      const std::string impute = in.String("impute");
      auto pos = std::find(f.categories.begin(), f.categories.end(), impute);
      if (!in.failed() && pos == f.categories.end()) {
        in.Member("impute").Fail("\"" + impute + "\" is not one of the categories");
      }
      f.impute = static_cast<double>(pos - f.categories.begin());
    } else if (f.nullable) {
      f.impute = in.Number("impute");
    }
    if (in.Has("unknown_category")) {  // a number, or "missing"; "keep" for number codes
      JsonReader unknown = in.Member("unknown_category");
      f.accept_unknown = true;
      const bool keep = unknown.json().is_string() && unknown.json().get<std::string>() == "keep";
      if (f.type != FieldType::kCategory) {
        if (!keep || f.known_codes.empty()) {
          unknown.Fail("a number or integer field takes only \"keep\", with known_codes");
        }
      } else if (unknown.json().is_string() && unknown.json().get<std::string>() == "missing") {
        f.unknown_code = std::numeric_limits<double>::quiet_NaN();
      } else {
        f.unknown_code = in.Number("unknown_category");
      }
    }
    fields.push_back(std::move(f));
  }
  if (inputs.failed()) return inputs.error();
  if (fields.empty()) return CorruptBundleError(inputs.path() + ": no input fields declared");
  StatusOr<Schema> schema = Schema::Create(std::move(fields));
  if (!schema.ok()) return CorruptBundleError(schema.status().message());
  return schema;
}

}  // namespace stroke
