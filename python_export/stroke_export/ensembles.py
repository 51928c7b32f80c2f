"""The bundle's "ensemble" section for every supported model family.

Each function copies the fitted model's own arrays - no arithmetic except
where the library itself does the same operation at prediction time (forest
leaf normalisation), so libstroke sums exactly the numbers the library sums.
See docs/bundle-format.md for the fields and docs/models.md for the families.
"""
import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)

from . import xgboost_export
from .errors import UnsupportedModel

HISTGB = (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
FORESTS = (RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor)
SUPPORTED = ("GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier, "
             "RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor, "
             "HistGradientBoostingClassifier, HistGradientBoostingRegressor, XGBClassifier, "
             "XGBRegressor, xgboost.Booster")


def task_of(model):
    """(task, number of outputs) of a fitted scikit-learn model."""
    if not hasattr(model, "classes_"):
        return "regression", 1
    k = len(model.classes_)
    return ("binary_classification" if k == 2 else "multiclass_classification"), k


def _tree_arrays(tree, values, output=0):
    """One scikit-learn tree_ as bundle arrays; `values` is (nodes, width)."""
    return {
        "feature": tree.feature.tolist(),
        "threshold": tree.threshold.tolist(),
        "left": tree.children_left.tolist(),
        "right": tree.children_right.tolist(),
        "value": values.reshape(-1).tolist(),
        "cover": tree.weighted_n_node_samples.tolist(),
        # scikit-learn 1.2 trees refuse NaN; the direction is not used.
        "missing_left": [0] * tree.node_count,
        "output": output,
    }


def _check_width(model, num_features):
    if model.n_features_in_ != num_features:
        raise UnsupportedModel(f"the model reads {model.n_features_in_} features, "
                               f"the feature program makes {num_features}")


REGRESSION_LOSSES = ("squared_error", "absolute_error", "huber", "quantile")
CLASSIFIER_LOSSES = ("log_loss", "deviance", "exponential")
CONSTANT_DUMMY_CLASSIFIER = ("prior", "most_frequent", "constant")


def _constant_init(model):
    """True when the start score does not depend on the row: init 'zero', the
    default prior/mean/quantile, or a DummyClassifier/DummyRegressor that
    predicts a constant."""
    init = model.init_
    if isinstance(init, str):
        return init == "zero"
    if isinstance(init, DummyRegressor):
        return True
    return isinstance(init, DummyClassifier) and init.strategy in CONSTANT_DUMMY_CLASSIFIER


def gradient_boosting(model, num_features):
    """GradientBoostingClassifier (binary, multiclass) / GradientBoostingRegressor:
    raw[k] = init[k] + sum over stages of learning_rate * leaf(stage, k);
    binary exponential loss: P = expit(2 raw), carried exactly as base 2*init,
    scale 2*learning_rate (doubling is exact in binary floating point)."""
    _check_width(model, num_features)
    task, k = task_of(model)
    loss = getattr(model, "loss", "")
    estimator = type(model).__name__
    if task == "regression" and loss not in REGRESSION_LOSSES:
        raise UnsupportedModel(f"{estimator} loss {loss!r}: supported {REGRESSION_LOSSES}")
    if task != "regression" and loss not in CLASSIFIER_LOSSES:
        raise UnsupportedModel(f"{estimator} loss {loss!r}: supported {CLASSIFIER_LOSSES}")
    if not _constant_init(model):
        raise UnsupportedModel(
            f"{estimator}(init={type(model.init_).__name__}(...)): the start score is the init "
            "estimator's prediction for each row, which a bundle cannot carry; only init='zero', "
            "the default, or a DummyClassifier/DummyRegressor predicting a constant is supported")
    probe = np.zeros((1, num_features), dtype=np.float32)
    base = model._raw_predict_init(probe)[0]
    scale = float(model.learning_rate)
    if loss == "exponential":
        base, scale = 2.0 * base, 2.0 * scale
    outputs = model.estimators_.shape[1]
    trees = [_tree_arrays(model.estimators_[i, j].tree_,
                          model.estimators_[i, j].tree_.value[:, 0, 0:1], output=j)
             for i in range(model.estimators_.shape[0]) for j in range(outputs)]
    # Multiclass: MultinomialDeviance's exp(raw - logsumexp(raw)), not softmax's exp(raw - max) / sum.
    link = {"binary_classification": "logistic", "multiclass_classification": "softmax_logsumexp",
            "regression": "identity"}[task]
    return {"kind": "gradient_boosting", "task": task, "split_rule": "float32_le",
            "aggregation": "sum", "precision": "float64", "link": link,
            "num_features": num_features, "num_outputs": outputs, "leaf_width": 1,
            "base_margin": [float(b) for b in base], "tree_scale": scale,
            "handles_missing": False, "trees": trees}


def forest(model, num_features):
    """Random forests and extra trees: the mean of the trees' outputs. A
    classifier tree outputs its leaf's class counts (1.2) or fractions (1.3+)
    divided by their sum - computed here with the same numpy operations
    scikit-learn's predict_proba uses, so both storage conventions give the
    library's own numbers."""
    _check_width(model, num_features)
    task, k = task_of(model)
    if getattr(model, "n_outputs_", 1) != 1:
        raise UnsupportedModel("multi-output forests are not supported")
    trees = []
    for estimator in model.estimators_:
        t = estimator.tree_
        if task == "regression":
            values = t.value[:, 0, 0:1]
        else:
            proba = t.value[:, 0, :k].copy()
            normalizer = proba.sum(axis=1)[:, np.newaxis]
            normalizer[normalizer == 0.0] = 1.0
            proba /= normalizer
            values = proba
        trees.append(_tree_arrays(t, values))
    width = 1 if task == "regression" else k
    return {"kind": "random_forest", "task": task, "split_rule": "float32_le",
            "aggregation": "mean", "precision": "float64", "link": "identity",
            "num_features": num_features, "num_outputs": width, "leaf_width": width,
            "base_margin": [0.0] * width, "tree_scale": 1.0, "handles_missing": False,
            "trees": trees}


def _hist_tree(predictor, output):
    nodes = predictor.nodes
    leaf = nodes["is_leaf"].astype(bool)
    categorical = nodes["is_categorical"].astype(bool)
    left_categories = []
    for i in range(len(nodes)):
        if categorical[i] and not leaf[i]:
            bits = predictor.raw_left_cat_bitsets[nodes["bitset_idx"][i]]
            left_categories.append([c for c in range(256) if (bits[c // 32] >> (c % 32)) & 1])
        else:
            left_categories.append([])
    # A split on missingness alone has threshold +inf (every number goes
    # left); JSON has no inf, and for finite x, x <= max double is the same test.
    threshold = nodes["num_threshold"].copy()
    if np.any(np.isneginf(threshold)):
        raise UnsupportedModel("a HistGradientBoosting split with threshold -inf")
    threshold[np.isposinf(threshold)] = np.finfo(np.float64).max
    return {
        "feature": np.where(leaf, -2, nodes["feature_idx"].astype(np.int64)).tolist(),
        "threshold": threshold.tolist(),
        "left": np.where(leaf, -1, nodes["left"].astype(np.int64)).tolist(),
        "right": np.where(leaf, -1, nodes["right"].astype(np.int64)).tolist(),
        "value": nodes["value"].tolist(),
        "cover": nodes["count"].astype(float).tolist(),
        "missing_left": nodes["missing_go_to_left"].astype(int).tolist(),
        "output": output,
        "categorical": (categorical & ~leaf).astype(int).tolist(),
        "left_categories": left_categories,
    }


def hist_gradient_boosting(model, num_features):
    """HistGradientBoosting: raw[k] = baseline[k] + sum of leaves (the learning
    rate is already in them); float64 `x <= threshold`, NaN and unknown
    categories the learned way, categorical splits as category lists."""
    _check_width(model, num_features)
    task, k = task_of(model)
    loss = model.loss
    if task == "regression" and loss != "squared_error":
        raise UnsupportedModel(f"HistGradientBoostingRegressor loss {loss!r}: only 'squared_error'")
    trees = [_hist_tree(p, j) for per_iteration in model._predictors
             for j, p in enumerate(per_iteration)]
    known = []
    if model._bin_mapper.is_categorical_ is not None:
        for f in np.flatnonzero(model._bin_mapper.is_categorical_):
            cats = model._bin_mapper.known_categories[f]
            known.append({"feature": int(f), "categories": [int(c) for c in cats]})
    outputs = model.n_trees_per_iteration_
    link = {"binary_classification": "logistic", "multiclass_classification": "softmax",
            "regression": "identity"}[task]
    return {"kind": "hist_gradient_boosting", "task": task, "split_rule": "float64_le",
            "aggregation": "sum", "precision": "float64", "link": link,
            "num_features": num_features, "num_outputs": outputs, "leaf_width": 1,
            "base_margin": [float(b) for b in np.ravel(model._baseline_prediction)],
            "tree_scale": 1.0, "handles_missing": True, "known_categories": known,
            "trees": trees}


def _small_code(expr):
    """pipeline_convert's index of a numeric category: a sum of k * (x == c)
    terms (and m * missing(x)) and the unknown-code guard - a whole number
    0..n-1, the encoded missing value, or an error - possibly made NaN where x
    is missing (["mul", index, ["div", K, K]])."""
    if expr[0] == "mul" and len(expr) == 3 and isinstance(expr[2], list) and expr[2][0] == "div":
        expr = expr[1]
    return (expr[0] == "add" and all(
        isinstance(a, list) and (a[0] == "mul" and isinstance(a[1], float) and a[2][0] in ("eq", "missing")
                                 or a[0] == "div") for a in expr[1:]))


def categorical_inputs(model, inputs, features):
    """The schema follows how a HistGradientBoosting categorical split uses a
    field: scikit-learn reads a category code as an 8-bit integer (2.5 as 2,
    256 as 0), so a number field feeding such a split directly becomes an
    integer field with limits [0, 255] - any other value is refused naming the
    field, never answered differently. Other expressions are refused."""
    if not isinstance(model, HISTGB) or model._bin_mapper.is_categorical_ is None:
        return inputs
    fields = {f["name"]: dict(f) for f in inputs}
    for j in np.flatnonzero(model._bin_mapper.is_categorical_):
        expr = features[j]["expr"]
        if isinstance(expr, list) and (expr[0] == "ordinal" or _small_code(expr)
                                       or expr[0] == "coalesce" and expr[1][0] == "ordinal"):
            continue  # codes 0..n-1 of a category field (null: a number or NaN), or of numeric categories
        if not (isinstance(expr, list) and expr[0] == "input"):
            raise UnsupportedModel(f"feature {features[j]['name']!r} feeds a categorical split: it "
                                   "must read an input (or a category's ordinal) directly")
        field = fields[expr[1]]
        if field["type"] in ("number", "integer"):
            limits = dict(field.get("limits", {}))
            limits["min"] = max(limits.get("min", 0), 0)
            limits["max"] = min(limits.get("max", 255), 255)
            field.update(type="integer", limits=limits)
    return [fields[f["name"]] for f in inputs]


def ensemble_of(model, num_features):
    """The ensemble section for any supported fitted model; UnsupportedModel otherwise."""
    if isinstance(model, (GradientBoostingClassifier, GradientBoostingRegressor)):
        return gradient_boosting(model, num_features)
    if isinstance(model, FORESTS):
        return forest(model, num_features)
    if isinstance(model, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        return hist_gradient_boosting(model, num_features)
    module = type(model).__module__
    if module.startswith("xgboost"):
        return xgboost_export.ensemble(model, num_features)
    raise UnsupportedModel(f"{type(model).__name__} is not a supported model (supported: {SUPPORTED})")
