#include "record_source.h"

#include <fmt/format.h>
#include <pybind11/numpy.h>

#include <cmath>
#include <numeric>
#include <string_view>

namespace stroke::python {
namespace {

// numpy's scalar types, looked up once (ImportNumpyTypes, at module import).
PyObject* numpy_bool = nullptr;
PyObject* numpy_integer = nullptr;
PyObject* numpy_floating = nullptr;

bool IsInstance(PyObject* object, PyObject* type) {
  const int result = type != nullptr ? PyObject_IsInstance(object, type) : 0;
  if (result < 0) PyErr_Clear();
  return result == 1;
}

Value Number(double value, bool is_integer) {
  return std::isnan(value) ? Value::Null() : Value::Number(value, is_integer);
}

std::string TypeName(py::handle object) { return Py_TYPE(object.ptr())->tp_name; }

bool IsFrame(py::handle x) {
  return py::hasattr(x, "columns") && py::hasattr(x, "dtypes") && py::hasattr(x, "items");
}

template <typename T>
py::array_t<T, py::array::c_style | py::array::forcecast> AsArray(py::handle values) {
  return py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(values);
}

std::vector<double> Numbers(py::handle series) {
  py::array_t<double, py::array::c_style | py::array::forcecast> array = AsArray<double>(series.attr("to_numpy")());
  if (!array) throw py::error_already_set();
  return std::vector<double>(array.data(), array.data() + array.size());
}

// The str values of a column of field `field` read as CSV cells, for the
// fields whose values are not text (number, integer, boolean).
void ReadTextAsCells(const Schema& schema, int field, std::vector<Value>* values) {
  if (field < 0 || schema.fields()[static_cast<size_t>(field)].type == FieldType::kCategory) return;
  for (Value& value : *values) {
    if (value.kind == Value::Kind::kString) value = schema.ValueFromText(static_cast<size_t>(field), value.text);
  }
}

}  // namespace

void ImportNumpyTypes() {
  py::module_ numpy = py::module_::import("numpy");
  numpy_bool = py::object(numpy.attr("bool_")).release().ptr();
  numpy_integer = py::object(numpy.attr("integer")).release().ptr();
  numpy_floating = py::object(numpy.attr("floating")).release().ptr();
}

Value ToValue(py::handle object) {
  PyObject* p = object.ptr();
  if (p == Py_None) return Value::Null();
  if (PyBool_Check(p)) return Value::Bool(p == Py_True);
  if (PyFloat_Check(p)) return Number(PyFloat_AS_DOUBLE(p), false);
  if (PyLong_Check(p)) {
    const double value = PyLong_AsDouble(p);
    if (value == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      return Value::Other("an int beyond the range of a double");
    }
    return Value::Number(value, true);
  }
  if (PyUnicode_Check(p)) {
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(p, &size);
    if (text == nullptr) {
      PyErr_Clear();
      return Value::Other("a str that is not valid UTF-8");
    }
    return Value::String(std::string(text, static_cast<size_t>(size)));
  }
  if (IsInstance(p, numpy_bool)) return Value::Bool(PyObject_IsTrue(p) == 1);
  if (IsInstance(p, numpy_integer)) return ToValue(py::int_(py::reinterpret_borrow<py::object>(object)));
  if (IsInstance(p, numpy_floating)) return Number(py::float_(py::reinterpret_borrow<py::object>(object)), false);
  const std::string_view type = Py_TYPE(p)->tp_name;
  if (type.ends_with("NAType") || type.ends_with("NaTType")) return Value::Null();  // pandas.NA, pandas.NaT
  return Value::Other("a Python " + std::string(type));
}

RecordSource RecordSource::FromPython(py::handle x, const Schema& schema) {
  if (IsFrame(x)) return FromFrame(x, schema);
  if (PyList_Check(x.ptr()) || PyTuple_Check(x.ptr())) return FromDicts(x);
  if (PyDict_Check(x.ptr())) throw py::type_error("X is one dict: pass a list of records, [X]");
  throw py::type_error("X must be a pandas DataFrame or a list of dicts of raw inputs, got " + TypeName(x) +
                       " (for a 2-D array of prepared features use predict_features)");
}

RecordSource RecordSource::FromFrame(py::handle frame, const Schema& schema) {
  RecordSource source;
  source.frame_ = true;
  source.rows_ = py::len(frame.attr("index"));
  for (py::handle item : frame.attr("items")()) {
    py::tuple pair = py::reinterpret_borrow<py::tuple>(item);
    if (!py::isinstance<py::str>(pair[0])) {
      throw py::type_error("DataFrame column names must be str (the model's input fields), got " +
                           py::repr(pair[0]).cast<std::string>());
    }
    std::string name = pair[0].cast<std::string>();
    for (const Column& c : source.columns_) {
      if (c.name == name) throw py::type_error("DataFrame column \"" + name + "\" appears twice");
    }
    const int field = schema.IndexOf(name);
    source.columns_.push_back(ReadColumn(std::move(name), pair[1]));
    ReadTextAsCells(schema, field, &source.columns_.back().values);
  }
  return source;
}

RecordSource::Column RecordSource::ReadColumn(std::string name, py::handle series) {
  Column column;
  column.name = std::move(name);
  py::object dtype = series.attr("dtype");
  const bool numpy_dtype = py::isinstance(dtype, py::module_::import("numpy").attr("dtype"));
  const char kind = numpy_dtype ? dtype.attr("kind").cast<std::string>()[0] : 'O';
  if (kind == 'f' || kind == 'i' || kind == 'u' || kind == 'b') {
    column.kind = kind == 'f' ? Column::Kind::kNumber : kind == 'b' ? Column::Kind::kBool : Column::Kind::kInteger;
    column.numbers = Numbers(series);
    return column;
  }
  column.kind = Column::Kind::kCoded;
  // Categorical columns, and columns of str (nulls aside; pandas' "string"
  // dtype too) as read_csv makes them: codes into the distinct values, each
  // read once (pandas.factorize gives -1 for None, NaN and pandas.NA, which
  // ToValue reads as null too).
  py::object codes, values;
  py::module_ pandas = py::module_::import("pandas");
  if (py::str(dtype).cast<std::string>() == "category") {
    codes = series.attr("cat").attr("codes").attr("to_numpy")();
    values = series.attr("cat").attr("categories");
  } else if (pandas.attr("api").attr("types").attr("infer_dtype")(series, py::arg("skipna") = true)
                 .cast<std::string>() == "string") {
    py::tuple factorized = pandas.attr("factorize")(series);
    codes = factorized[0];
    values = factorized[1];
  }
  if (codes) {
    auto array = AsArray<int32_t>(codes);
    if (!array) throw py::error_already_set();
    column.codes.assign(array.data(), array.data() + array.size());
    for (py::handle value : values) column.values.push_back(ToValue(value));
    return column;
  }
  // Other object columns and pandas' extension dtypes (Int64, boolean, ...): value by value.
  for (py::handle value : series.attr("to_numpy")(py::arg("dtype") = "object")) {
    column.values.push_back(ToValue(value));
  }
  column.codes.resize(column.values.size());
  std::iota(column.codes.begin(), column.codes.end(), 0);
  return column;
}

RecordSource RecordSource::FromDicts(py::handle sequence) {
  RecordSource source;
  py::sequence rows = py::reinterpret_borrow<py::sequence>(sequence);
  source.rows_ = rows.size();
  source.records_.resize(source.rows_);
  for (size_t i = 0; i < source.rows_; ++i) {
    py::object row = rows[i];
    Record& record = source.records_[i];
    auto add = [&](py::handle key, py::handle value) {
      if (!PyUnicode_Check(key.ptr())) {
        throw py::type_error(fmt::format("X[{}]: field names must be str, got {}", i, py::repr(key).cast<std::string>()));
      }
      record.Set(key.cast<std::string>(), ToValue(value));
    };
    if (PyDict_Check(row.ptr())) {
      Py_ssize_t position = 0;
      PyObject *key = nullptr, *value = nullptr;
      while (PyDict_Next(row.ptr(), &position, &key, &value)) add(key, value);
    } else if (py::hasattr(row, "items")) {  // another Mapping
      for (py::handle item : row.attr("items")()) {
        py::tuple pair = py::reinterpret_borrow<py::tuple>(item);
        add(pair[0], pair[1]);
      }
    } else {
      throw py::type_error(fmt::format("X[{}] is a {}, not a dict of field -> value", i, TypeName(row)));
    }
  }
  return source;
}

const Record& RecordSource::Row(size_t row, Record* scratch) const {
  if (!frame_) return records_[row];
  // Every row sets every column, in column order, so a scratch record filled
  // by an earlier row keeps its fields and only their values are replaced,
  // by position (no search, no allocation per row).
  if (scratch->size() != columns_.size()) {
    *scratch = Record();
    for (const Column& c : columns_) scratch->Set(c.name, Value::Null());
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& c = columns_[i];
    switch (c.kind) {
      case Column::Kind::kNumber: scratch->SetAt(i, Number(c.numbers[row], false)); break;
      case Column::Kind::kInteger: scratch->SetAt(i, Value::Number(c.numbers[row], true)); break;
      case Column::Kind::kBool: scratch->SetAt(i, Value::Bool(c.numbers[row] != 0)); break;
      case Column::Kind::kCoded: {
        const int32_t code = c.codes[row];
        scratch->SetAt(i, code < 0 ? Value::Null() : c.values[static_cast<size_t>(code)]);
        break;
      }
    }
  }
  return *scratch;
}

}  // namespace stroke::python
