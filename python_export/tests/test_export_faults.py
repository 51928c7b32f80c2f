"""Issue 12's configurations, each on synthetic data: exported through
export.py (which verifies against libstroke), then served through
stroke-predict on every row and compared with the library's own predict -
EXACT (within verify.py's tolerance), or refused with a message naming the
step and the setting. No traceback: every refusal is an UnsupportedModel."""
import json
import os

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, RandomForestClassifier)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from stroke_export import datagen, export, locations, train, verify
from stroke_export.errors import UnsupportedModel

from .export_serving import STROKE_PREDICT, export_and_serve, predict_allowing_errors
from .nan_category_cases import CASES as NAN_CATEGORY_CASES
pytestmark = pytest.mark.skipif(STROKE_PREDICT is None, reason="set STROKE_PREDICT to stroke-predict")
ROWS = 500
RESULTS = {}  # name -> max |difference| or the refusal (printed by the last test)


def frame(seed=0, n=ROWS):
    """Numbers (one with NaN), text categories, numeric codes like Cleveland's
    cp/thal, and a pandas bool column."""
    rng = np.random.RandomState(seed)
    df = pd.DataFrame({
        "age": np.round(rng.uniform(20, 80, n), 1),
        "bmi": np.where(rng.rand(n) < 0.1, np.nan, np.round(rng.normal(28, 5, n), 1)),
        "color": rng.choice(["red", "green", "blue"], n),
        "cp": rng.choice([1, 2, 3, 4], n),
        "thal": rng.choice([3, 6, 7], n),
        "smoker": rng.rand(n) < 0.3,
    })
    score = (0.04 * (df.age - 50) + 0.05 * (df.bmi.fillna(28) - 28) + 0.6 * (df.cp == 4)
             + 0.5 * (df.color == "red") + 0.7 * df.smoker + 0.4 * (df.thal == 7) + rng.normal(0, 0.7, n))
    return df, score.to_numpy()


def binary(score):
    return (score > 0.3).astype(int)


def numeric_part(df):
    return df[["age", "bmi"]].fillna(0.0)


def xgb():
    return pytest.importorskip("xgboost")


def _identity_spec(n, nullable=True, labels=None):
    inputs = [dict({"name": f"x{j}", "type": "number"}, **({"nullable": True} if nullable else {}))
              for j in range(n)]
    return {"name": "t", "inputs": inputs, "labels": labels or [],
            "features": [{"name": f"x{j}", "expr": ["input", f"x{j}"]} for j in range(n)]}


def _matrix(seed=1, n=ROWS, nan=True):
    rng = np.random.RandomState(seed)
    X = np.round(rng.normal(size=(n, 4)), 3)
    if nan:
        X[rng.rand(n) < 0.1, 0] = np.nan
    score = np.nan_to_num(X[:, 0]) + X[:, 1] - 0.5 * X[:, 2] + 0.3 * rng.normal(size=n)
    return X, score


# ------------------------------------------------------------- the table
# name -> function(tmp_path) returning the max difference; refusals raise.


def gb_init_estimator(tmp_path):
    df, s = frame()
    X = numeric_part(df)
    model = Pipeline([("imp", SimpleImputer()),
                      ("gb", GradientBoostingClassifier(init=LogisticRegression(), n_estimators=10))])
    return export_and_serve(tmp_path, model.fit(X, binary(s)), X, "binary_classification")


def gb_init_zero(tmp_path):
    df, s = frame()
    X = numeric_part(df)
    model = Pipeline([("imp", SimpleImputer()),
                      ("gb", GradientBoostingClassifier(init="zero", n_estimators=10))])
    return export_and_serve(tmp_path, model.fit(X, binary(s)), X, "binary_classification")


def gb_init_dummy(tmp_path):
    df, s = frame()
    X = numeric_part(df)
    model = Pipeline([("imp", SimpleImputer()),
                      ("gb", GradientBoostingRegressor(init=DummyRegressor(strategy="median"),
                                                       n_estimators=10))])
    return export_and_serve(tmp_path, model.fit(X, s), X, "regression")


def gb_init_dummy_stratified(tmp_path):
    df, s = frame()
    X = numeric_part(df)
    model = Pipeline([("imp", SimpleImputer()),
                      ("gb", GradientBoostingClassifier(init=DummyClassifier(strategy="stratified"),
                                                        n_estimators=10))])
    return export_and_serve(tmp_path, model.fit(X, binary(s)), X, "binary_classification")


def _gb_loss(loss, regression):
    def run(tmp_path):
        df, s = frame()
        X = numeric_part(df)
        est = (GradientBoostingRegressor(loss=loss, n_estimators=15) if regression
               else GradientBoostingClassifier(loss=loss, n_estimators=15))
        model = Pipeline([("sc", StandardScaler()), ("gb", est)])
        y = 10 * s if regression else binary(s)
        return export_and_serve(tmp_path, model.fit(X, y), X, "regression" if regression else "binary_classification")
    return run


def xgb_early_stopping(tmp_path):
    X, s = _matrix()
    model = xgb().XGBClassifier(n_estimators=60, max_depth=3, early_stopping_rounds=3, eval_metric="logloss")
    model.fit(X[:350], binary(s[:350]), eval_set=[(X[350:], binary(s[350:]))], verbose=False)
    assert model.best_iteration + 1 < len(model.get_booster().get_dump())
    return export_and_serve(tmp_path, model, X, "binary_classification", spec=_identity_spec(4, labels=["0", "1"]))


def xgb_missing_value(tmp_path):
    X, s = _matrix()
    X = np.where(np.isnan(X), -999.0, X)
    X[:5, 1] = np.float32(-999.0)
    model = xgb().XGBClassifier(n_estimators=20, max_depth=3, missing=-999.0).fit(X, binary(s))
    return export_and_serve(tmp_path, model, X, "binary_classification", spec=_identity_spec(4, labels=["0", "1"]))


def xgb_base_score(tmp_path):
    X, s = _matrix()
    model = xgb().XGBClassifier(n_estimators=5, max_depth=2, base_score=0.19246914982795715)
    return export_and_serve(tmp_path, model.fit(X, binary(s)), X, "binary_classification",
                   spec=_identity_spec(4, labels=["0", "1"]))


def xgb_multi_softmax_json(tmp_path):
    X, s = _matrix()
    model = xgb().XGBClassifier(n_estimators=10, max_depth=3, objective="multi:softmax")
    model.fit(X, np.digitize(s, [-1, 0, 1]))
    path = os.path.join(tmp_path, "model.json")
    model.save_model(path)
    return export_and_serve(tmp_path, model, X, "multiclass_classification", saved=path,
                   spec=_identity_spec(4, labels=["0", "1", "2", "3"]))


def _xgb_dataframe(extension):
    def run(tmp_path):
        X, s = _matrix()
        df = pd.DataFrame(X, columns=["x0", "x1", "x2", "x3"])
        model = xgb().XGBClassifier(n_estimators=10, max_depth=3).fit(df, binary(s))
        path = os.path.join(tmp_path, "model." + extension)
        model.save_model(path)
        return export_and_serve(tmp_path, model, X, "binary_classification", saved=path,
                       spec=_identity_spec(4, labels=["0", "1"]))
    return run


def _ct(*parts, remainder="drop"):
    return ColumnTransformer(list(parts), remainder=remainder)


def _pipeline_case(prep, estimator=None, task="binary_classification", columns=None):
    def run(tmp_path):
        df, s = frame()
        X = df[columns] if columns else df
        model = Pipeline([("prep", prep()), ("model", estimator() if estimator else
                                             GradientBoostingClassifier(n_estimators=10, random_state=0))])
        y = binary(s) if task == "binary_classification" else s
        return export_and_serve(tmp_path, model.fit(X, y), X, task)
    return run


def onehot_ignore(tmp_path):
    return _pipeline_case(lambda: _ct(("num", SimpleImputer(), ["age", "bmi"]),
                                      ("cat", OneHotEncoder(handle_unknown="ignore"), ["color"])))(tmp_path)


def onehot_ignore_unknown(tmp_path):
    """An unknown category: scikit-learn's all-zero columns, a warning naming
    the field and the value; --refuse-unknown-categories refuses it."""
    onehot_ignore(tmp_path)
    df, s = frame()
    model = joblib.load(os.path.join(tmp_path, "model.joblib"))
    record = {"age": 50.0, "bmi": 28.0, "color": "purple"}
    bundle_path = os.path.join(tmp_path, "model.bundle.json")
    answer = predict_allowing_errors(bundle_path, [record])[0]
    expected = model.predict_proba(pd.DataFrame([record]))[0, 1]
    assert answer["probability"] == expected
    assert answer["warnings"][0]["field"] == "color" and "purple" in answer["warnings"][0]["message"]
    refused = predict_allowing_errors(bundle_path, [record], "--refuse-unknown-categories")[0]
    assert refused["errors"][0]["field"] == "color"
    return 0.0


def onehot_numeric_codes(tmp_path):
    return _pipeline_case(lambda: _ct(("num", SimpleImputer(), ["age", "bmi"]),
                                      ("cat", OneHotEncoder(), ["cp", "thal"])))(tmp_path)


def onehot_numeric_codes_unknown_refused(tmp_path):
    onehot_numeric_codes(tmp_path)
    records = [{"age": 50.0, "bmi": 28.0, "color": "red", "cp": 5, "thal": 3, "smoker": False}]
    answer = predict_allowing_errors(os.path.join(tmp_path, "model.bundle.json"), records)[0]
    assert "errors" in answer and "cp" in json.dumps(answer["errors"])
    return 0.0


def onehot_numeric_codes_ignore_unknown_warns(tmp_path):
    """OneHotEncoder(handle_unknown="ignore") on numeric codes: an unseen code
    gets scikit-learn's all-zero columns and a warning naming the field and the
    value; --refuse-unknown-categories refuses it."""
    worst = _pipeline_case(lambda: _ct(("num", SimpleImputer(), ["age", "bmi"]),
                                       ("cat", OneHotEncoder(handle_unknown="ignore"), ["cp", "thal"])))(tmp_path)
    model = joblib.load(os.path.join(tmp_path, "model.joblib"))
    record = {"age": 50.0, "bmi": 28.0, "color": "red", "cp": 7, "thal": 3, "smoker": False}
    bundle_path = os.path.join(tmp_path, "model.bundle.json")
    answer = predict_allowing_errors(bundle_path, [record])[0]
    assert answer["probability"] == model.predict_proba(pd.DataFrame([record]))[0, 1]
    assert [w["field"] for w in answer["warnings"]] == ["cp"] and "7" in answer["warnings"][0]["message"]
    assert answer["warnings"][0]["type"] == "unknown_category"
    refused = predict_allowing_errors(bundle_path, [record], "--refuse-unknown-categories")[0]
    assert refused["errors"][0]["field"] == "cp"
    return worst


def ordinal_numeric_codes(tmp_path):
    return _pipeline_case(lambda: _ct(("num", "passthrough", ["age", "bmi"]),
                                      ("cat", OrdinalEncoder(), ["cp", "thal"])),
                          lambda: HistGradientBoostingClassifier(max_iter=10, categorical_features=[2, 3]))(tmp_path)


def ordinal_use_encoded_value(tmp_path):
    return _pipeline_case(lambda: _ct(("num", "passthrough", ["age", "bmi"]),
                                      ("cat", OrdinalEncoder(handle_unknown="use_encoded_value",
                                                             unknown_value=-1), ["color"])),
                          lambda: HistGradientBoostingClassifier(max_iter=10))(tmp_path)


def bool_column(tmp_path):
    return _pipeline_case(lambda: _ct(("num", SimpleImputer(), ["age", "bmi"]),
                                      ("b", OneHotEncoder(drop="if_binary"), ["smoker"])))(tmp_path)


def imputer_then_estimator(tmp_path):
    return _pipeline_case(lambda: SimpleImputer(strategy="median"), columns=["age", "bmi"])(tmp_path)


def constant_fill_not_a_category(tmp_path):
    return _pipeline_case(lambda: _ct(
        ("num", SimpleImputer(), ["age", "bmi"]),
        ("cat", Pipeline([("imp", SimpleImputer(strategy="constant", fill_value="missing")),
                          ("ohe", OneHotEncoder())]), ["color"])))(tmp_path)


def _search(kind):
    def run(tmp_path):
        df, s = frame()
        X = df[["age", "bmi", "color"]]
        pipe = Pipeline([("prep", _ct(("num", SimpleImputer(), ["age", "bmi"]),
                                      ("cat", OneHotEncoder(), ["color"]))),
                         ("model", RandomForestClassifier(n_estimators=5, random_state=0))])
        grid = {"model__max_depth": [2, 4]}
        search = (GridSearchCV(pipe, grid, cv=2) if kind == "grid"
                  else RandomizedSearchCV(pipe, grid, n_iter=2, cv=2, random_state=0))
        return export_and_serve(tmp_path, search.fit(X, binary(s)), X, "binary_classification")
    return run


def stroke_spec_median(tmp_path):
    spec = train.load_spec("stroke")
    _, _, model, records, X, y = train.train(spec, datagen.synthetic_csv("stroke", 5, rows=800), "t", True)
    path = os.path.join(tmp_path, "model.pkl")
    joblib.dump(model, path)
    spec_path = os.path.join(locations.SPECS, "stroke.json")
    with pytest.raises(UnsupportedModel, match=r"input 'bmi'.*--impute bmi=VALUE"):
        export.export(path, train.load_spec("stroke"))
    export.main([path, "--spec", spec_path, "--out", os.path.join(tmp_path, "b.json"), "--impute", "bmi=28.1"])
    return 0.0


def hgb_categorical_codes(tmp_path):
    """A number field feeding a categorical split: the codes scikit-learn reads
    (0..255) answered as it answers them; 2.5, -1, 256, 1e300 refused naming the field."""
    rng = np.random.RandomState(2)
    X = np.column_stack([rng.normal(size=ROWS), rng.randint(0, 6, ROWS).astype(float)])
    y = ((X[:, 0] + (X[:, 1] == 2) + (X[:, 1] == 5)) > 0.5).astype(int)
    model = HistGradientBoostingClassifier(max_iter=10, categorical_features=[1]).fit(X, y)
    spec = _identity_spec(2, nullable=False, labels=["0", "1"])
    codes = np.column_stack([np.zeros(256), np.arange(256.0)])
    worst = export_and_serve(tmp_path, model, np.vstack([X, codes]), "binary_classification", spec=spec)
    with open(os.path.join(tmp_path, "model.bundle.json"), encoding="utf-8") as f:
        field = json.load(f)["inputs"][1]
    assert field["type"] == "integer" and field["limits"] == {"min": 0, "max": 255}
    bad = [{"x0": 0.0, "x1": v} for v in (2.5, -1, 256, 1e300)]
    for answer in predict_allowing_errors(os.path.join(tmp_path, "model.bundle.json"), bad):
        assert answer["errors"][0]["field"] == "x1", answer
    return worst


CASES = {
    "hgb_categorical_codes": (hgb_categorical_codes, "exact"),
    # (function, expected): "exact", or a regular expression the refusal matches
    "gb_init_estimator": (gb_init_estimator, r"init=LogisticRegression.*per-row|start score"),
    "gb_init_zero": (gb_init_zero, "exact"),
    "gb_init_dummy_regressor": (gb_init_dummy, "exact"),
    "gb_init_dummy_stratified": (gb_init_dummy_stratified, r"init=DummyClassifier"),
    "gb_exponential": (_gb_loss("exponential", False), "exact"),
    "gbr_huber": (_gb_loss("huber", True), "exact"),
    "gbr_quantile": (_gb_loss("quantile", True), "exact"),
    "gbr_absolute_error": (_gb_loss("absolute_error", True), "exact"),
    "xgb_early_stopping": (xgb_early_stopping, "exact"),
    "xgb_missing_value": (xgb_missing_value, "exact"),
    "xgb_base_score_float32": (xgb_base_score, "exact"),
    "xgb_multi_softmax_json": (xgb_multi_softmax_json, "exact"),
    "xgb_dataframe_json": (_xgb_dataframe("json"), "exact"),
    "xgb_dataframe_ubj": (_xgb_dataframe("ubj"), "exact"),
    "onehot_numeric_codes": (onehot_numeric_codes, "exact"),
    "onehot_ignore": (onehot_ignore, "exact"),
    "onehot_ignore_unknown_warns": (lambda t: onehot_ignore_unknown(t), "exact"),
    "onehot_ignore_drop_first": (lambda t: _pipeline_case(lambda: _ct(
        ("num", SimpleImputer(), ["age", "bmi"]),
        ("cat", OneHotEncoder(handle_unknown="ignore", drop="first"), ["color"])))(t), "exact"),
    "ordinal_use_encoded_value": (ordinal_use_encoded_value, "exact"),
    "ordinal_use_encoded_nan": (lambda t: _pipeline_case(lambda: _ct(
        ("num", "passthrough", ["age", "bmi"]),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan), ["color"])),
        lambda: HistGradientBoostingClassifier(max_iter=10, categorical_features=[2]))(t), "exact"),
    "onehot_numeric_codes_unknown_refused": (onehot_numeric_codes_unknown_refused, "exact"),
    "onehot_numeric_codes_ignore_unknown_warns": (onehot_numeric_codes_ignore_unknown_warns, "exact"),
    "ordinal_numeric_codes_hgb_categorical": (ordinal_numeric_codes, "exact"),
    "bool_column": (bool_column, "exact"),
    "bool_column_passthrough": (lambda t: _pipeline_case(lambda: _ct(
        ("num", SimpleImputer(), ["age", "bmi"]), ("b", "passthrough", ["smoker"])))(t), "exact"),
    "imputer_then_estimator": (imputer_then_estimator, "exact"),
    "constant_fill_not_a_category": (constant_fill_not_a_category, "exact"),
    "grid_search_pipeline": (_search("grid"), "exact"),
    "randomized_search_pipeline": (_search("random"), "exact"),
    "stroke_spec_median": (stroke_spec_median, "exact"),
}
CASES.update(NAN_CATEGORY_CASES)  # a missing value learned as a category: nan_category_cases.py


@pytest.mark.parametrize("name", sorted(CASES))
def test_configuration(name, tmp_path):
    run, expected = CASES[name]
    if expected == "exact":
        worst = run(tmp_path)
        RESULTS[name] = f"EXACT, max |difference| {worst:.3g}"
        assert worst <= verify.XGBOOST_TOLERANCE
    else:
        with pytest.raises(UnsupportedModel, match=expected) as refused:
            run(tmp_path)
        RESULTS[name] = f"refused: {str(refused.value)[:160]}"


def test_zz_print_the_table():
    for name in sorted(RESULTS):
        print(f"{name:42s} {RESULTS[name]}")
