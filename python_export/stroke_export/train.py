"""Trains a shipped model from its spec and a CSV, and exports a libstroke bundle.

    /usr/bin/python3 python_export/train.py stroke                 # synthetic data, seed 42
    /usr/bin/python3 python_export/train.py stroke --data healthcare-dataset-stroke-data.csv
    /usr/bin/python3 python_export/train.py lung_cancer --data survey\\ lung\\ cancer.csv --grid

Reads python_export/specs/MODEL.json (task, inputs, feature program, dataset coding,
estimator and parameters), trains on an 80/20 split (classifiers: stratified,
balanced class weights where the spec says so), prints the classification
report, confusion matrix and F1 on train and test (regression: MAE, MSE, R2),
verifies the bundle against libstroke (verify.py: any difference refuses), and
writes MODEL.bundle.json, MODEL.metrics.txt and the fitted model MODEL.joblib
to --out (default: models/). Files as distributed are read as they come: UCI's
processed.cleveland.data has no header line, ? for missing and 1.0 for 0/1.
"""
import argparse
import copy
import csv
import io
import json
import os
import sys

import joblib
import numpy as np
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.metrics import (classification_report, confusion_matrix, f1_score,
                             mean_absolute_error, mean_squared_error, precision_score,
                             r2_score, recall_score, roc_auc_score)
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.utils.class_weight import compute_sample_weight

from . import bundle_writer, datagen, locations, verify
from .featureprog import FeatureProgram, check_record, value_from_text

GOLDEN_TEST_ROWS = 8
ESTIMATORS = {e.__name__: e for e in (
    GradientBoostingClassifier, GradientBoostingRegressor, HistGradientBoostingClassifier,
    HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor)}


def load_spec(name_or_path):
    path = name_or_path if name_or_path.endswith(".json") else os.path.join(
        locations.SPECS, name_or_path + ".json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_dataset(spec, csv_text):
    """Records (field -> typed value or None) and 0/1 targets from CSV text in
    the public dataset's format, applying the spec's "dataset" coding."""
    coding = spec["dataset"]
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        raise ValueError("the CSV is empty")
    if coding.get("columns") and coding["target"] not in [h.strip() for h in rows[0]]:
        rows = [coding["columns"]] + rows  # a file without a header line (UCI's own files)
    header = [h.strip() if coding.get("strip_header_whitespace") else h for h in rows[0]]
    names = {f["name"] for f in spec["inputs"]}
    wanted = names | {coding["target"]}
    missing = sorted(wanted - set(header))
    if missing:
        raise ValueError(f"the CSV lacks column(s) {missing}; it has {header}")
    recode = {}
    for rule in coding.get("recode", []):
        for column in rule["columns"]:
            recode[column] = rule["map"]
    fields = {f["name"]: f for f in spec["inputs"]}
    records, targets = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ValueError(f"line {line}: {len(row)} cells, the header has {len(header)}")
        cells = dict(zip(header, row))
        label = cells[coding["target"]].strip()
        if label == "" and task_of(spec) == "regression":
            continue  # no target: nothing to learn from this row
        target = _target(spec, label, line)
        record = {}
        for name in fields:
            text = cells[name].strip()
            text = recode.get(name, {}).get(text, text)
            record[name] = value_from_text(fields[name], text)
        records.append(record)
        targets.append(target)
    return records, np.array(targets)


def task_of(spec):
    return spec.get("task", "binary_classification")


def _target(spec, label, line):
    """The target cell as 0/1 (binary), a class index (multiclass) or a number."""
    coding = spec["dataset"]
    task = task_of(spec)
    if task == "regression":
        try:
            return float(label)
        except ValueError:
            raise ValueError(f"line {line}: target {label!r} is not a number") from None
    classes = coding.get("classes") or [coding["negative"], coding["positive"]]
    if label not in classes:
        try:  # "2.0" for class "2", as numeric files write it
            number = float(label)
            label = str(int(number)) if number == int(number) else label
        except ValueError:
            pass
    if label not in classes:
        raise ValueError(f"line {line}: target {label!r} is not one of {classes}")
    return classes.index(label)


def resolve_inputs(spec_inputs, train_records):
    """The spec's inputs with "impute" statistics ("median", "mean",
    "most_frequent") and training ranges computed from the training rows."""
    inputs = copy.deepcopy(spec_inputs)
    for field in inputs:
        present = [r[field["name"]] for r in train_records if r[field["name"]] is not None]
        if field["type"] in ("number", "integer") and present:
            numbers = [float(v) for v in present if isinstance(v, (int, float))]
            field["training_range"] = {"min": min(numbers), "max": max(numbers)}
        impute = field.get("impute")
        if impute == "median":
            field["impute"] = float(np.median(numbers))
        elif impute == "mean":
            field["impute"] = float(np.mean(numbers))
        elif impute == "most_frequent":
            values, counts = np.unique(np.array(present, dtype=object).astype(str),
                                       return_counts=True)
            field["impute"] = str(values[np.argmax(counts)])
    return inputs


def json_record(inputs, record):
    """A record as a client would send it: integers as JSON integers."""
    types = {f["name"]: f["type"] for f in inputs}
    return {k: (int(v) if types[k] == "integer" and v is not None else v)
            for k, v in record.items()}


def scores(task, model, X, y):
    pred = model.predict(X)
    if task == "regression":
        return {"mae": mean_absolute_error(y, pred), "mse": mean_squared_error(y, pred),
                "r2": r2_score(y, pred)}
    if task == "multiclass_classification":
        return {"f1_macro": f1_score(y, pred, average="macro"), "accuracy": float(np.mean(pred == y))}
    return {"f1": f1_score(y, pred), "precision": precision_score(y, pred, zero_division=0),
            "recall": recall_score(y, pred), "accuracy": float(np.mean(pred == y)),
            "roc_auc": roc_auc_score(y, model.predict_proba(X)[:, 1])}


def report(task, name, model, X, y, labels, out):
    """The original stroke project's report: classification report, confusion
    matrix and F1 (regression: MAE, MSE, R2, as the regression API logged)."""
    pred = model.predict(X)
    out.write(f"== {name} ({len(y)} rows)\n")
    if task == "regression":
        for metric, value in scores(task, model, X, y).items():
            out.write(f"{metric.upper()}: {value:.4f}\n")
        out.write("\n")
        return
    out.write(classification_report(y, pred, labels=range(len(labels)), target_names=labels,
                                    zero_division=0))
    out.write(f"confusion matrix (rows: true, columns: predicted):\n"
              f"{confusion_matrix(y, pred, labels=range(len(labels)))}\n")
    average = "binary" if task == "binary_classification" else "macro"
    out.write(f"F1 ({average}): {f1_score(y, pred, average=average):.4f}\n\n")


def fit(spec, X, y, grid, seed):
    training = spec["training"]
    estimator = ESTIMATORS[training.get("estimator", "GradientBoostingClassifier")]
    params = dict(training["params"], random_state=seed)
    weights = None
    if training.get("class_weight") and task_of(spec) != "regression":
        weights = compute_sample_weight(training["class_weight"], y)
    if not grid:
        return estimator(**params).fit(X, y, sample_weight=weights)
    scoring = {"binary_classification": "f1", "multiclass_classification": "f1_macro",
               "regression": "neg_mean_absolute_error"}[task_of(spec)]
    search = GridSearchCV(estimator(**params), training["grid"], scoring=scoring, cv=3, n_jobs=-1)
    search.fit(X, y, sample_weight=weights)
    return search.best_estimator_


def train(spec, csv_text, data_description, synthetic, grid=False, version="1"):
    """Trains and returns (bundle dict, report text, model, records, X, y)."""
    training, task = spec["training"], task_of(spec)
    records, y = read_dataset(spec, csv_text)
    seed = training["random_state"]
    idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=training["test_size"],
                                           random_state=seed,
                                           stratify=None if task == "regression" else y)
    inputs = resolve_inputs(spec["inputs"], [records[i] for i in idx_train])
    hist = training.get("estimator", "").startswith("HistGradientBoosting")
    program = FeatureProgram(inputs, spec["features"], allow_missing=hist, float32=not hist)
    X = np.array([program.evaluate(check_record(inputs, r)[0]) for r in records])
    model = fit(spec, X[idx_train], y[idx_train], grid, seed)

    text = io.StringIO()
    labels = spec.get("labels", [])
    report(task, "train", model, X[idx_train], y[idx_train], labels, text)
    report(task, "test", model, X[idx_test], y[idx_test], labels, text)
    metrics = {"train": scores(task, model, X[idx_train], y[idx_train]),
               "test": scores(task, model, X[idx_test], y[idx_test])}

    golden_records = [json_record(inputs, records[i]) for i in idx_test[:GOLDEN_TEST_ROWS]]
    golden_records += spec.get("golden_extra", [])
    golden_X = [program.features_of(r) for r in golden_records]
    golden = bundle_writer.golden_rows(model, golden_records, golden_X, task)
    data = {"description": data_description, "synthetic": synthetic, "rows": len(y),
            "train_rows": len(idx_train), "test_rows": len(idx_test)}
    if task == "binary_classification":
        data["positives"] = int(y.sum())
    info = dict(spec, version=version, training_data=data, metrics=metrics)
    hist = bundle_writer.distributions(X[idx_train], y[idx_train], [f["name"] for f in spec["features"]],
                                       [] if task == "regression" else spec["labels"])
    bundle = bundle_writer.make_bundle(info, inputs, spec["features"], model, golden, hist)
    verified = verify_bundle(bundle, program, model, task, golden_records, records, golden_X)
    text.write(verified.summary() + "\n")
    return bundle, text.getvalue(), model, records, X, y


def verify_bundle(bundle, program, model, task, golden_records, records, golden_X, scorer=None):
    """Every bundle is verified before it is written (verify.py): libstroke must
    answer the golden rows, the training rows (up to verify.MAX_RECORDS, a
    fixed sample beyond) and the schema and split probes as the model does."""
    if len(records) > verify.MAX_RECORDS:
        keep = np.sort(np.random.RandomState(0).choice(len(records), verify.MAX_RECORDS, replace=False))
        records = [records[i] for i in keep]
    rows = [json_record(bundle["inputs"], r) for r in records]
    probes, described = verify.record_probes(bundle["inputs"], golden_records)
    kinds = ([("golden row", f"{i + 1}") for i in range(len(golden_records))]
             + [("data row", f"{i + 1}") for i in range(len(rows))]
             + [("record probe", d) for d in described])
    library = verify.ProgramLibrary(program, model, task)
    return verify.verify(bundle, library, golden_records + rows + probes, kinds, golden_X,
                         "scikit-learn", scorer)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a spec name under specs/ (stroke, lung_cancer, "
                                      "heart_disease, loan_amount) or a spec path")
    parser.add_argument("--data", help="CSV in the public dataset's format (default: synthetic)")
    parser.add_argument("--seed", type=int, default=42, help="synthetic data seed (default 42)")
    parser.add_argument("--grid", action="store_true", help="grid-search the spec's parameter grid")
    parser.add_argument("--out", default=locations.MODELS, help="output directory")
    parser.add_argument("--version", default="1", help="model version written to the bundle")
    args = parser.parse_args(argv)

    spec = load_spec(args.model)
    if args.data:
        with open(args.data, encoding="utf-8", newline="") as f:
            csv_text = f.read()
        description, synthetic = f"{os.path.basename(args.data)} (user-supplied CSV)", False
    else:
        csv_text = datagen.synthetic_csv(spec["name"], args.seed)
        description = (f"SYNTHETIC: python_export/datagen.py {spec['name']} --seed {args.seed} "
                       "(public schema and base rates; not the real dataset)")
        synthetic = True
    try:
        bundle, text, model, *_ = train(spec, csv_text, description, synthetic, args.grid, args.version)
    except ValueError as e:
        parser.exit(2, f"train.py: {e}\n")
    sys.stdout.write(text)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, spec["name"] + ".bundle.json")
    bundle_writer.write_bundle(bundle, path)
    # the fitted model beside its bundle, as the stroke project's script saved it
    joblib.dump(model, os.path.join(args.out, spec["name"] + ".joblib"))
    with open(os.path.join(args.out, spec["name"] + ".metrics.txt"), "w", encoding="utf-8") as f:
        f.write(f"{spec['name']} - {description}\n\n{text}")
    print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
