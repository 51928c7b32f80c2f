#include "oip_v2_tensors.h"

#include <fmt/format.h>

#include <limits>
#include <unordered_map>

#include "protocol_input.h"

namespace stroke::apps {
namespace {

// A datatype and the values its elements may hold (the protocol's
// datatypes are C types: INT8 is int8_t, FP16 is IEEE 754 binary16):
// whole numbers in [min, max], floats of magnitude <= max_magnitude.
struct Datatype {
  const char* name;
  OipElementKind kind;
  OipRange range;
};
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr uint64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr Datatype kDatatypes[] = {
    {"BOOL", OipElementKind::kBool, {}},
    {"INT8", OipElementKind::kInteger, {-128, 127}},
    {"INT16", OipElementKind::kInteger, {-32768, 32767}},
    {"INT32", OipElementKind::kInteger, {-2147483648LL, 2147483647}},
    {"INT64", OipElementKind::kInteger, {kInt64Min, kInt64Max}},
    {"UINT8", OipElementKind::kInteger, {0, 255}},
    {"UINT16", OipElementKind::kInteger, {0, 65535}},
    {"UINT32", OipElementKind::kInteger, {0, 4294967295ULL}},
    {"UINT64", OipElementKind::kInteger, {0, std::numeric_limits<uint64_t>::max()}},
    {"FP16", OipElementKind::kFloat, {0, 0, 65504}},
    {"FP32", OipElementKind::kFloat, {0, 0, std::numeric_limits<float>::max()}},
    {"FP64", OipElementKind::kFloat, {0, 0, std::numeric_limits<double>::max()}},
    {"BYTES", OipElementKind::kBytes, {}},
};

std::string ShapeText(const std::vector<uint64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// The datatypes a field takes, for messages.
const char* DatatypesFor(FieldType type) {
  switch (type) {
    case FieldType::kCategory: return "BYTES";
    case FieldType::kBoolean: return "BOOL (or BYTES, or 0/1 in a numeric datatype)";
    default: return "FP64 (or FP32, INT64, INT32, BYTES)";
  }
}

bool Fits(OipElementKind kind, FieldType type) {
  switch (type) {
    case FieldType::kCategory: return kind == OipElementKind::kBytes;
    case FieldType::kBoolean: return true;
    default: return kind != OipElementKind::kBool;
  }
}

// data's scalars in row-major order: flat, or nested as [rows][columns].
StatusOr<std::vector<const Json*>> Flatten(const Json& data, const std::vector<uint64_t>& shape, uint64_t count,
                                           const std::string& label) {
  std::vector<const Json*> out;
  if (!data.is_array()) return InvalidInputError(label + ": \"data\" must be an array, got " + DescribeJson(data));
  const bool nested = !data.empty() && data[0].is_array();
  for (const Json& e : data) {
    if (!nested) {
      if (e.is_structured()) {
        return InvalidInputError(label + ": \"data\" mixes values and arrays, or holds an object: expected " +
                                 fmt::format("{} values, flat or nested as shape {}", count, ShapeText(shape)));
      }
      out.push_back(&e);
      continue;
    }
    if (shape.size() != 2 || !e.is_array() || e.size() != shape[1]) {
      return InvalidInputError(label + fmt::format(": nested \"data\" must be {} arrays of {} values (shape {})",
                                                   shape[0], shape.size() == 2 ? shape[1] : 1, ShapeText(shape)));
    }
    for (const Json& v : e) {
      if (v.is_structured()) return InvalidInputError(label + ": \"data\" nests deeper than its shape " + ShapeText(shape));
      out.push_back(&v);
    }
  }
  if (out.size() != count) {
    return InvalidInputError(label + fmt::format(": shape {} holds {} values, \"data\" has {}", ShapeText(shape), count,
                                                 out.size()));
  }
  return out;
}

// `e` (a JSON number) within `range`: whole numbers compared exactly (as
// JSON holds them: int64 when negative, else uint64), floats by magnitude.
bool InRange(const Json& e, const OipRange& range, OipElementKind kind) {
  if (kind == OipElementKind::kFloat) {
    const double v = e.get<double>();
    return v >= -range.max_magnitude && v <= range.max_magnitude;
  }
  if (e.is_number_unsigned()) return e.get<uint64_t>() <= range.max;
  return e.is_number_integer() && e.get<int64_t>() >= range.min;
}

// One element as the Value field `field` gets; where() names it for errors
// (a template: called only on an error, never allocated per element).
template <typename Where>
StatusOr<Value> ElementValue(const OipTensor& t, const Json& e, const Schema& schema, size_t field, const Where& where) {
  if (e.is_null()) return Value::Null();
  auto refuse = [&](const char* expected) {
    return InvalidInputError(where() + ": expected " + expected + " (" + t.datatype + "), got " + DescribeJson(e));
  };
  switch (t.kind) {
    case OipElementKind::kBool:
      return e.is_boolean() ? StatusOr<Value>(Value::Bool(e.get<bool>())) : refuse("true or false");
    case OipElementKind::kInteger:
      if (!e.is_number_integer()) return refuse("an integer");
      if (!InRange(e, t.range, t.kind)) {
        return refuse(fmt::format("an integer in [{}, {}]", t.range.min, t.range.max).c_str());
      }
      return JsonToValue(e);
    case OipElementKind::kFloat:
      if (!e.is_number()) return refuse("a number");
      if (!InRange(e, t.range, t.kind)) {
        return refuse(fmt::format("a number of magnitude <= {}", t.range.max_magnitude).c_str());
      }
      return JsonToValue(e);
    case OipElementKind::kBytes:
      if (e.is_string()) return schema.ValueFromText(field, e.get_ref<const std::string&>());
      return e.is_primitive() ? StatusOr<Value>(JsonToValue(e)) : refuse("a string");
  }
  return refuse("a value");
}

}  // namespace

const char* OipDatatypeOf(FieldType type) {
  switch (type) {
    case FieldType::kNumber: return "FP64";
    case FieldType::kInteger: return "INT64";
    case FieldType::kBoolean: return "BOOL";
    case FieldType::kCategory: return "BYTES";
  }
  return "BYTES";
}

StatusOr<OipTensor> ReadOipTensor(const Json& input, size_t index) {
  OipTensor t;
  std::string label = fmt::format("inputs[{}]", index);
  if (!input.is_object()) {
    return InvalidInputError(label + ": expected a tensor {\"name\", \"shape\", \"datatype\", \"data\"}, got " +
                             DescribeJson(input));
  }
  auto name = input.find("name");
  if (name == input.end() || !name->is_string()) return InvalidInputError(label + ": \"name\" must be a string");
  t.name = name->get<std::string>();
  label = "input \"" + t.name + "\"";
  auto datatype = input.find("datatype");
  if (datatype == input.end() || !datatype->is_string()) return InvalidInputError(label + ": \"datatype\" must be a string");
  t.datatype = datatype->get<std::string>();
  bool known = false;
  for (const Datatype& d : kDatatypes) {
    if (t.datatype == d.name) {
      t.kind = d.kind;
      t.range = d.range;
      known = true;
    }
  }
  if (!known) {
    return InvalidInputError(label + ": unknown datatype " + DescribeJson(*datatype) +
                             " (expected BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64 or BYTES)");
  }
  auto shape = input.find("shape");
  if (shape == input.end() || !shape->is_array() || shape->empty() || shape->size() > 2) {
    return InvalidInputError(label + ": \"shape\" must be [n] or [n, k]" +
                             (shape == input.end() ? std::string() : ", got " + ToValidUtf8(JsonText(*shape))));
  }
  uint64_t count = 1;
  for (const Json& d : *shape) {
    if (!d.is_number_unsigned()) {
      return InvalidInputError(label + ": \"shape\" dimensions must be whole numbers >= 0, got " + DescribeJson(d));
    }
    t.shape.push_back(d.get<uint64_t>());
    if (__builtin_mul_overflow(count, t.shape.back(), &count)) {
      return InvalidInputError(label + ": \"shape\" " + ShapeText(t.shape) + " is too large");
    }
  }
  auto data = input.find("data");
  if (data == input.end()) return InvalidInputError(label + ": \"data\" is missing");
  StatusOr<std::vector<const Json*>> elements = Flatten(*data, t.shape, count, label);
  if (!elements.ok()) return elements.status();
  t.elements = std::move(*elements);
  return t;
}

StatusOr<std::vector<InputRow>> OipRows(const std::vector<OipTensor>& tensors, const Schema& schema,
                                        size_t max_rows, bool* too_many, bool* matrix) {
  const std::vector<FieldSpec>& fields = schema.fields();
  std::vector<std::string> names;
  for (const FieldSpec& f : fields) names.push_back(f.name);
  *too_many = false;
  *matrix = tensors.size() == 1 && tensors[0].shape.size() == 2 && schema.IndexOf(tensors[0].name) < 0;
  // column_of[j]: the tensor and its column holding field j.
  std::vector<std::pair<const OipTensor*, size_t>> column_of(fields.size(), {nullptr, 0});
  const uint64_t n = tensors[0].shape[0];
  if (*matrix) {
    const OipTensor& t = tensors[0];
    if (t.shape[1] != fields.size()) {
      return InvalidInputError(fmt::format("input \"{}\": shape {} has {} columns; the model takes {} inputs in "
                                           "schema order ({}), or one tensor per input named as it",
                                           t.name, ShapeText(t.shape), t.shape[1], fields.size(), QuotedNames(names)));
    }
    for (size_t j = 0; j < fields.size(); ++j) column_of[j] = {&t, j};
  } else {
    for (const OipTensor& t : tensors) {
      const int field = schema.IndexOf(t.name);
      if (field < 0) {
        return InvalidInputError("unknown input \"" + t.name + "\": the model's inputs are " + QuotedNames(names) +
                                 " (one tensor each), or one [n, " + std::to_string(fields.size()) +
                                 "] tensor of them in that order");
      }
      if (column_of[field].first != nullptr) return InvalidInputError("input \"" + t.name + "\" is given twice");
      if (t.shape.size() == 2 && t.shape[1] != 1) {
        return InvalidInputError("input \"" + t.name + "\": shape " + ShapeText(t.shape) + ": expected [n] or [n, 1]");
      }
      if (t.shape[0] != n) {
        return InvalidInputError(fmt::format("input \"{}\" has {} rows but input \"{}\" has {}: every input needs "
                                             "the same number", t.name, t.shape[0], tensors[0].name, n));
      }
      column_of[field] = {&t, 0};
    }
    std::vector<std::string> missing;
    for (size_t j = 0; j < fields.size(); ++j) {
      if (column_of[j].first == nullptr) missing.push_back(fields[j].name);
    }
    if (!missing.empty()) {
      return InvalidInputError("missing input" + std::string(missing.size() > 1 ? "s " : " ") + QuotedNames(missing) +
                               ": the model takes one tensor per input (" + QuotedNames(names) + ")");
    }
  }
  if (n == 0) return InvalidInputError("input \"" + tensors[0].name + "\" has no rows (shape [0, ...])");
  if (n > max_rows) {
    *too_many = true;
    return InvalidInputError(fmt::format("a request of {} rows exceeds the limit of {} (--max-batch-rows)", n, max_rows));
  }
  for (size_t j = 0; j < fields.size(); ++j) {
    const OipTensor& t = *column_of[j].first;
    if (!Fits(t.kind, fields[j].type)) {
      const std::string what = *matrix ? fmt::format("column {} (\"{}\", a {} field)", j, fields[j].name,
                                                     FieldTypeName(fields[j].type))
                                       : fmt::format("a {} field", FieldTypeName(fields[j].type));
      return InvalidInputError(fmt::format("input \"{}\": datatype {} cannot carry {}: send {}{}", t.name, t.datatype,
                                           what, DatatypesFor(fields[j].type),
                                           *matrix ? " (BYTES for a table of mixed types), or one tensor per input" : ""));
    }
  }
  std::vector<InputRow> rows(n);
  for (size_t i = 0; i < n; ++i) {
    Record record;
    for (size_t j = 0; j < fields.size(); ++j) {
      const auto& [t, column] = column_of[j];
      const size_t width = t->shape.size() == 2 ? t->shape[1] : 1;
      auto where = [&, t = t] {
        return *matrix ? fmt::format("input \"{}\", row {}, column {} (\"{}\")", t->name, i, j, fields[j].name)
                       : fmt::format("input \"{}\", row {}", t->name, i);
      };
      StatusOr<Value> value = ElementValue(*t, *t->elements[i * width + column], schema, j, where);
      if (!value.ok()) return value.status();
      record.Set(fields[j].name, std::move(*value));
    }
    rows[i].row = i + 1;
    rows[i].record = std::move(record);
  }
  return rows;
}

}  // namespace stroke::apps
