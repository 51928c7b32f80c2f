#include "stroke/record.h"

#include <fmt/format.h>

#include "client_text.h"

namespace stroke {

Value Value::Number(double v, bool is_integer) {
  Value value;
  value.kind = Kind::kNumber;
  value.number = v;
  value.is_integer = is_integer;
  return value;
}

Value Value::Bool(bool v) {
  Value value;
  value.kind = Kind::kBool;
  value.boolean = v;
  return value;
}

Value Value::String(std::string v) {
  Value value;
  value.kind = Kind::kString;
  value.text = std::move(v);
  return value;
}

Value Value::Invalid(std::string why) {
  Value value;
  value.kind = Kind::kInvalid;
  value.text = IsValidUtf8(why) ? std::move(why) : ToValidUtf8(why);
  return value;
}

Value Value::Text(std::string_view text) {
  if (IsValidUtf8(text)) return String(std::string(text));
  return Invalid("text is not valid UTF-8: \"" + Shortened(text) + "\"");
}

Value Value::Other(std::string description) {
  Value value;
  value.kind = Kind::kOther;
  value.text = std::move(description);
  return value;
}

std::string Value::Describe() const {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return boolean ? "true" : "false";
    case Kind::kNumber: return fmt::format("{}", number);
    case Kind::kString: {
      if (text.size() <= kDescribedTextBytes) return "\"" + ToValidUtf8(text) + "\"";
      size_t cut = kDescribedTextBytes;  // back to a character's first byte
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      return fmt::format("\"{}...\" ({} bytes)", ToValidUtf8(std::string_view(text).substr(0, cut)), text.size());
    }
    case Kind::kOther: return text;
    case Kind::kInvalid: return text;
  }
  return "?";
}

void Record::Set(std::string name, Value value) {
  if (Value* existing = const_cast<Value*>(Find(name))) {
    *existing = std::move(value);
    return;
  }
  if (!index_.empty() || fields_.size() + 1 >= kIndexFrom) {
    if (index_.empty()) {
      for (size_t i = 0; i < fields_.size(); ++i) index_.emplace(fields_[i].first, i);
    }
    index_.emplace(name, fields_.size());
  }
  fields_.emplace_back(std::move(name), std::move(value));
}

const Value* Record::Find(std::string_view name) const {
  if (!index_.empty()) {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &fields_[it->second].second;
  }
  for (const auto& field : fields_) {
    if (field.first == name) return &field.second;
  }
  return nullptr;
}

}  // namespace stroke
