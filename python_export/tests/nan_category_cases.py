"""Issue 12's configurations for a missing value learned as a category (a
column holding None/NaN fed to an encoder without an imputer), registered in
test_export_faults.CASES: each exported, verified, and served through
stroke-predict on every row plus a row of nulls and an unknown category -
EXACT against the pipeline's own predict_proba, or refused naming the step
and the setting.

A client sends JSON null (or an empty CSV cell) for such a field and gets
scikit-learn 1.2's answer for NaN (or None, where the encoder learned None)."""
import json
import os

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (GradientBoostingClassifier, HistGradientBoostingClassifier,
                              RandomForestClassifier)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from .export_serving import export_and_serve, predict_allowing_errors

ROWS = 400


def nan_frame(seed=3, n=ROWS, text_missing=np.nan):
    """age; text columns with missing values (NaN, or `text_missing`); a
    numeric code column (Cleveland's cp) holding NaN."""
    rng = np.random.RandomState(seed)
    color = rng.choice(np.array(["red", "green", "blue"], dtype=object), n)
    holes = np.flatnonzero(rng.rand(n) < 0.15)
    if text_missing == "mixed":  # None and NaN both
        color[holes[::2]], color[holes[1::2]] = None, np.nan
    else:
        color[holes] = text_missing
    shade = rng.choice(np.array(["light", "dark"], dtype=object), n)
    shade[rng.rand(n) < 0.1] = np.nan
    cp = rng.choice([1.0, 2.0, 3.0, 4.0], n)
    cp[rng.rand(n) < 0.12] = np.nan
    df = pd.DataFrame({"age": np.round(rng.uniform(20, 80, n), 1), "color": color, "shade": shade, "cp": cp})
    score = (0.04 * (df.age - 50) + 0.9 * df.color.isna() + 0.5 * (df.color == "red") + 0.6 * (df.cp == 4)
             - 0.8 * df.cp.isna() + 0.4 * (df.shade == "dark") + rng.normal(0, 0.6, n))
    return df, (score > 0.3).astype(int).to_numpy()


def _ct(encoder, columns=("color", "shade", "cp")):
    return ColumnTransformer([("num", "passthrough", ["age"]), ("cat", encoder, list(columns))])


def _with_extra_rows(df, unknown):
    """`df` and a row with every field but age null; with `unknown`, a row
    with an unknown text category too (an encoder that ignores unknowns)."""
    extra = pd.DataFrame({"age": [55.0, 61.5], "color": [np.nan, "purple"], "shade": [np.nan, "dark"],
                          "cp": [np.nan, 2.0]}).astype({"color": object, "shade": object})
    return pd.concat([df, extra[:2 if unknown else 1][df.columns]], ignore_index=True)


def served_case(encoder, estimator, *, text_missing=np.nan, unknown_rows=True, columns=("color", "shade", "cp")):
    """A case function(tmp_path) for test_export_faults: fit, export (which
    verifies), then serve every row (and, where the encoder answers them,
    null and unknown rows) through stroke-predict: the largest difference."""
    def run(tmp_path):
        df, y = nan_frame(text_missing=text_missing)
        X = df[["age", *columns]]
        model = Pipeline([("prep", _ct(encoder(), columns)), ("model", estimator())]).fit(X, y)
        served = _with_extra_rows(X, unknown_rows)
        if text_missing is None:  # the encoder learned None: a client's null is None
            served["color"] = pd.Series([None if pd.isna(v) else v for v in served.color], dtype=object)
        return export_and_serve(tmp_path, model, served, "binary_classification")
    return run


def _gb():
    return GradientBoostingClassifier(n_estimators=15, random_state=0)


def _hgb():
    return HistGradientBoostingClassifier(max_iter=10, random_state=0)


def bundle_field(tmp_path, name):
    with open(os.path.join(tmp_path, "model.bundle.json"), encoding="utf-8") as f:
        return next(i for i in json.load(f)["inputs"] if i["name"] == name)


def onehot_nan_null_is_the_category(tmp_path):
    """The bundle's representation: nullable without impute, a `missing`
    feature; a null answers as NaN does, in JSON and as an empty CSV cell."""
    worst = served_case(lambda: OneHotEncoder(handle_unknown="ignore"), _gb)(tmp_path)
    field = bundle_field(tmp_path, "color")
    assert field["nullable"] and "impute" not in field and field["null_category"] == "nan"
    model = joblib.load(os.path.join(tmp_path, "model.joblib"))
    record = {"age": 50.0, "color": None, "shade": "dark", "cp": None}
    answer = predict_allowing_errors(os.path.join(tmp_path, "model.bundle.json"), [record])[0]
    frame = pd.DataFrame([{**record, "color": np.nan, "cp": np.nan}]).astype({"color": object})
    assert answer["probability"] == model.predict_proba(frame)[0, 1]
    return worst


def onehot_numeric_unknown_names_the_field(tmp_path):
    """handle_unknown='error' on numeric codes: an unseen code is refused
    naming the input field, the value and the known codes (not a derived feature)."""
    worst = served_case(lambda: OneHotEncoder(), _gb, unknown_rows=False)(tmp_path)
    assert bundle_field(tmp_path, "cp")["known_codes"] == [1.0, 2.0, 3.0, 4.0]
    record = {"age": 50.0, "color": "red", "shade": "dark", "cp": 7}
    error = predict_allowing_errors(os.path.join(tmp_path, "model.bundle.json"), [record])[0]["errors"][0]
    assert error["field"] == "cp" and "expected one of 1, 2, 3, 4, got 7" in error["message"], error
    return worst


CASES = {
    "nan_category_onehot_error": (served_case(lambda: OneHotEncoder(), _gb, unknown_rows=False), "exact"),
    "nan_category_onehot_error_unknown_code_names_cp": (onehot_numeric_unknown_names_the_field, "exact"),
    "nan_category_onehot_ignore": (onehot_nan_null_is_the_category, "exact"),
    "nan_category_onehot_error_drop_first": (
        served_case(lambda: OneHotEncoder(drop="first"), _gb, unknown_rows=False), "exact"),
    "nan_category_onehot_ignore_drop_first": (
        served_case(lambda: OneHotEncoder(handle_unknown="ignore", drop="first"),
                    lambda: RandomForestClassifier(n_estimators=5, random_state=0)), "exact"),
    "nan_category_onehot_none_in_text": (
        served_case(lambda: OneHotEncoder(handle_unknown="ignore"), _gb, text_missing=None), "exact"),
    "nan_category_ordinal_nan_hgb": (
        served_case(lambda: OrdinalEncoder(), _hgb, unknown_rows=False), "exact"),
    "nan_category_ordinal_encoded_missing_gb": (
        served_case(lambda: OrdinalEncoder(encoded_missing_value=-1), _gb, unknown_rows=False), "exact"),
    "nan_category_ordinal_use_encoded_value": (
        served_case(lambda: OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-2,
                                           encoded_missing_value=-1), _gb, columns=("color", "shade")), "exact"),
    "nan_category_ordinal_none_in_text": (
        served_case(lambda: OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), _gb,
                    text_missing=None, columns=("color",)), "exact"),
    "nan_category_ordinal_unknown_nan_missing_number": (
        served_case(lambda: OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                           encoded_missing_value=-1), _hgb, columns=("color",)),
        r"unknown_value=nan.*encoded as -1"),
    "nan_category_none_and_nan_together": (
        served_case(lambda: OneHotEncoder(), _gb, text_missing="mixed", unknown_rows=False),
        r"both None and NaN"),
}
