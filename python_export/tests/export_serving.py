"""Exports a fitted model (export.py, which verifies it) and serves rows
through stroke-predict: the helpers of test_export_faults.py and of its
NaN-category cases (nan_category_cases.py)."""
import json
import os
import subprocess

import joblib
import numpy as np
import pandas as pd

from stroke_export import bundle_writer, export, verify

from .serving import predict, stroke_predict_path

STROKE_PREDICT = stroke_predict_path()


def records_of(df):
    """A frame's rows as JSON records (NaN: null, numpy scalars: Python's)."""
    out = []
    for row in df.to_dict(orient="records"):
        r = {}
        for k, v in row.items():
            if isinstance(v, float) and np.isnan(v):
                v = None
            r[k] = v.item() if hasattr(v, "item") else v
        out.append(r)
    return out


def _delta(task, ours, theirs, labels):
    if task == "regression":
        return abs(ours["value"] - theirs["value"])
    if task == "binary_classification":
        assert ours["prediction"] == theirs["prediction"]
        return abs(ours["probability"] - theirs["probability"])
    assert ours["prediction"] == theirs["prediction"]
    return max(abs(ours["probabilities"][l] - p) for l, p in zip(labels, theirs["probabilities"]))


def export_and_serve(tmp_path, model, data, task, *, saved=None, spec=None, extra=()):
    """Exports (pickle, or `saved` for an XGBoost file) and serves every row of
    `data` (a frame of raw records, or feature rows with a spec); returns the
    largest difference from the library."""
    path = saved or os.path.join(tmp_path, "model.joblib")
    if saved is None:
        joblib.dump(model, path)
    out = os.path.join(tmp_path, "model.bundle.json")
    csv = None
    if spec is None and isinstance(data, pd.DataFrame):
        csv = os.path.join(tmp_path, "data.csv")
        data.to_csv(csv, index=False)
    bundle = export.export(path, spec=spec, data=csv)  # refusals raise UnsupportedModel
    bundle_writer.write_bundle(bundle, out)
    if spec is not None:
        records = [{f"x{j}": (None if np.isnan(v) else float(v)) for j, v in enumerate(row)} for row in data]
        theirs = bundle_writer.library_answers(model, data, task)
    else:
        records = records_of(data)
        theirs = bundle_writer.library_answers(model, data, task)
    ours = predict(STROKE_PREDICT, out, records, "--allow-unknown-fields")
    labels = bundle["model"].get("class_labels")
    worst = max(_delta(task, a, b, labels) for a, b in zip(ours, theirs))
    assert worst <= verify.tolerance_of(bundle), f"served answers differ by {worst:.3g}"
    return worst


def predict_allowing_errors(bundle_path, records, *flags):
    """stroke-predict's answers, a refused record's {"errors": ...} included."""
    lines = "".join(json.dumps(r) + "\n" for r in records)
    run = subprocess.run([STROKE_PREDICT, "--model", bundle_path, "--format", "jsonl", "--output", "jsonl",
                          "--allow-unknown-fields", *flags], input=lines, capture_output=True, text=True, check=False)
    return [json.loads(line) for line in run.stdout.splitlines()]
