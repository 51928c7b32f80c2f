"""Exports a fitted model you already have to a libstroke bundle.

    export.py pipeline.joblib --out models/mine.bundle.json
    export.py model.pkl --spec specs/stroke.json --out stroke2.bundle.json
    export.py xgb_model.json --spec my_spec.json --labels no yes --out xgb.bundle.json

MODEL is a pickle/joblib file holding a scikit-learn Pipeline (preprocessing
+ model: the input schema is read from the fitted transformers) or a bare
estimator (then --spec gives the inputs and feature program, as the files in
specs/ do), or an XGBoost model saved as JSON. Supported models and steps:
docs/models.md. Unpickling runs code: export only files you trust.

The bundle's golden rows are the original object's own answers for records
from --data (a CSV with the input columns) or generated from the schema, and
the exported feature program is checked against the pipeline's own transform
on those records before anything is written.
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bundle_writer  # noqa: E402
import ensembles  # noqa: E402
import pipeline_convert  # noqa: E402
from featureprog import FeatureProgram, value_from_text  # noqa: E402

GOLDEN_ROWS = 8


def load_model(path):
    if path.endswith((".json", ".ubj")):
        import xgboost
        return xgboost.Booster(model_file=path)
    import joblib
    return joblib.load(path)


def task_and_classes(model):
    if type(model).__module__.startswith("xgboost"):
        import xgboost_export
        task, k = xgboost_export.task_of(model)
        return task, [str(c) for c in getattr(model, "classes_", range(k if task != "regression" else 0))]
    task, _ = ensembles.task_of(model)
    return task, [str(c) for c in getattr(model, "classes_", [])]


def synthetic_records(inputs, n):
    """Deterministic records covering each field: categories in turn, numbers
    around the imputation value or the training range, a null where allowed."""
    records = []
    for r in range(n):
        record = {}
        for f in inputs:
            if f["type"] == "category":
                record[f["name"]] = f["categories"][r % len(f["categories"])]
            elif f["type"] == "boolean":
                record[f["name"]] = bool(r % 2)
            else:
                known = f.get("training_range") or f.get("limits") or {}
                lo = known.get("min", 0.0)
                hi = known.get("max", lo + 10.0)
                value = lo + (hi - lo) * ((r * 0.37) % 1.0)
                record[f["name"]] = int(round(value)) if f["type"] == "integer" else round(value, 3)
            if f.get("nullable") and r == n - 1:
                record[f["name"]] = None
        records.append(record)
    return records


def csv_records(path, inputs, n):
    fields = {f["name"]: f for f in inputs}
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    missing = [name for name in fields if rows and name not in rows[0]]
    if missing:
        raise SystemExit(f"export.py: --data lacks column(s) {missing}")
    return [{k: value_from_text(fields[k], row[k]) for k in fields} for row in rows[:n]]


def as_frame(pipeline, records):
    """Records as the pipeline was fitted on: a DataFrame (named columns) or an array."""
    import pandas as pd
    frame = pd.DataFrame([{k: (np.nan if v is None else v) for k, v in r.items()} for r in records])
    names = getattr(pipeline, "feature_names_in_", None)
    if names is None:
        return frame.to_numpy()
    for name in names:  # columns the pipeline drops are not inputs; any value will do
        if name not in frame:
            frame[name] = np.nan
    return frame[list(names)]


def verify_features(pipeline, program, records):
    """The exported program must give the pipeline's own transform, exactly."""
    frame = as_frame(pipeline, records)
    theirs = pipeline[:-1].transform(frame)
    theirs = theirs.toarray() if hasattr(theirs, "toarray") else np.asarray(theirs, dtype=np.float64)
    ours = np.array([program.features_of(r) for r in records])
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    if not same.all():
        row, col = np.argwhere(~same)[0]
        raise ensembles.UnsupportedModel(
            f"the exported feature {program.names[col]!r} gives {ours[row, col]!r} where the pipeline "
            f"gives {theirs[row, col]!r} (record {records[row]}); refusing to write a different model")
    return frame


def export(model_path, spec=None, data=None, name=None, labels=None, version="1"):
    """The bundle dict for a model file (see the module doc)."""
    obj = load_model(model_path)
    pipeline = None
    if hasattr(obj, "steps"):
        pipeline = obj
        inputs, features, estimator = pipeline_convert.convert(obj)
        if spec:  # limits, descriptions, ranges from a spec add to the inferred schema
            extra = {f["name"]: f for f in spec.get("inputs", [])}
            inputs = [dict(extra.get(f["name"], {}), **f) for f in inputs]
    else:
        if not spec:
            raise SystemExit("export.py: a bare estimator needs --spec (its inputs and feature program)")
        inputs, features, estimator = spec["inputs"], spec["features"], obj
    ensembles.ensemble_of(estimator, len(features))  # refuses an unsupported model first
    task, classes = task_and_classes(estimator)
    handles_missing = isinstance(estimator, ensembles.HISTGB) or \
        type(estimator).__module__.startswith("xgboost")
    if handles_missing and pipeline is not None:
        # A model that routes NaN takes a missing number as it is (no imputer in the way).
        inputs = [dict(f, nullable=True) if f["type"] == "number" and not f.get("nullable") else f
                  for f in inputs]
    program = FeatureProgram(inputs, features, allow_missing=handles_missing,
                             float32=not isinstance(estimator, ensembles.HISTGB))
    records = csv_records(data, inputs, GOLDEN_ROWS) if data else synthetic_records(inputs, GOLDEN_ROWS)
    X = np.array([program.features_of(r) for r in records])
    if pipeline is not None:
        frame = verify_features(pipeline, program, records)
        golden = bundle_writer.golden_rows(estimator, records, X, task)
        _check_pipeline_answers(pipeline, frame, golden, task)
    else:
        golden = bundle_writer.golden_rows(estimator, records, X, task)
    info = {"name": name or (spec or {}).get("name") or os.path.splitext(os.path.basename(model_path))[0],
            "version": version, "description": (spec or {}).get("description", ""),
            "labels": labels or (spec or {}).get("labels") or classes,
            "training_data": {"description": f"exported from {os.path.basename(model_path)}"}}
    return bundle_writer.make_bundle(info, inputs, features, estimator, golden)


def _check_pipeline_answers(pipeline, frame, golden, task):
    """Golden rows must be the whole pipeline's answers on the raw records."""
    if task == "regression":
        theirs = pipeline.predict(frame)
        ours = [g["value"] for g in golden]
    else:
        proba = pipeline.predict_proba(frame)
        theirs = proba[:, 1] if task == "binary_classification" else proba
        ours = [g["probability"] if task == "binary_classification" else g["probabilities"] for g in golden]
    if not np.array_equal(np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)):
        raise ensembles.UnsupportedModel("the pipeline's answers differ from its estimator's on the "
                                         "exported features; refusing to write a different model")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="pickle/joblib file, or an XGBoost JSON model")
    parser.add_argument("--out", required=True, help="bundle file to write")
    parser.add_argument("--spec", help="spec JSON: inputs + features (required for a bare estimator)")
    parser.add_argument("--data", help="CSV of input records for the golden rows")
    parser.add_argument("--name", help="model name (default: the spec's or the file's)")
    parser.add_argument("--labels", nargs="+", help="class labels, in class order")
    parser.add_argument("--version", default="1")
    args = parser.parse_args(argv)
    spec = None
    if args.spec:
        with open(args.spec, encoding="utf-8") as f:
            spec = json.load(f)
    try:
        bundle = export(args.model, spec, args.data, args.name, args.labels, args.version)
    except ensembles.UnsupportedModel as e:
        parser.exit(2, f"export.py: cannot export {args.model}: {e}\n")
    bundle_writer.write_bundle(bundle, args.out)
    e = bundle["ensemble"]
    print(f"wrote {args.out}: {e['kind']} {e['task']}, {len(bundle['inputs'])} inputs -> "
          f"{len(bundle['features'])} features, {len(e['trees'])} trees, {len(bundle['golden'])} golden rows")


if __name__ == "__main__":
    main()
