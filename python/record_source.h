// RecordSource: the raw input rows of one Python call - a pandas DataFrame or
// a sequence of dicts - copied into C++ values while the GIL is held, so that
// validation, feature preparation and scoring can then run without it.
//
//   RecordSource source = RecordSource::FromPython(x, model.schema());   // GIL held
//   py::gil_scoped_release release;
//   Record scratch;
//   for (size_t i = 0; i < source.size(); ++i) model.Prepare(source.Row(i, &scratch), features);
#ifndef STROKE_PYTHON_RECORD_SOURCE_H_
#define STROKE_PYTHON_RECORD_SOURCE_H_

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include "stroke/record.h"
#include "stroke/schema.h"

namespace stroke::python {

namespace py = pybind11;

// Looks up numpy's scalar types; call once at module import.
void ImportNumpyTypes();

// One Python value as a record value: None, NaN, pandas.NA and NaT are null;
// bool and numpy.bool_ a boolean; int and numpy integers an integer number;
// float and numpy floats a number; str a string; anything else kOther naming
// its Python type (which the schema then refuses, naming the field). GIL held.
Value ToValue(py::handle object);

class RecordSource {
 public:
  // Reads `x` (GIL held): a pandas DataFrame (one column per field, read
  // column by column: numeric, bool, categorical, object and pandas'
  // nullable dtypes) or a list/tuple of dicts (field -> value). In a
  // DataFrame column of one of `schema`'s number, integer or boolean fields,
  // a str cell (a column pandas read as text: object or string dtype) is
  // read as stroke-predict reads a CSV cell (Schema::ValueFromText): "67.0"
  // is the number 67, "" and the field's null tokens null, and text that is
  // not a number stays a str, which the check refuses naming field and row.
  // Dicts are read as JSON is: a str stays a str. Raises TypeError for
  // anything else, for a non-str column name or dict key, and for duplicated
  // column names.
  static RecordSource FromPython(py::handle x, const Schema& schema);

  size_t size() const { return rows_; }
  // The record of row `row` (0-based). DataFrame input fills *scratch (pass
  // the same one for every row of this source: its fields are reused) and
  // returns it; dict input returns the stored record. Needs no GIL;
  // thread-safe for distinct scratch records.
  const Record& Row(size_t row, Record* scratch) const;

 private:
  struct Column {
    enum class Kind {
      kNumber,   // numbers[row]; NaN is null
      kInteger,  // numbers[row], an integer
      kBool,     // numbers[row] is 0 or 1
      kCoded,    // values[codes[row]]; code -1 is null
    };
    std::string name;
    Kind kind = Kind::kNumber;
    std::vector<double> numbers;
    std::vector<int32_t> codes;
    std::vector<Value> values;
  };
  static RecordSource FromFrame(py::handle frame, const Schema& schema);
  static RecordSource FromDicts(py::handle sequence);
  static Column ReadColumn(std::string name, py::handle series);

  size_t rows_ = 0;
  bool frame_ = false;
  std::vector<Column> columns_;  // DataFrame input
  std::vector<Record> records_;  // dict input
};

}  // namespace stroke::python

#endif  // STROKE_PYTHON_RECORD_SOURCE_H_
