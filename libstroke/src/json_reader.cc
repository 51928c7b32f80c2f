#include "json_reader.h"

#include <cmath>
#include <set>

namespace stroke {

namespace {

// nlohmann's DOM builder with two checks on the way: no key twice in one
// object, no nesting beyond kMaxJsonDepth. (Its callback parser does the same
// but scans the whole parent after every object: quadratic on a long array
// of objects, seconds for a 600 KB body.)
class CheckedDomBuilder {
 public:
  using Dom = nlohmann::detail::json_sax_dom_parser<Json>;
  explicit CheckedDomBuilder(Json& result) : dom_(result, /*allow_exceptions_=*/false) {}

  bool null() { return Value() && dom_.null(); }
  bool boolean(bool b) { return Value() && dom_.boolean(b); }
  bool number_integer(Json::number_integer_t n) { return Value() && dom_.number_integer(n); }
  bool number_unsigned(Json::number_unsigned_t n) { return Value() && dom_.number_unsigned(n); }
  bool number_float(Json::number_float_t x, const Json::string_t& s) { return Value() && dom_.number_float(x, s); }
  bool string(Json::string_t& s) { return Value() && dom_.string(s); }
  bool binary(Json::binary_t& b) { return Value() && dom_.binary(b); }
  bool start_object(std::size_t n) {
    if (!Open()) return false;
    keys_.emplace_back();
    return dom_.start_object(n);
  }
  bool key(Json::string_t& k) {
    if (!Value()) return false;
    if (!keys_.back().insert(k).second) return Fail("key \"" + k + "\" appears twice in one object");
    return dom_.key(k);
  }
  bool end_object() {
    keys_.pop_back();
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return Open() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> from "parse error"
    const size_t start = what.find("] ");
    std::string message = "invalid JSON: " + (start == std::string::npos ? what : what.substr(start + 2));
    if (what.find("invalid literal") != std::string::npos) message += " (JSON has no NaN or Infinity literals)";
    return Fail(std::move(message));
  }

  const std::string& problem() const { return problem_; }

 private:
  // A value (or key) inside depth_ open containers.
  bool Value() { return depth_ <= kMaxJsonDepth || Fail(TooDeep()); }
  bool Open() {
    if (!Value()) return false;
    ++depth_;
    return true;
  }
  static std::string TooDeep() { return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"; }
  bool Fail(std::string problem) {
    if (problem_.empty()) problem_ = std::move(problem);
    return false;
  }

  Dom dom_;
  int depth_ = 0;
  std::vector<std::set<std::string>> keys_;  // of each open object
  std::string problem_;
};

}  // namespace

Status ParseJsonText(std::string_view text, Json* out) {
  // nlohmann's lexer takes a NUL byte for the end of the text: what follows
  // one would be ignored.
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return InvalidInputError("invalid JSON: a NUL byte at offset " + std::to_string(nul));
  }
  Json result;
  CheckedDomBuilder builder(result);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const Json::exception& e) {  // the builder does not throw; the lexer may
    return InvalidInputError(std::string("invalid JSON: ") + e.what());
  }
  if (!ok || !builder.problem().empty()) {
    return InvalidInputError(builder.problem().empty() ? "invalid JSON" : builder.problem());
  }
  *out = std::move(result);
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
