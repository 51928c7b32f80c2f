"""The bundle's "ensemble" section for an XGBoost 1.7 model, from its JSON.

XGBoost predicts in float32: `float32(x) < split_condition` goes left, a
missing value goes `default_left`, the margin starts at the base score (in
margin space) and adds each tree's leaf in float32, and the sigmoid/softmax
run in float32. The bundle says so (precision float32, split_rule
float32_lt) and carries the float32 values exactly.

What the library's predict does, the bundle does: only the trees up to
best_iteration when early stopping stored one; a `missing` value other than
NaN is missing (features equal to it in float32 become NaN in the feature
program); base_score becomes a margin with XGBoost's own float32 arithmetic;
multi:softmax probabilities are predict_proba's softmax of the margins.
"""
import ctypes
import ctypes.util
import json
import math

import numpy as np
from scipy.special import softmax

from .errors import UnsupportedModel

OBJECTIVES = {
    "binary:logistic": ("binary_classification", "logistic"),
    "multi:softprob": ("multiclass_classification", "softmax"),
    "multi:softmax": ("multiclass_classification", "softmax"),
    "reg:squarederror": ("regression", "identity"),
}


def booster_of(model):
    return model.get_booster() if hasattr(model, "get_booster") else model


def load(path):
    """A saved model (JSON or UBJSON): the scikit-learn wrapper it was saved
    from when it says so (its `missing`, classes and best_iteration come back
    with it), else a Booster."""
    import xgboost  # optional and heavy: imported only for an XGBoost model
    booster = xgboost.Booster(model_file=path)
    saved = booster.attr("scikit_learn")
    if saved:
        kind = json.loads(saved).get("_estimator_type")
        wrapper = {"classifier": xgboost.XGBClassifier, "regressor": xgboost.XGBRegressor}.get(kind)
        if wrapper is not None:
            model = wrapper()
            model.load_model(path)
            return model
    return booster


def missing_value(model):
    """The value the model reads as missing besides NaN (None when only NaN)."""
    missing = getattr(model, "missing", math.nan)
    if missing is None or (isinstance(missing, float) and math.isnan(missing)):
        return None
    return float(missing)


def iteration_end(model):
    """The number of boosting rounds the library's predict uses: best_iteration + 1
    when early stopping stored one, else all (0)."""
    best = booster_of(model).attr("best_iteration")
    return int(best) + 1 if best is not None else 0


def booster_answers(booster, X, task):
    """A bare Booster's answers, as its predict gives them (DMatrix, NaN missing,
    rounds up to best_iteration when stored)."""
    import xgboost  # optional and heavy: imported only for an XGBoost model
    objective = model_json(booster)["learner"]["objective"]["name"]
    dmatrix = xgboost.DMatrix(X)
    rounds = (0, iteration_end(booster))
    if objective == "multi:softmax":
        out = softmax(booster.predict(dmatrix, output_margin=True, iteration_range=rounds), axis=1)
    else:
        out = booster.predict(dmatrix, iteration_range=rounds)
    if task == "regression":
        return [{"value": float(v)} for v in out]
    if task == "binary_classification":
        return [{"probability": float(p), "prediction": int(p > 0.5)} for p in out]
    return [{"probabilities": [float(p) for p in row], "prediction": int(np.argmax(row))}
            for row in out]


def missing_as_nan(expr, missing):
    """`expr`, except NaN where float32(expr) == float32(missing), as XGBoost's
    DMatrix compares: expr * (k / k) with k = 0 exactly there (0/0 is NaN)."""
    m = np.float32(missing)
    below = float(np.nextafter(m, np.float32(-np.inf)))
    above = float(np.nextafter(m, np.float32(np.inf)))
    lo, hi = (float(m) + below) / 2, (float(m) + above) / 2  # exact in float64
    # Halfway values round to the float32 with an even significand.
    even = int(m.view(np.uint32)) % 2 == 0
    inside = ["and", ["ge" if even else "gt", expr, lo], ["le" if even else "lt", expr, hi]]
    k = ["not", inside]
    return ["mul", expr, ["div", k, k]]


def model_json(model):
    return json.loads(booster_of(model).save_raw("json"))


def task_of(model):
    """(task, number of classes) from the objective."""
    learner = model_json(model)["learner"]
    objective = learner["objective"]["name"]
    if objective not in OBJECTIVES:
        raise UnsupportedModel(f"XGBoost objective {objective!r} (supported: {sorted(OBJECTIVES)})")
    task = OBJECTIVES[objective][0]
    classes = int(learner["learner_model_param"]["num_class"])
    return task, (2 if task == "binary_classification" else classes)


def _f32(x):
    """The float32 nearest `x`, written as the double it is exactly."""
    return float(np.float32(x))


_LIBM = ctypes.CDLL(ctypes.util.find_library("m"))
_LIBM.logf.restype = ctypes.c_float
_LIBM.logf.argtypes = [ctypes.c_float]


def _base_margin(objective, base_score):
    """XGBoost 1.7's ProbToMargin, in its float32 arithmetic:
    -logf(1.0f / base_score - 1.0f) for binary:logistic, else base_score."""
    score = np.float32(base_score)
    if objective == "binary:logistic":
        return float(-np.float32(_LIBM.logf(np.float32(1.0) / score - np.float32(1.0))))
    return float(score)


def ensemble(model, num_features):
    learner = model_json(model)["learner"]
    objective = learner["objective"]["name"]
    if objective not in OBJECTIVES:
        raise UnsupportedModel(f"XGBoost objective {objective!r} (supported: {sorted(OBJECTIVES)})")
    task, link = OBJECTIVES[objective]
    params = learner["learner_model_param"]
    if int(params["num_feature"]) != num_features:
        raise UnsupportedModel(f"the model reads {params['num_feature']} features, "
                               f"the feature program makes {num_features}")
    booster = learner["gradient_booster"]
    if booster["name"] != "gbtree":
        raise UnsupportedModel(f"XGBoost booster {booster['name']!r}: only 'gbtree'")
    if int(params.get("num_target", "1")) != 1:
        raise UnsupportedModel("multi-target XGBoost models are not supported")
    outputs = max(1, int(params["num_class"]))
    base = _base_margin(objective, float(params["base_score"]))
    if booster["model"]["gbtree_model_param"].get("num_parallel_tree", "1") != "1":
        raise UnsupportedModel("XGBoost num_parallel_tree > 1 is not supported")
    stored = list(zip(booster["model"]["trees"], booster["model"]["tree_info"]))
    end = iteration_end(model)  # early stopping: the trees predict uses
    if end:
        stored = stored[:end * outputs]
    if any(t == "c" for t in (booster_of(model).feature_types or [])):
        raise UnsupportedModel("XGBoost categorical features (enable_categorical) are not supported "
                               "(one-hot or ordinal-encode in the feature program instead)")
    trees = []
    for tree, group in stored:
        if any(tree["split_type"]) or tree["categories"]:
            raise UnsupportedModel("XGBoost categorical splits are not supported (one-hot or "
                                   "ordinal-encode in the feature program instead)")
        left = tree["left_children"]
        leaf = [c == -1 for c in left]
        conditions = [_f32(c) for c in tree["split_conditions"]]
        trees.append({
            "feature": [-2 if is_leaf else f for f, is_leaf in zip(tree["split_indices"], leaf)],
            "threshold": [0.0 if is_leaf else c for c, is_leaf in zip(conditions, leaf)],
            "left": left,
            "right": tree["right_children"],
            "value": [c if is_leaf else 0.0 for c, is_leaf in zip(conditions, leaf)],
            "cover": [_f32(h) for h in tree["sum_hessian"]],
            "missing_left": tree["default_left"],
            "output": int(group),
        })
    return {"kind": "xgboost", "task": task, "split_rule": "float32_lt", "aggregation": "sum",
            "precision": "float32", "link": link, "num_features": num_features,
            "num_outputs": outputs, "leaf_width": 1, "base_margin": [base] * outputs,
            "tree_scale": 1.0, "handles_missing": True, "trees": trees}
