"""Writes a libstroke bundle (docs/bundle-format.md) from a fitted scikit-learn model.

The ensemble section copies scikit-learn's own arrays (tree_.feature,
threshold, children, value, weighted_n_node_samples) without arithmetic, so
the C++ side sums exactly the numbers scikit-learn sums.
"""
import datetime
import json

import numpy as np
import sklearn
from sklearn.ensemble import GradientBoostingClassifier

FORMAT = "libstroke-bundle"
FORMAT_VERSION = 1


def gradient_boosting_ensemble(model, num_features):
    """The "ensemble" section of a fitted binary GradientBoostingClassifier."""
    if not isinstance(model, GradientBoostingClassifier):
        raise TypeError(f"expected a GradientBoostingClassifier, got {type(model).__name__}")
    if len(model.classes_) != 2 or model.estimators_.shape[1] != 1:
        raise ValueError("only binary GradientBoostingClassifier models are supported")
    if model.n_features_in_ != num_features:
        raise ValueError(f"model has {model.n_features_in_} features, program has {num_features}")
    probe = np.zeros((1, num_features), dtype=np.float32)
    base_margin = float(model._raw_predict_init(probe)[0, 0])
    trees = []
    for estimator in model.estimators_[:, 0]:
        t = estimator.tree_
        trees.append({
            "feature": t.feature.tolist(),
            "threshold": t.threshold.tolist(),
            "left": t.children_left.tolist(),
            "right": t.children_right.tolist(),
            "value": t.value[:, 0, 0].tolist(),
            "cover": t.weighted_n_node_samples.tolist(),
            # scikit-learn 1.2 trees never see NaN (the program imputes); the
            # direction is recorded for the format, not used.
            "missing_left": [0] * t.node_count,
        })
    return {
        "kind": "gradient_boosting",
        "task": "binary_classification",
        "split_rule": "float32_le",
        "link": "logistic",
        "num_features": num_features,
        "base_margin": base_margin,
        "tree_scale": float(model.learning_rate),
        "trees": trees,
    }


def golden_rows(model, records, features):
    """Records with the outputs scikit-learn itself computes for them."""
    X = np.asarray(features, dtype=np.float64)
    raw = model.decision_function(X)
    proba = model.predict_proba(X)[:, 1]
    pred = model.predict(X)
    classes = list(model.classes_)
    return [{"inputs": r, "raw_margin": float(m), "probability": float(p),
             "prediction": classes.index(c)}
            for r, m, p, c in zip(records, raw, proba, pred)]


def make_bundle(spec, inputs, model, golden, metrics, training_data, version):
    """A complete bundle dict; `inputs` is the spec's inputs with impute and
    training ranges resolved from the training data."""
    info = {
        "name": spec["name"],
        "version": version,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "description": spec.get("description", ""),
        "library": f"scikit-learn {sklearn.__version__}",
        "estimator": type(model).__name__,
        "params": {k: v for k, v in model.get_params().items()
                   if isinstance(v, (int, float, str, bool)) or v is None},
        "training_data": training_data,
        "metrics": metrics,
        "threshold": spec.get("threshold", 0.5),
        "class_labels": spec["labels"],
    }
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": info,
        "inputs": inputs,
        "features": spec["features"],
        "ensemble": gradient_boosting_ensemble(model, len(spec["features"])),
        "golden": golden,
    }


def write_bundle(bundle, path):
    """Writes compactly: one tree array per line keeps diffs readable."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(bundle, out, indent=1, allow_nan=False)
        out.write("\n")
