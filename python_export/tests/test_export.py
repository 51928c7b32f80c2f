"""export.py: pickled pipelines with each supported step, bare estimators with
a spec, XGBoost JSON models - exported, then served end to end through
stroke-predict and compared with the original object; and refused pipelines
with their messages."""
import io
import json
import os

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (GradientBoostingClassifier, HistGradientBoostingClassifier,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (FunctionTransformer, MaxAbsScaler, MinMaxScaler, OneHotEncoder,
                                   OrdinalEncoder, PolynomialFeatures, RobustScaler, StandardScaler)

from stroke_export import datagen, export, locations
from stroke_export import train as train_module
from stroke_export.errors import UnsupportedModel
from stroke_export.train import load_spec

from .serving import mismatches, predict, stroke_predict_path

STROKE_PREDICT = stroke_predict_path()
needs_cli = pytest.mark.skipif(STROKE_PREDICT is None, reason="set STROKE_PREDICT to stroke-predict")
NUMERIC = ["age", "avg_glucose_level", "bmi"]
CATEGORICAL = ["gender", "ever_married", "work_type", "Residence_type", "smoking_status"]


@pytest.fixture(scope="module")
def stroke_frame():
    df = pd.read_csv(io.StringIO(datagen.synthetic_csv("stroke", 9)))
    return df.drop(columns=["id", "stroke"]), df["stroke"]


def _records(frame):
    return [{k: (None if isinstance(v, float) and np.isnan(v) else
                 (v.item() if hasattr(v, "item") else v)) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def _export_and_serve(tmp_path, pipeline, X, extra_args=()):
    model_path = os.path.join(tmp_path, "model.joblib")
    joblib.dump(pipeline, model_path)
    bundle_path = os.path.join(tmp_path, "model.bundle.json")
    export.main([model_path, "--out", bundle_path, *extra_args])
    with open(bundle_path, encoding="utf-8") as f:
        bundle = json.load(f)
    rows = X.iloc[:400]
    inputs = {f["name"] for f in bundle["inputs"]}  # columns the pipeline drops are not inputs
    answers = predict(STROKE_PREDICT, bundle_path,
                      [{k: v for k, v in r.items() if k in inputs} for r in _records(rows)])
    return bundle, rows, answers


PIPELINES = {
    "impute_scale_onehot_passthrough": lambda: ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), NUMERIC),
        ("cat", OneHotEncoder(), CATEGORICAL),
        ("bin", "passthrough", ["hypertension", "heart_disease"])]),
    "onehot_drop_first_minmax": lambda: ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="mean")), ("mm", MinMaxScaler())]), NUMERIC),
        ("cat", OneHotEncoder(drop="first"), CATEGORICAL)], remainder="passthrough"),
    "ordinal_robust_maxabs": lambda: ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="constant", fill_value=25.0)),
                          ("rb", RobustScaler()), ("ma", MaxAbsScaler())]), NUMERIC),
        ("cat", OrdinalEncoder(), CATEGORICAL),
        ("ignored", "drop", ["hypertension"])], remainder="passthrough"),
    "categorical_imputer": lambda: ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), NUMERIC),
        ("cat", Pipeline([("imp", SimpleImputer(strategy="most_frequent")),
                          ("ohe", OneHotEncoder())]), CATEGORICAL)], remainder="drop"),
}


@needs_cli
@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_served_like_the_original(name, stroke_frame, tmp_path):
    X, y = stroke_frame
    pipeline = Pipeline([("prep", PIPELINES[name]()),
                         ("model", GradientBoostingClassifier(n_estimators=25, random_state=0))]).fit(X, y)
    bundle, rows, answers = _export_and_serve(tmp_path, pipeline, X, ["--data", _csv(tmp_path, X)])
    expected = [{"probability": float(p), "prediction": int(p > 0.5)}
                for p in pipeline.predict_proba(rows)[:, 1]]
    worst, bad = mismatches("binary_classification", answers, expected)
    assert not bad, bad[:3]
    assert any(r["bmi"] is None for r in _records(rows)), "rows with a missing bmi are served too"


@needs_cli
def test_scaler_after_column_transformer_and_forest_regressor(stroke_frame, tmp_path):
    X, _ = stroke_frame
    target = X["avg_glucose_level"] * 0.3 + X["age"]
    pipeline = Pipeline([("prep", PIPELINES["categorical_imputer"]()), ("scale", StandardScaler()),
                         ("model", RandomForestRegressor(n_estimators=10, max_depth=6, random_state=0))])
    pipeline.fit(X, target)
    bundle, rows, answers = _export_and_serve(tmp_path, pipeline, X)
    expected = [{"value": float(v)} for v in pipeline.predict(rows)]
    assert bundle["ensemble"]["task"] == "regression"
    worst, bad = mismatches("regression", answers, expected)
    assert not bad, bad[:3]


@needs_cli
def test_hist_gradient_boosting_pipeline_takes_missing_values(stroke_frame, tmp_path):
    X, y = stroke_frame
    pipeline = Pipeline([("prep", ColumnTransformer([("num", "passthrough", NUMERIC),
                                                     ("cat", OrdinalEncoder(), CATEGORICAL)])),
                         ("model", HistGradientBoostingClassifier(max_iter=20, random_state=0,
                                                                  categorical_features=[3, 4, 5, 6, 7]))])
    pipeline.fit(X, y)
    bundle, rows, answers = _export_and_serve(tmp_path, pipeline, X)
    bmi = next(f for f in bundle["inputs"] if f["name"] == "bmi")
    assert bmi.get("nullable") and "impute" not in bmi  # NaN reaches the trees
    expected = [{"probability": float(p), "prediction": int(p > 0.5)}
                for p in pipeline.predict_proba(rows)[:, 1]]
    worst, bad = mismatches("binary_classification", answers, expected)
    assert not bad, bad[:3]


def _csv(tmp_path, X):
    path = os.path.join(tmp_path, "records.csv")
    X.head(8).to_csv(path, index=False)
    return path


REFUSED = {
    "function_transformer": (lambda: ColumnTransformer([("f", FunctionTransformer(np.log1p), NUMERIC)]),
                             "part 'f' step 0 (FunctionTransformer): not supported"),
    "infrequent_if_exist": (lambda: ColumnTransformer([("c", OneHotEncoder(
        handle_unknown="infrequent_if_exist", min_frequency=5), CATEGORICAL)]),
        "OneHotEncoder(handle_unknown='infrequent_if_exist')"),
    "add_indicator": (lambda: ColumnTransformer([("n", SimpleImputer(add_indicator=True), NUMERIC)]),
                      "add_indicator=True"),
    "polynomial_step": (lambda: PolynomialFeatures(), "Pipeline step 0 (PolynomialFeatures): not supported"),
    "none_and_nan_categories": (lambda: ColumnTransformer([("c", OneHotEncoder(), ["gender"])]),
                                "both None and NaN were learned as categories"),
    "ordinal_unknown_value_numeric": (lambda: ColumnTransformer([("c", OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1), ["hypertension"])]),
        "OrdinalEncoder(handle_unknown='use_encoded_value') on numeric categories"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_pipelines_name_the_step(name, stroke_frame, tmp_path):
    X, y = stroke_frame
    make, message = REFUSED[name]
    frame = X[NUMERIC].fillna(0) if name == "polynomial_step" else X.fillna({"bmi": 0.0})
    if name == "none_and_nan_categories":  # a null could not say which (one of them alone is exported)
        gender = frame["gender"].astype(object).copy()
        gender.iloc[:3], gender.iloc[3:6] = None, np.nan
        frame = frame.assign(gender=gender)
    pipeline = Pipeline([("prep", make()),
                         ("model", GradientBoostingClassifier(n_estimators=3))]).fit(frame, y)
    path = os.path.join(tmp_path, "model.joblib")
    joblib.dump(pipeline, path)
    with pytest.raises(UnsupportedModel, match=message.replace("(", r"\(").replace(")", r"\)")):
        export.export(path)


def test_unsupported_estimator_is_refused(stroke_frame, tmp_path):
    X, y = stroke_frame
    pipeline = Pipeline([("prep", ColumnTransformer([("n", SimpleImputer(), NUMERIC)])),
                         ("model", LogisticRegression())]).fit(X, y)
    path = os.path.join(tmp_path, "model.joblib")
    joblib.dump(pipeline, path)
    with pytest.raises(UnsupportedModel, match="LogisticRegression is not a supported model"):
        export.export(path)


@needs_cli
def test_bare_estimator_with_spec(tmp_path):
    spec = load_spec("lung_cancer")
    _, _, model, records, X, y = train_module.train(spec, datagen.synthetic_csv("lung_cancer", 4), "t", True)
    forest = RandomForestClassifier(n_estimators=12, random_state=0).fit(X, y)
    path = os.path.join(tmp_path, "forest.pkl")
    joblib.dump(forest, path)
    bundle_path = os.path.join(tmp_path, "forest.bundle.json")
    spec_path = os.path.join(locations.SPECS, "lung_cancer.json")
    export.main([path, "--spec", spec_path, "--out", bundle_path])
    served = [train_module.json_record(spec["inputs"], r) for r in records]
    answers = predict(STROKE_PREDICT, bundle_path, served)
    expected = [{"probability": float(p), "prediction": int(p > 0.5)} for p in forest.predict_proba(X)[:, 1]]
    worst, bad = mismatches("binary_classification", answers, expected)
    assert not bad, bad[:3]


@needs_cli
def test_xgboost_json_model_with_spec(tmp_path):
    xgboost = pytest.importorskip("xgboost")
    spec = load_spec("lung_cancer")
    _, _, _, records, X, y = train_module.train(spec, datagen.synthetic_csv("lung_cancer", 4), "t", True)
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=3).fit(X, y)
    path = os.path.join(tmp_path, "xgb.json")
    model.save_model(path)
    bundle_path = os.path.join(tmp_path, "xgb.bundle.json")
    spec_path = os.path.join(locations.SPECS, "lung_cancer.json")
    export.main([path, "--spec", spec_path, "--out", bundle_path])
    answers = predict(STROKE_PREDICT, bundle_path,
                      [train_module.json_record(spec["inputs"], r) for r in records])
    expected = [{"probability": float(p), "prediction": int(p > 0.5)} for p in model.predict_proba(X)[:, 1]]
    worst, bad = mismatches("binary_classification", answers, expected)
    assert not bad, bad[:3]
