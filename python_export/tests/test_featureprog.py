"""The Python feature-program evaluator: the lung model's derived features,
input checks, and spec validation (the C++ twin is tested in tests/)."""
import json
import os

import pytest

from stroke_export.featureprog import FeatureProgram, RecordError, SpecError, check_record, value_from_text
from stroke_export.train import load_spec

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
LUNG = load_spec("lung_cancer")
STROKE = load_spec("stroke")
LUNG_ANSWERS = [f["name"] for f in LUNG["inputs"] if f["name"] != "AGE"]


def lung_features(age, answer):
    program = FeatureProgram(LUNG["inputs"], LUNG["features"])
    record = {"AGE": age, **{name: answer for name in LUNG_ANSWERS}}
    return dict(zip(program.names, program.features_of(record)))


@pytest.mark.parametrize("age,group", [(0, 0), (25, 0), (50, 0), (55, 1), (60, 1), (65, 2),
                                       (70, 2), (75, 3), (120, 3)])
def test_age_group_edges(age, group):
    assert lung_features(age, 0)["AGE_GROUP"] == group


DERIVED_ALL_ZEROS = {name: 0.0 for name in [
    "SMOKING_x_AGE", "SMOKING_x_ALCOHOL", "RESPIRATORY_SYMPTOMS", "TOTAL_SYMPTOMS",
    "BEHAVIORAL_RISK_SCORE", "SEVERE_SYMPTOMS", "AGE_GROUP", "HIGH_RISK_PROFILE", "AGE_SQUARED",
    "CANCER_TRIAD", "SMOKER_WITH_RESP_SYMPTOMS", "ADVANCED_SYMPTOMS", "SYMPTOMS_PER_AGE",
    "RESP_SYMPTOM_RATIO"]}
DERIVED_ALL_ONES = {
    "SMOKING_x_AGE": 120.0, "SMOKING_x_ALCOHOL": 1.0, "RESPIRATORY_SYMPTOMS": 3.0,
    "TOTAL_SYMPTOMS": 9.0, "BEHAVIORAL_RISK_SCORE": 3.0, "SEVERE_SYMPTOMS": 3.0, "AGE_GROUP": 3.0,
    "HIGH_RISK_PROFILE": 1.0, "AGE_SQUARED": 14400.0, "CANCER_TRIAD": 1.0,
    "SMOKER_WITH_RESP_SYMPTOMS": 1.0, "ADVANCED_SYMPTOMS": 1.0, "SYMPTOMS_PER_AGE": 9 / 121,
    "RESP_SYMPTOM_RATIO": 3 / 10}


@pytest.mark.parametrize("name", sorted(DERIVED_ALL_ZEROS))
def test_lung_derived_all_zeros(name):
    assert lung_features(0, 0)[name] == DERIVED_ALL_ZEROS[name]


@pytest.mark.parametrize("name", sorted(DERIVED_ALL_ONES))
def test_lung_derived_all_ones(name):
    assert lung_features(120, 1)[name] == DERIVED_ALL_ONES[name]


def test_lung_has_14_inputs_and_28_features():
    assert len(LUNG["inputs"]) == 14
    assert len(LUNG["features"]) == 28


def test_high_risk_profile_needs_age_above_60():
    assert lung_features(60, 1)["HIGH_RISK_PROFILE"] == 0.0
    assert lung_features(61, 1)["HIGH_RISK_PROFILE"] == 1.0


def test_stroke_one_hot_and_imputation():
    inputs = [dict(f, impute=28.1) if f["name"] == "bmi" else f for f in STROKE["inputs"]]
    program = FeatureProgram(inputs, STROKE["features"])
    record = {"gender": "Other", "age": 0.08, "hypertension": True, "heart_disease": 0,
              "ever_married": "No", "work_type": "children", "Residence_type": "Rural",
              "avg_glucose_level": 80.0, "bmi": None, "smoking_status": "Unknown"}
    features = dict(zip(program.names, program.features_of(record)))
    assert features["bmi"] == 28.1
    assert features["gender_Other"] == 1.0 and features["gender_Male"] == 0.0
    assert features["hypertension"] == 1.0


def test_check_record_reports_every_problem():
    inputs = STROKE["inputs"]
    with pytest.raises(RecordError) as error:
        check_record(inputs, {"gender": "male", "age": 200, "hypertension": 2, "zip": 1})
    fields = [field for field, _ in error.value.errors]
    assert fields[:3] == ["gender", "age", "hypertension"]
    assert "zip" in fields and "smoking_status" in fields


def test_values_outside_training_range_warn():
    field = {"name": "age", "type": "number", "limits": {"min": 0, "max": 130},
             "training_range": {"min": 0.08, "max": 82}}
    codes, warnings = check_record([field], {"age": 0})
    assert codes == [0.0] and warnings[0][0] == "age"


def test_value_from_text_matches_the_csv_rules():
    bmi = {"name": "bmi", "type": "number", "null_tokens": ["N/A"]}
    assert value_from_text(bmi, "N/A") is None
    assert value_from_text(bmi, "") is None
    assert value_from_text(bmi, "36.6") == 36.6
    assert value_from_text({"name": "b", "type": "boolean"}, "TRUE") is True
    assert value_from_text({"name": "b", "type": "boolean"}, "0") is False


@pytest.mark.parametrize("expr,message", [
    (["pow", 1, 2], "unknown op"),
    (["input", "nope"], "unknown input field"),
    (["not", 1, 2], "takes 1 arguments"),
    (["bucket", ["input", "AGE"], [60, 50]], "ascending edges"),
    (["feature", "LATER"], "not a feature defined before"),
])
def test_spec_errors_name_the_problem(expr, message):
    with pytest.raises(SpecError, match=message):
        FeatureProgram(LUNG["inputs"], [{"name": "f", "expr": expr}])


@pytest.mark.parametrize("model", ["stroke", "lung_cancer", "heart_disease", "loan_amount"])
def test_shipped_bundle_carries_the_spec_program(model):
    with open(os.path.join(ROOT, "models", f"{model}.bundle.json"), encoding="utf-8") as f:
        bundle = json.load(f)
    assert bundle["features"] == load_spec(model)["features"]
    assert [f["name"] for f in bundle["inputs"]] == [f["name"] for f in load_spec(model)["inputs"]]


NULLABLE = [{"name": "x", "type": "number", "nullable": True},
            {"name": "c", "type": "category", "categories": ["a", "b"], "nullable": True},
            {"name": "cp", "type": "integer", "known_codes": [1.0, 2.0, 3.0, 4.0]}]


@pytest.mark.parametrize("expr,record,value", [
    (["missing", ["input", "x"]], {"x": None}, 1.0),
    (["missing", ["input", "x"]], {"x": 2.5}, 0.0),
    (["missing", ["ordinal", "c"]], {"c": None}, 1.0),
    (["onehot", "c", "a"], {"c": None}, 0.0),
    (["coalesce", ["ordinal", "c"], -1], {"c": None}, -1.0),
    (["coalesce", ["ordinal", "c"], -1], {"c": "b"}, 1.0),
    (["coalesce", ["input", "x"], ["input", "x"], 4], {"x": None}, 4.0),
])
def test_missing_and_coalesce_as_the_cpp_twin(expr, record, value):
    """The ops that read a missing value learned as a category (features_test.cc)."""
    program = FeatureProgram(NULLABLE, [{"name": "f", "expr": expr}])
    full = {"x": 1.0, "c": "a", "cp": 1, **record}
    assert program.features_of(full) == [value]


def test_known_codes_refuse_another_number_naming_the_field_and_codes():
    with pytest.raises(RecordError) as refused:
        check_record(NULLABLE, {"x": 1.0, "c": "a", "cp": 7})
    assert refused.value.errors == [("cp", "expected one of 1, 2, 3, 4, got 7")]
