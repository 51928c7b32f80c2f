"""The bundle's "ensemble" section for an XGBoost 1.7 model, from its JSON.

XGBoost predicts in float32: `float32(x) < split_condition` goes left, a
missing value goes `default_left`, the margin starts at the base score (in
margin space) and adds each tree's leaf in float32, and the sigmoid/softmax
run in float32. The bundle says so (precision float32, split_rule
float32_lt) and carries the float32 values exactly.
"""
import json
import math

import numpy as np

from ensembles import UnsupportedModel

OBJECTIVES = {
    "binary:logistic": ("binary_classification", "logistic"),
    "multi:softprob": ("multiclass_classification", "softmax"),
    "multi:softmax": ("multiclass_classification", "softmax"),
    "reg:squarederror": ("regression", "identity"),
}


def booster_of(model):
    return model.get_booster() if hasattr(model, "get_booster") else model


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


def _base_margin(objective, base_score):
    # XGBoost 1.7 turns base_score into a margin in double, then stores a float.
    if objective == "binary:logistic":
        return float(np.float32(-math.log(1.0 / base_score - 1.0)))
    return float(np.float32(base_score))


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
    trees = []
    for tree, group in zip(booster["model"]["trees"], booster["model"]["tree_info"]):
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
