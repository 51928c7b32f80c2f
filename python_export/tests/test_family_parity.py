"""Exact parity for every supported family x task: train on synthetic data,
pickle, export with export.py and a spec, serve every row through stroke-predict, compare with the library's
own predict_proba / predict. Rows include NaN where the model takes missing
values, categories unseen in training, and values placed exactly on split
thresholds. Needs $STROKE_PREDICT (ctest sets it)."""
import os

import joblib
import numpy as np
import pytest
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)

from stroke_export import bundle_writer, export, verify
from stroke_export.featureprog import FeatureProgram

from .serving import mismatches, predict, stroke_predict_path

STROKE_PREDICT = stroke_predict_path()
pytestmark = pytest.mark.skipif(STROKE_PREDICT is None, reason="set STROKE_PREDICT to stroke-predict")
CATEGORIES = ["a", "b", "c", "d"]  # "d" never appears in training


def _inputs(handles_missing):
    numeric = [{"name": f"x{i}", "type": "number"} for i in range(4)]
    if handles_missing:
        for field in numeric[:2]:
            field["nullable"] = True  # no impute: NaN reaches the trees
    return numeric + [{"name": "c", "type": "category", "categories": CATEGORIES}]


def _features(categorical):
    numeric = [{"name": f"x{i}", "expr": ["input", f"x{i}"]} for i in range(4)]
    if categorical:
        return numeric + [{"name": "c", "expr": ["ordinal", "c"]}]
    return numeric + [{"name": f"c_{c}", "expr": ["onehot", "c", c]} for c in CATEGORIES]


def _records(rng, n, handles_missing, seen_categories):
    records = []
    for _ in range(n):
        r = {f"x{i}": float(np.round(rng.normal(), 3)) for i in range(4)}
        r["c"] = str(rng.choice(seen_categories))
        if handles_missing and rng.rand() < 0.15:
            r[f"x{rng.randint(2)}"] = None
        records.append(r)
    return records


def _targets(records, task, rng):
    score = np.array([(r["x0"] if r["x0"] is not None else 0.5) + 0.7 * r["x2"] +
                      (0.8 if r["c"] == "b" else 0.0) for r in records])
    score += 0.4 * rng.normal(size=len(records))
    if task == "regression":
        return 100 + 20 * score
    if task == "binary_classification":
        return (score > 0.3).astype(int)
    return np.digitize(score, [-0.5, 0.5, 1.3])  # 4 classes


def _threshold_records(ensemble, base_records, num_numeric=4):
    """Copies of base records with a numeric input set exactly on split thresholds."""
    out = []
    for tree in ensemble["trees"][:6]:
        for f, t, left in zip(tree["feature"], tree["threshold"], tree["left"]):
            if left != -1 and 0 <= f < num_numeric and not tree.get("categorical", [0] * (f + 1))[0]:
                r = dict(base_records[len(out) % len(base_records)])
                r[f"x{f}"] = float(t)
                out.append(r)
    return out[:40]


def _xgboost(kind):
    xgboost = pytest.importorskip("xgboost")
    return {"clf": lambda: xgboost.XGBClassifier(n_estimators=15, max_depth=3, learning_rate=0.3),
            "reg": lambda: xgboost.XGBRegressor(n_estimators=15, max_depth=3)}[kind]()


CASES = {
    "gb_binary": (lambda: GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0),
                  "binary_classification", False, False),
    "gb_multiclass": (lambda: GradientBoostingClassifier(n_estimators=15, max_depth=2, random_state=0),
                      "multiclass_classification", False, False),
    "gb_regressor": (lambda: GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0),
                     "regression", False, False),
    "rf_binary": (lambda: RandomForestClassifier(n_estimators=15, max_depth=6, random_state=0),
                  "binary_classification", False, False),
    "rf_multiclass": (lambda: RandomForestClassifier(n_estimators=15, max_depth=6, random_state=0),
                      "multiclass_classification", False, False),
    "rf_regressor": (lambda: RandomForestRegressor(n_estimators=15, max_depth=6, random_state=0),
                     "regression", False, False),
    "et_multiclass": (lambda: ExtraTreesClassifier(n_estimators=15, max_depth=6, random_state=0),
                      "multiclass_classification", False, False),
    "et_regressor": (lambda: ExtraTreesRegressor(n_estimators=15, max_depth=6, random_state=0),
                     "regression", False, False),
    "hgb_binary": (lambda: HistGradientBoostingClassifier(max_iter=20, categorical_features=[4],
                                                          random_state=0),
                   "binary_classification", True, True),
    "hgb_multiclass": (lambda: HistGradientBoostingClassifier(max_iter=10, categorical_features=[4],
                                                              random_state=0),
                       "multiclass_classification", True, True),
    "hgb_regressor": (lambda: HistGradientBoostingRegressor(max_iter=20, categorical_features=[4],
                                                            random_state=0),
                      "regression", True, True),
    "xgb_binary": (lambda: _xgboost("clf"), "binary_classification", True, False),
    "xgb_multiclass": (lambda: _xgboost("clf"), "multiclass_classification", True, False),
    "xgb_regressor": (lambda: _xgboost("reg"), "regression", True, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_served_outputs_equal_the_library(case, tmp_path):
    make, task, handles_missing, categorical = CASES[case]
    rng = np.random.RandomState(11)
    inputs, features = _inputs(handles_missing), _features(categorical)
    program = FeatureProgram(inputs, features, allow_missing=handles_missing,
                             float32=not case.startswith("hgb"))
    train = _records(rng, 600, handles_missing, CATEGORIES[:3])
    X = np.array([program.features_of(r) for r in train])
    y = _targets(train, task, rng)
    model = make().fit(X, y)

    # Exported the way a user would: the pickled model and a spec, through export.py.
    labels = [str(c) for c in getattr(model, "classes_", [])]
    model_path = os.path.join(tmp_path, f"{case}.joblib")
    joblib.dump(model, model_path)
    spec = {"name": case, "inputs": inputs, "features": features, "labels": labels}
    bundle = export.export(model_path, spec=spec)
    assert bundle["ensemble"]["task"] == task
    test = _records(rng, 300, handles_missing, CATEGORIES)  # includes the unseen "d"
    test += _threshold_records(bundle["ensemble"], test)
    X_test = np.array([program.features_of(r) for r in test])
    path = os.path.join(tmp_path, f"{case}.bundle.json")
    bundle_writer.write_bundle(bundle, path)

    answers = predict(STROKE_PREDICT, path, test)
    expected = bundle_writer.library_answers(model, X_test, task)
    worst, bad = mismatches(task, answers, expected, labels, verify.tolerance_of(bundle))
    print(f"{case}: {len(test)} rows, max difference {worst:.3g}")
    assert not bad, f"{len(bad)} mismatches, first: {bad[:3]}"
    if handles_missing:
        assert any(r["x0"] is None or r["x1"] is None for r in test)
