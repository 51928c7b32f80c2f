#include "json_reader.h"

#include <cmath>
#include <set>

namespace stroke {

Status ParseJsonText(std::string_view text, Json* out) {
  std::vector<std::set<std::string>> keys_by_depth;
  std::string problem;
  auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (!problem.empty()) return false;
    if (depth > kMaxJsonDepth) {
      problem = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    if (event == Json::parse_event_t::object_start) {
      keys_by_depth.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      if (!keys_by_depth.empty()) keys_by_depth.pop_back();
    } else if (event == Json::parse_event_t::key && !keys_by_depth.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!keys_by_depth.back().insert(key).second) {
        problem = "key \"" + key + "\" appears twice in one object";
        return false;
      }
    }
    return true;
  };
  try {
    *out = Json::parse(text.begin(), text.end(), check);
  } catch (const Json::exception& e) {
    if (problem.empty()) {
      std::string what = e.what();
      // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> from "parse error"
      size_t start = what.find("] ");
      problem = "invalid JSON: " + (start == std::string::npos ? what : what.substr(start + 2));
      if (what.find("invalid literal") != std::string::npos) {
        problem += " (JSON has no NaN or Infinity literals)";
      }
    }
  }
  if (!problem.empty()) return InvalidInputError(problem);
  return Status::Ok();
}

bool JsonReader::Fail(const std::string& message) const {
  if (error_->ok()) *error_ = CorruptBundleError((path_.empty() ? "(root)" : path_) + ": " + message);
  return false;
}

const Json& JsonReader::Empty() {
  static const Json* empty = new Json();
  return *empty;
}

bool JsonReader::Has(const char* key) const {
  return json_->is_object() && json_->contains(key);
}

JsonReader JsonReader::Member(const char* key) const {
  if (!json_->is_object()) {
    Fail(std::string("expected an object, got ") + json_->type_name());
    return JsonReader(&Empty(), Child(key), error_);
  }
  auto it = json_->find(key);
  if (it == json_->end()) {
    Fail(std::string("missing required key \"") + key + "\"");
    return JsonReader(&Empty(), Child(key), error_);
  }
  return JsonReader(&*it, Child(key), error_);
}

JsonReader JsonReader::Object(const char* key) const {
  JsonReader member = Member(key);
  if (!member.failed() && !member.json().is_object()) {
    member.Fail(std::string("expected an object, got ") + member.json().type_name());
  }
  return member;
}

JsonReader JsonReader::Array(const char* key) const {
  JsonReader member = Member(key);
  if (!member.failed() && !member.json().is_array()) {
    member.Fail(std::string("expected an array, got ") + member.json().type_name());
  }
  return member;
}

JsonReader JsonReader::Element(size_t index) const {
  std::string path = path_ + "[" + std::to_string(index) + "]";
  if (!json_->is_array() || index >= json_->size()) return JsonReader(&Empty(), path, error_);
  return JsonReader(&(*json_)[index], path, error_);
}

size_t JsonReader::size() const {
  return json_->is_array() || json_->is_object() ? json_->size() : 0;
}

std::string JsonReader::String(const char* key) const {
  JsonReader member = Member(key);
  if (member.failed()) return "";
  if (!member.json().is_string()) {
    member.Fail(std::string("expected a string, got ") + member.json().type_name());
    return "";
  }
  return member.json().get<std::string>();
}

std::string JsonReader::OptionalString(const char* key, const std::string& fallback) const {
  return Has(key) ? String(key) : fallback;
}

double JsonReader::Number(const char* key) const {
  JsonReader member = Member(key);
  if (member.failed()) return 0;
  if (!member.json().is_number()) {
    member.Fail(std::string("expected a number, got ") + member.json().type_name());
    return 0;
  }
  double value = member.json().get<double>();
  if (!std::isfinite(value)) member.Fail("expected a finite number");
  return value;
}

double JsonReader::OptionalNumber(const char* key, double fallback) const {
  return Has(key) ? Number(key) : fallback;
}

long JsonReader::Integer(const char* key) const {
  JsonReader member = Member(key);
  if (member.failed()) return 0;
  if (!member.json().is_number_integer()) {
    member.Fail(std::string("expected an integer, got ") + member.json().type_name());
    return 0;
  }
  return member.json().get<long>();
}

bool JsonReader::Bool(const char* key) const {
  JsonReader member = Member(key);
  if (member.failed()) return false;
  if (!member.json().is_boolean()) {
    member.Fail(std::string("expected true or false, got ") + member.json().type_name());
    return false;
  }
  return member.json().get<bool>();
}

bool JsonReader::OptionalBool(const char* key, bool fallback) const {
  return Has(key) ? Bool(key) : fallback;
}

std::vector<std::string> JsonReader::StringArray(const char* key) const {
  std::vector<std::string> out;
  JsonReader array = Array(key);
  for (size_t i = 0; !array.failed() && i < array.size(); ++i) {
    const Json& item = array.json()[i];
    if (!item.is_string()) {
      array.Element(i).Fail(std::string("expected a string, got ") + item.type_name());
      break;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<double> JsonReader::DoubleArray(const char* key) const {
  std::vector<double> out;
  JsonReader array = Array(key);
  if (array.failed()) return out;
  out.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& item = array.json()[i];
    if (!item.is_number()) {
      array.Element(i).Fail(std::string("expected a number, got ") + item.type_name() +
                            (item.is_null() ? " (NaN is not a valid value here)" : ""));
      break;
    }
    out.push_back(item.get<double>());
  }
  return out;
}

std::vector<int32_t> JsonReader::IntArray(const char* key) const {
  JsonReader array = Array(key);
  return array.failed() ? std::vector<int32_t>{} : array.Ints();
}

std::vector<int32_t> JsonReader::Ints() const {
  std::vector<int32_t> out;
  const JsonReader& array = *this;
  if (!json_->is_array()) {
    Fail(std::string("expected an array of integers, got ") + json_->type_name());
    return out;
  }
  out.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& item = array.json()[i];
    if (!item.is_number_integer() || item.get<int64_t>() < INT32_MIN ||
        item.get<int64_t>() > INT32_MAX) {
      array.Element(i).Fail(std::string("expected a 32-bit integer, got ") +
                            (item.is_number() ? item.dump() : item.type_name()));
      break;
    }
    out.push_back(static_cast<int32_t>(item.get<int64_t>()));
  }
  return out;
}

}  // namespace stroke
