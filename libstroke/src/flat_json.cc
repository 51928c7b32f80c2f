#include "flat_json.h"

#include <charconv>
#include <cstdint>

namespace stroke {
namespace {

class FlatReader {
 public:
  explicit FlatReader(std::string_view text) : s_(text) {}

  bool Object(Record* out) {
    Record record;
    SkipSpace();
    if (!Take('{')) return false;
    SkipSpace();
    if (!Take('}')) {
      for (;;) {
        std::string_view key;
        Value value;
        SkipSpace();
        if (!String(&key)) return false;
        SkipSpace();
        if (!Take(':')) return false;
        SkipSpace();
        if (!ScalarValue(&value) || record.Find(key) != nullptr) return false;
        record.Set(std::string(key), std::move(value));
        SkipSpace();
        if (Take(',')) continue;
        if (Take('}')) break;
        return false;
      }
    }
    SkipSpace();
    if (i_ != s_.size()) return false;
    *out = std::move(record);
    return true;
  }

 private:
  bool Take(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Word(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Digits() {
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }
  // A string of printable ASCII without escapes.
  bool String(std::string_view* out) {
    if (!Take('"')) return false;
    const size_t start = i_;
    for (; i_ < s_.size() && s_[i_] != '"'; ++i_) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    if (i_ == s_.size()) return false;
    *out = s_.substr(start, i_ - start);
    ++i_;
    return true;
  }
  // JSON's number grammar; integers of up to 18 digits (exact in int64, as
  // the full parser keeps them) and correctly rounded doubles.
  bool Number(Value* out) {
    const size_t start = i_;
    Take('-');
    if (!Take('0') && !Digits()) return false;
    bool integer = true;
    if (Take('.')) {
      integer = false;
      if (!Digits()) return false;
    }
    if (Take('e') || Take('E')) {
      integer = false;
      if (!Take('+')) Take('-');
      if (!Digits()) return false;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + i_;
    if (integer) {
      if (last - first > 18) return false;
      int64_t v = 0;
      if (std::from_chars(first, last, v).ec != std::errc()) return false;
      *out = Value::Number(static_cast<double>(v), true);
      return true;
    }
    double v = 0;
    const auto [end, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || end != last) return false;  // out of range: the full parser decides
    *out = Value::Number(v);
    return true;
  }
  bool ScalarValue(Value* out) {
    if (i_ >= s_.size()) return false;
    std::string_view text;
    switch (s_[i_]) {
      case '"':
        if (!String(&text)) return false;
        *out = Value::String(std::string(text));
        return true;
      case 't': *out = Value::Bool(true); return Word("true");
      case 'f': *out = Value::Bool(false); return Word("false");
      case 'n': *out = Value::Null(); return Word("null");
      default: return Number(out);
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

bool ParseFlatJsonObject(std::string_view text, Record* out) { return FlatReader(text).Object(out); }

}  // namespace stroke
