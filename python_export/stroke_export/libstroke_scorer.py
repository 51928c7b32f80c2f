"""Scores records and prepared features with libstroke itself: the `stroke`
Python module (python/, built by the top-level CMake), the same C++
evaluator stroke-predict and stroke-serve run.

The module is imported from the first of: an importable `stroke`,
$STROKE_MODULE_PATH (the directory holding the package, e.g. build/python),
build/python in this checkout. Without it verification cannot run, and an
unverified bundle is never written.
"""
import importlib
import importlib.util
import json
import math
import os
import sys

import numpy as np

from . import locations
from .errors import UnsupportedModel


def import_stroke():
    """The `stroke` module, or None when it is not built: an importable
    `stroke` (installed, or on PYTHONPATH), else the package in the directory
    $STROKE_MODULE_PATH names, else the one in build/python of this checkout."""
    try:
        return importlib.import_module("stroke")
    except ImportError:
        pass
    for where in (os.environ.get("STROKE_MODULE_PATH"), locations.BUILD_PYTHON):
        if where and os.path.isfile(os.path.join(where, "stroke", "__init__.py")):
            module = _import_package_from("stroke", os.path.abspath(where))
            if module is not None:
                return module
    return None


def _import_package_from(name, directory):
    """Imports package `name` from `directory` as `import name` would with the
    directory first on sys.path - but sys.path is left alone: the package is
    loaded from its file (importlib's recipe for importing a source file) and
    registered in sys.modules, so its relative imports (stroke._stroke, the
    compiled extension) and any later `import stroke` find it. None (and
    nothing registered) when it does not import, e.g. a stale build."""
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(directory, name, "__init__.py"),
        submodule_search_locations=[os.path.join(directory, name)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError:
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[loaded]
        return None
    return module


class ModuleScorer:
    """libstroke's answers as golden-style dicts: {"probability", "prediction"}
    (binary; prediction 0/1 by the bundle's threshold), {"probabilities" in
    class_labels order, "prediction": class index} (multiclass), {"value"}
    (regression), or {"error": "field: message; ..."} for a refused row."""

    def __init__(self, module=None):
        self.stroke = module or import_stroke()
        if self.stroke is None:
            raise UnsupportedModel(
                "cannot verify the bundle: the Python module `stroke` is not built (build it with "
                "`cmake --build build --target _stroke`, or set STROKE_MODULE_PATH to the directory "
                "holding the package); an unverified bundle is never written")

    def _load(self, bundle):
        try:
            return self.stroke.Model.from_json(json.dumps(bundle, allow_nan=False))
        except self.stroke.BundleError as e:
            raise UnsupportedModel(f"libstroke cannot load the bundle: {e}") from e

    def records(self, bundle, records):
        """Raw records (list of dicts) through the whole bundle."""
        model = self._load(bundle)
        call = {"errors": "return", "allow_unknown_fields": True}
        task = bundle["ensemble"]["task"]
        if task == "regression":
            values, errors = model.predict(records, **call)
            answers = [{"value": float(v)} for v in values]
        else:
            proba, errors = model.predict_proba(records, **call)
            labels, _ = model.predict(records, **call)
            answers = _class_answers(model, task, proba, labels)
        return _with_errors(answers, errors)

    def features(self, bundle, X):
        """Prepared feature rows (n_samples, n_features) straight into the trees;
        NaN is a missing value. An XGBoost `missing=<value>` is NaN as the
        bundle's feature program makes it (float32 equality, as XGBoost's DMatrix)."""
        model = self._load(bundle)
        F = np.array(X, dtype=np.float64, copy=True)
        missing = bundle["model"].get("missing_value_features")
        if missing is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                F[F.astype(np.float32) == np.float32(missing)] = math.nan
        task = bundle["ensemble"]["task"]
        if task == "regression":
            values, errors = model.predict_features(F, output="class", errors="return")
            answers = [{"value": float(v)} for v in values]
        else:
            proba, errors = model.predict_features(F, output="probability", errors="return")
            labels, _ = model.predict_features(F, output="class", errors="return")
            answers = _class_answers(model, task, proba, labels)
        return _with_errors(answers, errors)


def _class_answers(model, task, proba, labels):
    classes = [str(c) for c in model.classes_]
    out = []
    for p, label in zip(proba, labels):
        prediction = None if label is None else classes.index(str(label))
        if task == "binary_classification":
            out.append({"probability": float(p[1]), "prediction": prediction})
        else:
            out.append({"probabilities": [float(x) for x in p], "prediction": prediction})
    return out


def _with_errors(answers, errors):
    by_row = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['field']}: {e['message']}".lstrip(": "))
    for row, messages in by_row.items():
        answers[row] = {"error": "; ".join(messages)}
    return answers
