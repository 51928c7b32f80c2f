"""Writes a libstroke bundle (docs/bundle-format.md) from a fitted model.

The ensemble section comes from ensembles.py (one function per family); the
golden rows are the fitted object's own answers for a few records.
"""
import datetime
import json
import math

import numpy as np
import sklearn

from . import xgboost_export
from .ensembles import ensemble_of

FORMAT = "libstroke-bundle"
FORMAT_VERSION = 1


def _xgboost_booster(model):
    return type(model).__module__.startswith("xgboost") and type(model).__name__ == "Booster"


def _as_matrix(model, X):
    """X as the model takes it: a frame stays a frame (a Pipeline reads columns
    by name); rows of features become float64, in a frame with the booster's
    feature names when an XGBoost model was fitted on a DataFrame."""
    if hasattr(X, "columns"):
        return X
    X = np.asarray(X, dtype=np.float64)
    if type(model).__module__.startswith("xgboost"):
        names = xgboost_export.booster_of(model).feature_names
        if names:
            import pandas as pd  # only for an XGBoost model fitted on a DataFrame
            return pd.DataFrame(X, columns=names)
    return X


def library_answers(model, X, task):
    """What the training library itself predicts for the rows of X (feature
    rows, or a frame of raw records for a Pipeline): a list of golden-row dicts
    (without inputs) for the task."""
    X = _as_matrix(model, X)
    if _xgboost_booster(model):  # a bare xgboost.Booster
        return xgboost_export.booster_answers(model, X, task)
    if task == "regression":
        return [{"value": float(v)} for v in model.predict(X)]
    classes = list(model.classes_)
    proba = model.predict_proba(X)
    predicted = [classes.index(c) for c in model.predict(X)]
    if task == "binary_classification":
        rows = [{"probability": float(p[1]), "prediction": c} for p, c in zip(proba, predicted)]
        if hasattr(model, "decision_function"):
            for row, margin in zip(rows, np.ravel(model.decision_function(X))):
                row["raw_margin"] = float(margin)
        return rows
    return [{"probabilities": [float(x) for x in p], "prediction": c} for p, c in zip(proba, predicted)]


def golden_rows(model, records, features, task):
    """Records with the answers the training library computes for them."""
    answers = library_answers(model, features, task)
    return [dict(inputs=r, **a) for r, a in zip(records, answers)]


def distributions(X, y, feature_names, labels, max_bins=20):
    """Per feature, a histogram of the training rows of each class (regression:
    of all rows): few distinct values get one bin each, others max_bins equal
    bins. For dashboards showing where a record stands."""
    out = []
    for j, name in enumerate(feature_names):
        column = X[:, j]
        present = column[~np.isnan(column)]
        if present.size == 0:
            continue
        distinct = np.unique(present)
        if distinct.size <= max_bins:
            middles = (distinct[:-1] + distinct[1:]) / 2
            edges = np.concatenate([[distinct[0] - 0.5], middles, [distinct[-1] + 0.5]])
        else:
            edges = np.linspace(distinct[0], distinct[-1], max_bins + 1)
        groups = {"all": column} if not labels else {label: column[y == k] for k, label in enumerate(labels)}
        counts = {}
        for label, values in groups.items():
            values = values[~np.isnan(values)]
            counts[str(label)] = np.histogram(values, bins=edges)[0].astype(int).tolist()
        out.append({"feature": name, "edges": [float(e) for e in edges], "counts": counts})
    return out


def make_bundle(info, inputs, features, model, golden, feature_distributions=None):
    """A complete bundle dict. `info` is the "model" section's descriptive part
    (name, description, version, labels, training_data, metrics, threshold);
    `inputs` are the resolved input fields, `features` the feature program."""
    ensemble = ensemble_of(model, len(features))
    section = {
        "name": info["name"],
        "version": info.get("version", "1"),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "description": info.get("description", ""),
        "library": _library_name(model),
        "estimator": type(model).__name__,
        "params": _params(model),
        "training_data": info.get("training_data", {}),
        "metrics": info.get("metrics", {}),
    }
    if ensemble["task"] == "binary_classification":
        section["threshold"] = info.get("threshold", 0.5)
    if ensemble["task"] != "regression":
        section["class_labels"] = [str(label) for label in info["labels"]]
    if type(model).__module__.startswith("xgboost"):
        section["xgboost_objective"] = xgboost_export.model_json(model)["learner"]["objective"]["name"]
        missing = xgboost_export.missing_value(model)
        if missing is not None:  # XGBoost's missing=<value>: that value is missing, as in its DMatrix
            section["missing_value_features"] = missing
            features = [dict(f, expr=xgboost_export.missing_as_nan(f["expr"], missing)) for f in features]
    bundle = {"format": FORMAT, "format_version": FORMAT_VERSION, "model": section,
              "inputs": inputs, "features": features, "ensemble": ensemble, "golden": golden}
    if feature_distributions:
        bundle["distributions"] = feature_distributions
    return bundle


def _library_name(model):
    if type(model).__module__.startswith("xgboost"):
        import xgboost  # optional: imported only for an XGBoost model
        return f"xgboost {xgboost.__version__}"
    return f"scikit-learn {sklearn.__version__}"


def _params(model):
    if not hasattr(model, "get_params"):
        return {}
    return {k: v for k, v in model.get_params().items()
            if isinstance(v, (int, str, bool)) or v is None
            or (isinstance(v, float) and math.isfinite(v))}


def write_bundle(bundle, path):
    """Writes indented JSON (one number per line keeps diffs readable)."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(bundle, out, indent=1, allow_nan=False)
        out.write("\n")
