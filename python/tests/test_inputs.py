"""Reading X: DataFrame dtypes, number columns pandas read as text, nulls, bad rows
(InvalidInput, errors="return"), unknown fields, inputs that are neither a DataFrame
nor a list of dicts."""
import math

import numpy as np
import pandas as pd
import pytest

import stroke
from conftest import MODELS_DIR, random_records, stroke_predict_answers

PATIENT = {"gender": "Male", "age": 67, "hypertension": False, "heart_disease": True, "ever_married": "Yes",
           "work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6,
           "smoking_status": "formerly smoked"}


@pytest.fixture(scope="module")
def rows(stroke_model):
    return [PATIENT] + random_records(stroke_model, 50, seed=2)


def test_dtypes_give_the_same_records(stroke_model, rows):
    plain = pd.DataFrame(rows)
    expected = stroke_model.predict_raw(rows)
    typed = plain.copy()
    for column in ("gender", "ever_married", "work_type", "Residence_type", "smoking_status"):
        typed[column] = typed[column].astype("category")
    typed["hypertension"] = typed["hypertension"].astype(bool)       # numpy bool
    typed["heart_disease"] = typed["heart_disease"].astype("boolean")  # pandas nullable boolean
    typed["bmi"] = typed["bmi"].astype("Float64")                    # pandas nullable float (pd.NA)
    typed["work_type"] = plain["work_type"].astype("string")         # pandas string dtype
    np.testing.assert_array_equal(stroke_model.predict_raw(typed), expected)
    # Integer columns and numpy scalars inside object columns.
    ints = pd.DataFrame([dict(r, hypertension=int(r["hypertension"])) for r in rows])
    assert ints["hypertension"].dtype == np.int64
    np.testing.assert_array_equal(stroke_model.predict_raw(ints), expected)
    scalars = [dict(r, age=np.float64(r["age"]), hypertension=np.bool_(r["hypertension"])) for r in rows]
    np.testing.assert_array_equal(stroke_model.predict_raw(scalars), expected)


def test_str_columns_give_the_records_answers_and_errors(stroke_model, rows):
    # Columns of str (with nulls) are read one distinct value at a time; mixed columns value by value.
    records = [dict(r) for r in rows]
    records[3]["gender"] = None
    records[4]["work_type"] = float("nan")
    records[5]["smoking_status"] = "cigars"       # not a category
    records[6]["Residence_type"] = "Urban "       # nor is this
    records[7]["ever_married"] = 1                # a mixed column: not all str
    records[8]["ever_married"] = "Yes"
    expected, expected_errors = stroke_model.predict_raw(records, errors="return")
    assert [e["row"] for e in expected_errors] == [3, 4, 5, 6, 7]
    frame = pd.DataFrame(records)
    for X in (frame, frame.astype({"gender": "string", "work_type": "string"})):  # pandas.NA nulls
        result, errors = stroke_model.predict_raw(X, errors="return")
        np.testing.assert_array_equal(result, expected)
        assert errors == expected_errors


def number_columns_as_text(frame, model):
    """`frame` with each number and integer field's column as pandas reads a column it took
    for text (object dtype): str cells, repr of the float (which reads back as the same
    double), and None for nulls."""
    text = frame.copy()
    for field in model.schema:
        name = field["name"]
        if field["type"] in ("number", "integer"):
            cells = [None if pd.isna(v) else repr(float(v)) for v in frame[name]]
            text[name] = pd.Series(cells, index=frame.index, dtype=object)
    return text


def test_number_columns_read_as_text_answer_as_the_training_library(model, bundle):
    golden = bundle["golden"]
    frame = pd.DataFrame([g["inputs"] for g in golden] + random_records(model, 100, seed=7))
    text = number_columns_as_text(frame, model)
    assert (text.dtypes == object).any()
    np.testing.assert_array_equal(model.predict_raw(text), model.predict_raw(frame))  # bit for bit
    first = text.iloc[:len(golden)]
    if model.task == "binary_classification":  # the training library's own answers, bit for bit
        np.testing.assert_array_equal(model.predict_proba(first)[:, 1], [g["probability"] for g in golden])
    elif model.task == "regression":
        np.testing.assert_array_equal(model.predict(first), [g["value"] for g in golden])
    else:
        np.testing.assert_array_equal(model.predict(first), model.classes_[[g["prediction"] for g in golden]])


def test_text_cells_of_a_number_column_are_read_as_stroke_predict_reads_csv_cells(stroke_model, tmp_path):
    frame = pd.DataFrame([PATIENT] * 6)
    # Mixed object columns: floats, str, None; a null token, an empty cell, text that is no number.
    frame["age"] = pd.Series([67.0, "61", "abc", None, " 5", "4.5e1"], dtype=object)
    frame["bmi"] = pd.Series(["36.6", "N/A", "", "1e400", 28.1, "nan"], dtype=object)
    result, errors = stroke_model.predict_raw(frame, errors="return")
    assert [(e["row"], e["field"], e["type"]) for e in errors] == [
        (2, "age", "type"), (3, "age", "missing"), (3, "bmi", "invalid_value"), (4, "age", "type"),
        (5, "bmi", "type")]
    assert errors[0]["message"] == 'expected a number, got "abc"'
    # The same frame as a CSV file: stroke-predict's answers and errors.
    path = tmp_path / "patients.csv"
    frame.to_csv(path, index=False)
    answers = stroke_predict_answers(f"{MODELS_DIR}/stroke.bundle.json", path, bad_rows=True)
    assert errors == [{"row": a["row"] - 1, **e} for a in answers for e in a.get("errors", [])]
    good = [a["row"] - 1 for a in answers if "errors" not in a]
    assert good == [0, 1]
    np.testing.assert_array_equal(result[good, 0], [a["raw_margin"] for a in answers if "errors" not in a])


def test_nulls_are_imputed_where_nullable(stroke_model):
    explicit = dict(PATIENT, bmi=None)
    for null in (None, float("nan"), pd.NA, np.nan):
        assert stroke_model.predict_raw([dict(PATIENT, bmi=null)])[0, 0] == stroke_model.predict_raw([explicit])[0, 0]
    frame = pd.DataFrame([PATIENT, dict(PATIENT, bmi=np.nan)])
    assert frame["bmi"].dtype == np.float64
    np.testing.assert_array_equal(stroke_model.predict_raw(frame), stroke_model.predict_raw([PATIENT, explicit]))


def test_nan_in_a_required_field_names_row_and_field(stroke_model):
    frame = pd.DataFrame([PATIENT, PATIENT, dict(PATIENT, age=np.nan)])
    with pytest.raises(stroke.InvalidInput) as caught:
        stroke_model.predict_proba(frame)
    assert caught.value.errors == [
        {"row": 2, "field": "age", "type": "missing", "message": "is required, got null"}]
    assert "row 2: age" in str(caught.value)


def test_invalid_input_carries_every_error(stroke_model, rows):
    frame = pd.DataFrame(rows)
    frame.loc[3, "age"] = -4
    frame.loc[3, "gender"] = "Robot"
    frame.loc[7, "smoking_status"] = 12
    with pytest.raises(stroke.InvalidInput) as caught:
        stroke_model.predict(frame)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.rows == len(rows)
    assert [(e["row"], e["field"], e["type"]) for e in error.errors] == [
        (3, "gender", "category"), (3, "age", "limit"), (7, "smoking_status", "type")]
    assert all(e["message"] for e in error.errors)
    message = str(error)
    assert message.startswith("2 of %d rows are invalid" % len(rows))
    assert "row 3: gender: expected one of" in message and "row 7: smoking_status" in message


@pytest.mark.parametrize("method", ["predict_proba", "predict_raw", "predict", "prepare", "explain"])
def test_errors_return_gives_nan_rows_and_the_errors(stroke_model, rows, method):
    bad = [dict(r) for r in rows]
    bad[1]["age"] = "old"
    del bad[4]["bmi"]
    result, errors = getattr(stroke_model, method)(bad, errors="return")
    assert [(e["row"], e["field"], e["type"]) for e in errors] == [(1, "age", "type"), (4, "bmi", "missing")]
    good = [i for i in range(len(rows)) if i not in (1, 4)]
    expected = getattr(stroke_model, method)([rows[i] for i in good])
    if method == "explain":
        assert result.contributions.shape == (len(rows), 1, stroke_model.n_features)
        assert np.isnan(result.contributions[[1, 4]]).all() and np.isnan(result.raw_margin[[1, 4]]).all()
        np.testing.assert_array_equal(result.contributions[good], expected.contributions)
    elif method == "predict":
        assert result.dtype == object and result[1] is None and result[4] is None
        np.testing.assert_array_equal(result[good].astype(str), expected)
    else:
        assert result.shape[0] == len(rows) and np.isnan(result[[1, 4]]).all()
        np.testing.assert_array_equal(result[good], expected)
    # No bad rows: the same tuple shape, an empty list.
    result, errors = getattr(stroke_model, method)([rows[i] for i in good], errors="return")
    assert errors == []


def test_unknown_fields(stroke_model):
    with pytest.raises(stroke.InvalidInput) as caught:
        stroke_model.predict([dict(PATIENT, id=9046, stroke=1)])
    assert [(e["field"], e["type"]) for e in caught.value.errors] == [("id", "unknown_field"),
                                                                      ("stroke", "unknown_field")]
    assert "'id', 'stroke' not read by this model: drop them, or pass allow_unknown_fields=True" in \
        str(caught.value).splitlines()[1]  # first, naming the columns and the keyword
    with pytest.raises(stroke.InvalidInput) as caught:
        stroke_model.predict([dict(PATIENT, age="old")])
    assert "allow_unknown_fields" not in str(caught.value)  # only where it would help
    frame = pd.DataFrame([dict(PATIENT, id=9046, stroke=1)])
    allowed = stroke_model.predict_proba(frame, allow_unknown_fields=True)
    np.testing.assert_array_equal(allowed, stroke_model.predict_proba([PATIENT]))


def test_values_of_other_types_are_named(stroke_model):
    with pytest.raises(stroke.InvalidInput) as caught:
        stroke_model.predict([dict(PATIENT, age=[67], gender=None, bmi=math.inf)])
    assert {e["field"]: e["message"] for e in caught.value.errors} == {
        "gender": "is required, got null",
        "age": "expected a number, got a Python list",
        "bmi": "expected a finite number"}


def test_x_that_is_not_records(stroke_model):
    for x, match in ((PATIENT, "one dict"), (np.zeros((2, 10)), "predict_features"), ("text", "DataFrame"),
                     ([PATIENT, 3], r"X\[1\] is a int"), ([{1: 2}], "field names must be str")):
        with pytest.raises(TypeError, match=match):
            stroke_model.predict(x)
    frame = pd.DataFrame([[1, 2]], columns=["age", "age"])
    with pytest.raises(TypeError, match="twice"):
        stroke_model.predict(frame)
    with pytest.raises(ValueError, match="errors must be"):
        stroke_model.predict([PATIENT], errors="ignore")


def test_prepared_features_are_checked(model):
    features = model.prepare(random_records(model, 3, seed=4))
    bad = features.copy()
    bad[1, 0] = np.inf
    with pytest.raises(stroke.InvalidInput) as caught:
        model.predict_features(bad)
    assert caught.value.errors[0]["row"] == 1 and caught.value.errors[0]["field"] == model.feature_names[0]
    assert caught.value.errors[0]["type"] == "feature_not_finite"
    assert caught.value.errors[0]["message"] in ("not a finite float32", "not a finite number")
    assert f"row 1: {model.feature_names[0]}: not a finite" in str(caught.value)  # the feature named once
    result, errors = model.predict_features(bad, output="raw_margin", errors="return")
    assert np.isnan(result[1]).all() and len(errors) == 1
    np.testing.assert_array_equal(result[[0, 2]], model.predict_features(features[[0, 2]], output="raw_margin"))


def test_missing_category_and_unknown_codes_name_the_field(tmp_path):
    """A field whose encoder learned NaN as a category takes None (null) as it;
    an unseen numeric code (known_codes) names the field, the value and the codes."""
    import json
    from conftest import TEST_DATA_DIR
    with open(f"{TEST_DATA_DIR}/tiny.bundle.json") as f:
        bundle = json.load(f)
    del bundle["inputs"][3]["impute"]  # color: null passes on as NaN...
    bundle["features"][2]["expr"] = ["missing", ["ordinal", "color"]]  # ...and is its own column
    bundle["inputs"].append({"name": "cp", "type": "integer", "known_codes": [1, 2, 3, 4]})
    path = tmp_path / "tiny.bundle.json"
    path.write_text(json.dumps(bundle))
    model = stroke.Model.load(str(path))
    record = {"x": 50, "n": 1, "flag": True, "color": None, "cp": 2}
    assert model.predict_proba([record]).shape == (1, 2)
    _, errors = model.predict([record, dict(record, cp=7)], errors="return")
    assert [(e["row"], e["field"], e["type"], e["message"]) for e in errors] == [
        (1, "cp", "category", "expected one of 1, 2, 3, 4, got 7")]
