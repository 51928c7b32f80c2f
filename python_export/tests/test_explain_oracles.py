"""TreeSHAP against two oracles, served through `stroke-predict --explain`:
XGBoost's own pred_contribs (binary with NaN, multiclass, regression; within
1e-6 relative to the row's largest contribution - XGBoost accumulates in
float32, so a score of 30 carries float32 rounding of ~4e-6), and a brute-force Shapley sum over all
feature subsets computed here from scikit-learn's own tree arrays with the
same cover-weighted conditional expectation (within 1e-9)."""
import itertools
import math
import os

import joblib
import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor

from stroke_export import bundle_writer, export

from .serving import predict, stroke_predict_path

STROKE_PREDICT = stroke_predict_path()
pytestmark = pytest.mark.skipif(STROKE_PREDICT is None, reason="set STROKE_PREDICT to stroke-predict")
NUM = 6


def _spec(nullable):
    inputs = [dict({"name": f"x{i}", "type": "number"}, **({"nullable": True} if nullable and i < 2 else {}))
              for i in range(NUM)]
    return {"name": "oracle", "inputs": inputs,
            "features": [{"name": f"x{i}", "expr": ["input", f"x{i}"]} for i in range(NUM)]}


def _data(rng, n, nullable):
    X = np.round(rng.normal(size=(n, NUM)), 3)
    if nullable:
        X[rng.rand(n) < 0.15, 0] = np.nan
    return X


def _records(X):
    return [{f"x{i}": (None if math.isnan(v) else float(v)) for i, v in enumerate(row)} for row in X]


def _served(tmp_path, model, spec, X, labels=None):
    path = os.path.join(tmp_path, "model.joblib")
    joblib.dump(model, path)
    bundle = export.export(path, spec=dict(spec, labels=labels or []))
    bundle_path = os.path.join(tmp_path, "model.bundle.json")
    bundle_writer.write_bundle(bundle, bundle_path)
    return predict(STROKE_PREDICT, bundle_path, _records(X), "--explain")


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_xgboost_pred_contribs(task, tmp_path):
    xgboost = pytest.importorskip("xgboost")
    rng = np.random.RandomState(3)
    X = _data(rng, 400, nullable=True)
    score = np.nan_to_num(X[:, 0]) + X[:, 1] - 0.5 * X[:, 2] + 0.3 * rng.normal(size=len(X))
    if task == "regression":
        model = xgboost.XGBRegressor(n_estimators=20, max_depth=4).fit(X, 10 * score)
    elif task == "binary":
        model = xgboost.XGBClassifier(n_estimators=20, max_depth=4).fit(X, (score > 0).astype(int))
    else:
        model = xgboost.XGBClassifier(n_estimators=10, max_depth=3).fit(X, np.digitize(score, [-1, 0, 1]))
    labels = [str(c) for c in getattr(model, "classes_", [])]
    answers = _served(tmp_path, model, _spec(True), X, labels)
    theirs = model.get_booster().predict(xgboost.DMatrix(X), pred_contribs=True)
    worst, worst_relative = 0.0, 0.0
    for row, answer in enumerate(answers):
        explanations = answer["explanation"] if task == "multiclass" else [answer["explanation"]]
        for k, e in enumerate(explanations):
            expected = theirs[row, k] if task == "multiclass" else theirs[row]
            ours = [e["contributions"][f"x{i}"] for i in range(NUM)] + [e["expected_value"]]
            difference = float(np.max(np.abs(np.array(ours) - expected)))
            worst = max(worst, difference)
            worst_relative = max(worst_relative, difference / max(1.0, float(np.max(np.abs(expected)))))
    print(f"xgboost {task}: {len(answers)} rows, max |difference| {worst:.3g}, relative {worst_relative:.3g}")
    assert any(r["x0"] is None for r in _records(X))
    assert worst_relative <= 1e-6


def _conditional(tree, values, x, subset, node=0):
    """E[tree(x) | features in `subset` known], covers weighting the unknown ones."""
    if tree.children_left[node] == -1:
        return values[node]
    f = tree.feature[node]
    left, right = tree.children_left[node], tree.children_right[node]
    if f in subset:
        return _conditional(tree, values, x, subset, left if np.float32(x[f]) <= tree.threshold[node] else right)
    w = tree.weighted_n_node_samples
    return (w[left] * _conditional(tree, values, x, subset, left)
            + w[right] * _conditional(tree, values, x, subset, right)) / w[node]


def _brute_force_shapley(trees, x):
    """phi_i = sum over S not holding i of |S|!(M-|S|-1)!/M! (f(S+i) - f(S))."""
    def f(subset):
        return sum(_conditional(tree, values, x, subset) for tree, values in trees)
    phi = np.zeros(NUM)
    for i in range(NUM):
        others = [j for j in range(NUM) if j != i]
        for size in range(NUM):
            weight = math.factorial(size) * math.factorial(NUM - size - 1) / math.factorial(NUM)
            for subset in itertools.combinations(others, size):
                phi[i] += weight * (f(set(subset) | {i}) - f(set(subset)))
    return phi, f(set())


@pytest.mark.parametrize("family", ["gradient_boosting", "random_forest"])
def test_sklearn_brute_force_shapley(family, tmp_path):
    rng = np.random.RandomState(5)
    X = _data(rng, 300, nullable=False)
    score = X[:, 0] + X[:, 1] * X[:, 3] - 0.5 * X[:, 2]
    if family == "gradient_boosting":
        model = GradientBoostingClassifier(n_estimators=6, max_depth=3, random_state=0).fit(X, score > 0)
        trees = [(e.tree_, model.learning_rate * e.tree_.value[:, 0, 0]) for e in model.estimators_[:, 0]]
        base = float(model._raw_predict_init(X[:1])[0, 0])
    else:
        model = RandomForestRegressor(n_estimators=4, max_depth=4, random_state=0).fit(X, score)
        n = len(model.estimators_)
        trees = [(e.tree_, e.tree_.value[:, 0, 0] / n) for e in model.estimators_]
        base = 0.0
    labels = [str(c) for c in getattr(model, "classes_", [])]
    rows = X[:25]
    answers = _served(tmp_path, model, _spec(False), rows, labels)
    worst = 0.0
    for x, answer in zip(rows, answers):
        phi, expectation = _brute_force_shapley(trees, x)
        e = answer["explanation"]
        ours = np.array([e["contributions"][f"x{i}"] for i in range(NUM)])
        worst = max(worst, float(np.max(np.abs(ours - phi))), abs(e["expected_value"] - (base + expectation)))
    print(f"{family}: {len(rows)} rows, max |difference| to brute force {worst:.3g}")
    assert worst <= 1e-9
