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
on those records. Before anything is written the bundle is loaded by
libstroke (stroke-predict) and verified against the training library on the
golden rows, every --data row, and probes made from the schema and the trees
(verify.py): any difference refuses the export.
"""
import argparse
import csv
import json
import os
import sys

import joblib
import numpy as np

from . import bundle_writer, ensembles, pipeline_convert, verify, xgboost_export
from .errors import UnsupportedModel
from .featureprog import FeatureProgram, RecordError, SpecError, value_from_text

GOLDEN_ROWS = 8


def load_model(path):
    if path.endswith((".json", ".ubj")):
        return xgboost_export.load(path)
    return joblib.load(path)


def unwrap_search(obj):
    """GridSearchCV / RandomizedSearchCV: the refitted best_estimator_ (what
    the search's own predict uses), and a note saying so."""
    if hasattr(obj, "best_estimator_") and hasattr(obj, "cv_results_"):
        best = obj.best_estimator_
        return best, (f"{type(obj).__name__}: exported best_estimator_ ({type(best).__name__}, "
                      f"best_params_ {obj.best_params_})")
    if hasattr(obj, "cv_results_"):
        raise UnsupportedModel(f"{type(obj).__name__}(refit=False) has no best_estimator_ "
                               "to export: refit the search, or export the estimator itself")
    return obj, None


def task_and_classes(model):
    if type(model).__module__.startswith("xgboost"):
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
            elif f.get("codes"):
                code = f["codes"][r % len(f["codes"])]
                record[f["name"]] = int(code) if f["type"] == "integer" else code
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


def csv_records(path, inputs, n=None):
    """Records (field -> value, typed as the schema reads CSV) from a CSV with
    the input columns; the first n, or all."""
    fields = {f["name"]: f for f in inputs}
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    missing = [name for name in fields if rows and name not in rows[0]]
    if missing:
        raise SystemExit(f"export.py: --data lacks column(s) {missing}")
    rows = rows if n is None else rows[:n]
    return [{k: value_from_text(fields[k], row[k]) for k in fields} for row in rows]


def as_frame(pipeline, records, inputs=()):
    """Records as the pipeline was fitted on: a DataFrame (named columns) or an
    array. A null is NaN, or None in a field whose encoder learned None as a
    category (its "null_category"); a category field's column is text (object)
    even where every value in `records` is null."""
    import pandas as pd  # only for a Pipeline's records and --data: not needed for a bare estimator
    nones = {f["name"] for f in inputs if f.get("null_category") == "None"}
    frame = pd.DataFrame([{k: ((None if k in nones else np.nan) if v is None else v) for k, v in r.items()}
                          for r in records])
    for f in inputs:
        if f["type"] == "category" and f["name"] in frame:
            frame[f["name"]] = frame[f["name"]].astype(object)
    names = getattr(pipeline, "feature_names_in_", None)
    if names is None:
        return frame.to_numpy()
    for name in names:  # columns the pipeline drops are not inputs; any value will do
        if name not in frame:
            frame[name] = np.nan
    return frame[list(names)]


def verify_features(pipeline, program, records):
    """The exported program must give the pipeline's own transform, exactly."""
    frame = as_frame(pipeline, records, program.inputs)
    theirs = pipeline[:-1].transform(frame)
    theirs = theirs.toarray() if hasattr(theirs, "toarray") else np.asarray(theirs, dtype=np.float64)
    ours = np.array([program.features_of(r) for r in records])
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    if not same.all():
        row, col = np.argwhere(~same)[0]
        raise UnsupportedModel(
            f"the exported feature {program.names[col]!r} gives {ours[row, col]!r} where the pipeline "
            f"gives {theirs[row, col]!r} (record {records[row]}); refusing to write a different model")
    return frame


def _bool_columns(inputs, data):
    """Number fields whose --data column pandas reads as bool (True/False, as a
    pandas bool column is written): boolean fields, so clients send true/false."""
    import pandas as pd  # only for a Pipeline's records and --data: not needed for a bare estimator
    dtypes = pd.read_csv(data, nrows=verify.MAX_RECORDS).dtypes
    return [dict(f, type="boolean") if f["type"] == "number" and f["name"] in dtypes
            and dtypes[f["name"]] == bool else f for f in inputs]


STATISTICS = ("median", "mean", "most_frequent")


def resolve_spec_imputes(inputs, imputes):
    """A spec's impute values, with --impute FIELD=VALUE for the statistics
    ("median", ...) that train.py computes from the training rows: an exported
    model needs the number it was trained with."""
    out = []
    for f in inputs:
        f = dict(f)
        if f["name"] in imputes:
            text = imputes[f["name"]]
            f["impute"] = text if f["type"] == "category" else float(text)
        elif isinstance(f.get("impute"), str) and f["type"] != "category" or f.get("impute") in STATISTICS:
            raise UnsupportedModel(
                f"input {f['name']!r}: the spec's impute {f['impute']!r} is a statistic of the training "
                f"rows, not a value: give the one the model was trained with, --impute {f['name']}=VALUE "
                "(train.py wrote it in the bundle's inputs)")
        out.append(f)
    return out


def export(model_path, spec=None, data=None, name=None, labels=None, version="1", imputes=None,
           scorer=None, log=None):
    """The bundle dict for a model file (see the module doc), verified against
    libstroke (verify.py) before it is returned."""
    obj, note = unwrap_search(load_model(model_path))
    notes = [note] if note else []
    pipeline = None
    if hasattr(obj, "steps"):
        pipeline = obj
        inputs, features, estimator = pipeline_convert.convert(obj)
        if data:
            inputs = _bool_columns(inputs, data)
        if spec:  # limits, descriptions, ranges from a spec add to the inferred schema
            extra = {f["name"]: f for f in spec.get("inputs", [])}
            inputs = [dict(extra.get(f["name"], {}), **f) for f in inputs]
    else:
        if not spec:
            raise UnsupportedModel(
                f"{type(obj).__name__} is a bare estimator: give --spec (its inputs and feature "
                "program, as python_export/specs/*.json), or export the fitted Pipeline that feeds it")
        inputs = resolve_spec_imputes(spec["inputs"], imputes or {})
        features, estimator = spec["features"], obj
    ensembles.ensemble_of(estimator, len(features))  # refuses an unsupported model first
    task, classes = task_and_classes(estimator)
    xgb = type(estimator).__module__.startswith("xgboost")
    handles_missing = isinstance(estimator, ensembles.HISTGB) or xgb
    if handles_missing and pipeline is not None:
        # A model that routes NaN takes a missing number as it is (no imputer in the way).
        inputs = [dict(f, nullable=True) if f["type"] == "number" and not f.get("nullable") else f
                  for f in inputs]
    inputs = ensembles.categorical_inputs(estimator, inputs, features)
    program = FeatureProgram(inputs, features, allow_missing=handles_missing,
                             float32=not isinstance(estimator, ensembles.HISTGB))
    rows = csv_records(data, inputs, verify.MAX_RECORDS) if data else []
    records = rows[:GOLDEN_ROWS] if rows else synthetic_records(inputs, GOLDEN_ROWS)
    X = np.array([program.features_of(r) for r in records])
    if pipeline is not None:
        frame = verify_features(pipeline, program, records)
        golden = bundle_writer.golden_rows(estimator, records, X, task)
        _check_pipeline_answers(pipeline, frame, golden, task)
        library = verify.PipelineLibrary(pipeline, estimator, task, lambda rs: as_frame(pipeline, rs, inputs))
    else:
        golden = bundle_writer.golden_rows(estimator, records, X, task)
        library = verify.ProgramLibrary(program, estimator, task)
    info = {"name": name or (spec or {}).get("name") or os.path.splitext(os.path.basename(model_path))[0],
            "version": version, "description": (spec or {}).get("description", ""),
            "labels": labels or (spec or {}).get("labels") or classes,
            "training_data": {"description": f"exported from {os.path.basename(model_path)}"
                              + "".join(f"; {n}" for n in notes)}}
    bundle = bundle_writer.make_bundle(info, inputs, features, estimator, golden)
    probes, described = verify.record_probes(inputs, records)
    every = records + rows + probes
    kinds = ([("golden row", f"{i + 1}") for i in range(len(records))]
             + [("data row", f"{i + 1}") for i in range(len(rows))]
             + [("record probe", d) for d in described])
    report = verify.verify(bundle, library, every, kinds, X, _library_name(estimator), scorer)
    (log or sys.stderr).write("".join(n + "\n" for n in notes) + report.summary() + "\n")
    return bundle


def _library_name(estimator):
    if type(estimator).__module__.startswith("xgboost"):
        return "XGBoost"
    return "scikit-learn"


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
        raise UnsupportedModel("the pipeline's answers differ from its estimator's on the "
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
    parser.add_argument("--impute", action="append", default=[], metavar="FIELD=VALUE",
                        help="a spec input's imputation value where the spec names a statistic "
                             "(median, mean, most_frequent): the value the model was trained with")
    args = parser.parse_args(argv)
    imputes = dict(item.split("=", 1) for item in args.impute)
    spec = None
    if args.spec:
        with open(args.spec, encoding="utf-8") as f:
            spec = json.load(f)
    try:
        bundle = export(args.model, spec, args.data, args.name, args.labels, args.version, imputes)
    except (UnsupportedModel, SpecError, RecordError) as e:
        parser.exit(2, f"export.py: cannot export {args.model}: {e}\n")
    except Exception as e:  # noqa: BLE001 - a message, never a traceback; nothing is written
        parser.exit(2, f"export.py: cannot export {args.model}: {type(e).__name__}: {e} "
                       "(an unexpected error: nothing was written; please report it)\n")
    bundle_writer.write_bundle(bundle, args.out)
    e = bundle["ensemble"]
    print(f"wrote {args.out}: {e['kind']} {e['task']}, {len(bundle['inputs'])} inputs -> "
          f"{len(bundle['features'])} features, {len(e['trees'])} trees, {len(bundle['golden'])} golden rows")


if __name__ == "__main__":
    main()
