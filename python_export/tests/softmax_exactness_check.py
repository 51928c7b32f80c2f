"""Run by test_softmax_exactness.py in a fresh interpreter whose numpy uses the
C library's exp and log (NPY_DISABLE_CPU_FEATURES): exports a multiclass
model (which verifies it at tolerance 0) and prints, as JSON, the
verification tolerance and how many of n probabilities differ in any bit
between the stroke module and the model's own predict_proba. From python_export/:

    python3 -m tests.softmax_exactness_check FAMILY N_CLASSES WORKDIR     FAMILY: gb | hgb
"""
import json
import os
import sys

import joblib
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier

from stroke_export import export, verify
from stroke_export.libstroke_scorer import import_stroke


def main(family, n_classes, workdir):
    rng = np.random.RandomState(3)
    X = rng.normal(scale=3.0, size=(1500, 5))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=len(X)),
                    np.linspace(-4, 4, n_classes - 1))
    make = {"gb": lambda: GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0),
            "hgb": lambda: HistGradientBoostingClassifier(max_iter=30, random_state=0)}[family]
    model = make().fit(X, y)
    path = os.path.join(workdir, "model.joblib")
    joblib.dump(model, path)
    spec = {"name": f"{family}{n_classes}",
            "inputs": [{"name": f"x{i}", "type": "number"} for i in range(5)],
            "features": [{"name": f"x{i}", "expr": ["input", f"x{i}"]} for i in range(5)],
            "labels": [str(c) for c in model.classes_]}
    bundle = export.export(path, spec=spec)
    stroke = import_stroke()
    served = stroke.Model.from_json(json.dumps(bundle))
    X_test = rng.normal(scale=3.0, size=(3000, 5))
    ours = served.predict_features(X_test, output="probability")
    theirs = model.predict_proba(X_test)
    print(json.dumps({"link": bundle["ensemble"]["link"], "classes": int(theirs.shape[1]),
                      "numpy_exp_is_libm": verify.numpy_exp_is_the_c_librarys(),
                      "tolerance": verify.tolerance_of(bundle),
                      "probabilities": int(theirs.size), "differ": int((ours != theirs).sum())}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
