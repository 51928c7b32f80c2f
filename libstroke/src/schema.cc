#include "stroke/schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "clean_cell.h"
#include "client_text.h"

namespace stroke {
namespace {

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", \"" : "\"") + items[i] + "\"";
  return out;
}

// Bundle numbers (known codes, limits, training ranges) in messages are
// fmt's "{}": the shortest text that reads back as the same double, so a
// message never shows a rounded bound that the value would have met: 0.1,
// 1e+16, 123456789012 (which printf's %.10g, used before, wrote
// 1.23456789e+11; for the shipped bundles the texts are unchanged).
std::string NumberList(const std::vector<double>& items) { return fmt::format("{}", fmt::join(items, ", ")); }

std::string LowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string RangeText(double lo, double hi) {
  if (std::isinf(lo)) return fmt::format("<= {}", hi);
  if (std::isinf(hi)) return fmt::format(">= {}", lo);
  return fmt::format("in [{}, {}]", lo, hi);
}

// Checks one present value against its field; on success stores the code in *out.
bool CheckValue(const FieldSpec& field, const Value& value, double* out, CheckResult* result,
                const CheckOptions& options) {
  auto error = [&](IssueKind kind, std::string message) {
    result->errors.push_back({field.name, kind, std::move(message)});
    return false;
  };
  if (value.kind == Value::Kind::kInvalid) return error(IssueKind::kInvalidValue, value.text);
  if (value.kind == Value::Kind::kNull) {
    if (!field.nullable) return error(IssueKind::kMissing, "is required, got null");
    *out = field.impute;
    return true;
  }
  switch (field.type) {
    case FieldType::kCategory: {
      if (value.kind == Value::Kind::kString) {
        for (size_t i = 0; i < field.categories.size(); ++i) {
          if (field.categories[i] == value.text) {
            *out = static_cast<double>(i);
            return true;
          }
        }
        if (field.accept_unknown && !options.refuse_unknown_categories) {
          result->warnings.push_back(
              {field.name, IssueKind::kUnknownCategory,
               value.Describe() + " is not a category seen in training (" + QuotedList(field.categories) +
                   "); answered as the model answers an unknown category"});
          *out = field.unknown_code;
          return true;
        }
        return error(IssueKind::kCategory, "expected one of " + QuotedList(field.categories) + ", got " +
                                     value.Describe());
      }
      return error(IssueKind::kType, "expected a string, one of " + QuotedList(field.categories) +
                               ", got " + value.Describe());
    }
    case FieldType::kBoolean:
      if (value.kind == Value::Kind::kBool) {
        *out = value.boolean ? 1 : 0;
        return true;
      }
      if (value.kind == Value::Kind::kNumber && (value.number == 0 || value.number == 1)) {
        *out = value.number;
        return true;
      }
      return error(IssueKind::kType, "expected a boolean (true/false or 0/1), got " + value.Describe());
    case FieldType::kNumber:
    case FieldType::kInteger:
      break;
  }
  const bool integer = field.type == FieldType::kInteger;
  if (value.kind != Value::Kind::kNumber) {
    return error(IssueKind::kType, std::string(integer ? "expected an integer" : "expected a number") +
                             ", got " + value.Describe());
  }
  if (!std::isfinite(value.number)) return error(IssueKind::kNotFinite, "expected a finite number");
  if (integer && value.number != std::floor(value.number)) {
    return error(IssueKind::kType, "expected an integer, got " + value.Describe());
  }
  if (!field.known_codes.empty() &&
      std::find(field.known_codes.begin(), field.known_codes.end(), value.number) == field.known_codes.end()) {
    if (!field.accept_unknown || options.refuse_unknown_categories) {
      return error(IssueKind::kCategory, "expected one of " + NumberList(field.known_codes) + ", got " + value.Describe());
    }
    result->warnings.push_back({field.name, IssueKind::kUnknownCategory,
                                value.Describe() + " is not a code seen in training (" + NumberList(field.known_codes) +
                                    "); answered as the model answers an unknown code"});
  }
  if (value.number < field.hard_min || value.number > field.hard_max) {
    return error(IssueKind::kLimit, "must be " + RangeText(field.hard_min, field.hard_max) + ", got " +
                              value.Describe());
  }
  if (value.number < field.train_min || value.number > field.train_max) {
    result->warnings.push_back(
        {field.name, IssueKind::kOutOfTrainingRange,
         value.Describe() + " is outside the training range " +
             RangeText(field.train_min, field.train_max) + "; the prediction is less reliable"});
  }
  *out = value.number;
  return true;
}

}  // namespace

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kNumber: return "number";
    case FieldType::kInteger: return "integer";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kCategory: return "category";
  }
  return "?";
}

const char* IssueKindName(IssueKind kind) {
  switch (kind) {
    case IssueKind::kMissing: return "missing";
    case IssueKind::kType: return "type";
    case IssueKind::kCategory: return "category";
    case IssueKind::kLimit: return "limit";
    case IssueKind::kUnknownField: return "unknown_field";
    case IssueKind::kInvalidValue: return "invalid_value";
    case IssueKind::kNotFinite: return "not_finite";
    case IssueKind::kOutOfTrainingRange: return "out_of_training_range";
    case IssueKind::kUnknownCategory: return "unknown_category";
    case IssueKind::kFeatureNotFinite: return "feature_not_finite";
    case IssueKind::kInternal: return "internal";
    case IssueKind::kParse: return "parse";
    case IssueKind::kTruncated: return "truncated";
    case IssueKind::kNumber: return "number";
    case IssueKind::kEnum: return "enum";
  }
  return "?";
}

std::string JoinIssues(const std::vector<Issue>& issues) {
  std::string text;
  for (const Issue& issue : issues) {
    if (!text.empty()) text += "; ";
    text += issue.field.empty() ? issue.message : issue.field + ": " + issue.message;
  }
  return text;
}

Status CheckResult::ToStatus() const {
  return ok() ? Status::Ok() : InvalidInputError(JoinIssues(errors));
}

StatusOr<Schema> Schema::Create(std::vector<FieldSpec> fields) {
  std::set<std::string> names;
  for (size_t i = 0; i < fields.size(); ++i) {
    const FieldSpec& f = fields[i];
    const std::string path = "inputs[" + std::to_string(i) + "]";
    if (f.name.empty()) return CorruptBundleError(path + ".name: must not be empty");
    if (!names.insert(f.name).second) {
      return CorruptBundleError(path + ".name: \"" + f.name + "\" is declared twice");
    }
    if (f.type == FieldType::kCategory) {
      std::set<std::string> unique(f.categories.begin(), f.categories.end());
      if (f.categories.empty() || unique.size() != f.categories.size()) {
        return CorruptBundleError(path + ".categories: must be a non-empty list of distinct strings");
      }
    }
    if (f.accept_unknown && f.type == FieldType::kCategory && f.unknown_code >= 0 &&
        f.unknown_code < f.categories.size()) {
      return CorruptBundleError(path + ".unknown_category: the code of a known category");
    }
    if (f.accept_unknown && f.type != FieldType::kCategory && f.known_codes.empty()) {
      return CorruptBundleError(path + ".unknown_category: a number field keeps unknown codes only with known_codes");
    }
    for (double code : f.known_codes) {
      if (!std::isfinite(code) || (f.type == FieldType::kInteger && code != std::floor(code))) {
        return CorruptBundleError(path + ".known_codes: must be finite numbers (integers for an integer field)");
      }
    }
    if (std::isnan(f.hard_min) || std::isnan(f.hard_max) || f.hard_min > f.hard_max) {
      return CorruptBundleError(path + ".limits: min must not exceed max");
    }
    if (f.nullable && !std::isnan(f.impute)) {  // NaN: passed on as a missing value
      bool bad_impute = f.type == FieldType::kCategory
                            ? !(f.impute >= 0 && f.impute < f.categories.size() &&
                                f.impute == std::floor(f.impute))
                            : !(f.impute >= f.hard_min && f.impute <= f.hard_max);
      if (bad_impute) return CorruptBundleError(path + ".impute: outside the field's limits");
    }
  }
  Schema schema;
  schema.fields_ = std::move(fields);
  for (size_t i = 0; i < schema.fields_.size(); ++i) schema.index_.emplace(schema.fields_[i].name, static_cast<int>(i));
  return schema;
}

int Schema::IndexOf(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

bool Schema::Check(const Record& record, Span<double> inputs, CheckResult* result,
                   const CheckOptions& options) const {
  const size_t errors_before = result->errors.size();
  if (inputs.size() != fields_.size()) {
    result->errors.push_back({"", IssueKind::kInternal, "input buffer has the wrong size"});
    return false;
  }
  // Records mostly list the schema's fields in its order (CSV columns, JSON
  // written from the schema): the record's field after the last one met in
  // that order is tried first, then the record is searched (names are unique:
  // the same value either way).
  const auto& given = record.fields();
  size_t next = 0, found = 0;
  for (size_t i = 0; i < fields_.size(); ++i) {
    const Value* value = nullptr;
    if (next < given.size() && given[next].first == fields_[i].name) {
      value = &given[next++].second;
    } else {
      value = record.Find(fields_[i].name);
    }
    found += value != nullptr;
    if (value == nullptr) {
      result->errors.push_back({fields_[i].name, IssueKind::kMissing,
                                std::string("field required (") + FieldTypeName(fields_[i].type) +
                                    (fields_[i].nullable ? ", may be null)" : ")")});
      continue;
    }
    CheckValue(fields_[i], *value, &inputs[i], result, options);
  }
  // Unknown fields are errors unless allowed; unreadable ones always are.
  // When every field of the record is one of the schema's (names are unique
  // on both sides), there is none to look for.
  if (found == given.size()) return result->errors.size() == errors_before;
  for (const auto& [name, value] : record.fields()) {
    const bool invalid = value.kind == Value::Kind::kInvalid;
    if ((!invalid && options.allow_unknown_fields) || IndexOf(name) >= 0) continue;
    if (invalid) {
      result->errors.push_back({ToValidUtf8(name), IssueKind::kInvalidValue, value.text});
    } else {
      result->errors.push_back({ToValidUtf8(name), IssueKind::kUnknownField,
                                "is not an input of this model (extra fields are not allowed)"});
    }
  }
  return result->errors.size() == errors_before;
}

bool Schema::CheckCell(size_t field_index, std::string_view text, double* input, const CheckOptions& options) const {
  if (internal::CleanCellFast(fields_[field_index], text, input)) return true;
  CheckResult result;
  const bool ok = CheckValue(fields_[field_index], ValueFromText(field_index, text), input, &result, options);
  return ok && result.errors.empty() && result.warnings.empty();
}

Value Schema::ValueFromText(size_t field_index, std::string_view text) const {
  const FieldSpec& field = fields_[field_index];
  if (!IsValidUtf8(text)) return Value::Text(text);  // kInvalid, quoting it
  if (text.empty()) return Value::Null();
  for (const std::string& token : field.null_tokens) {
    if (text == token) return Value::Null();
  }
  switch (field.type) {
    case FieldType::kCategory:
      return Value::String(std::string(text));
    case FieldType::kBoolean: {
      std::string lower = LowerCase(text);
      if (lower == "true" || lower == "1") return Value::Bool(true);
      if (lower == "false" || lower == "0") return Value::Bool(false);
      double number = 0;  // 1.0 / 0.0, as JSON accepts the numbers 1 and 0
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec == std::errc() && end == text.data() + text.size() && (number == 0 || number == 1)) {
        return Value::Bool(number == 1);
      }
      return Value::String(std::string(text));
    }
    case FieldType::kNumber:
    case FieldType::kInteger: {
      double number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec == std::errc::result_out_of_range && end == text.data() + text.size()) {  // as JSON numbers
        if (NumberOverflows(text)) return Value::Invalid(NumberOutOfRange(text));
        return Value::Number(text[0] == '-' ? -0.0 : 0.0, false);
      }
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(number)) {
        return Value::String(std::string(text));
      }
      return Value::Number(number, text.find_first_of(".eE") == std::string_view::npos);
    }
  }
  return Value::String(std::string(text));
}

}  // namespace stroke
