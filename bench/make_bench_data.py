"""Writes the models and rows the benchmarks share, so libstroke and its peers
evaluate the same model on the same rows.

    /usr/bin/python3 bench/make_bench_data.py [--out build/bench-data]

In --out:
  manifest.json            what follows, one entry per model
  stroke.rows.f64          4096 prepared stroke feature rows (float64, row-major),
                           from synthetic records the models never saw (seed 7)
  stroke.records.jsonl     the same 4096 records as JSON request bodies
  lung_cancer.rows.f64, lung_cancer.records.jsonl   likewise for the lung model
  stroke.joblib, lung_cancer.joblib   the shipped models, retrained exactly as
                           train.py did (checked against the shipped golden answers)
  gb_TxD.bundle.json + .joblib   scale models: scikit-learn GradientBoosting
                           with T trees of depth D on the stroke features
  xgb_TxD.bundle.json + .xgb.json   the same shapes trained with XGBoost; the
                           .xgb.json is what the XGBoost C API peer loads
  rf_T.bundle.json + .joblib   a deep forest: scikit-learn RandomForestClassifier
                           with T trees and default settings (unlimited depth) on
                           FOREST_ROWS synthetic stroke rows (the Kaggle file's size)

Models are trained once; a later run reuses whatever is already there.
"""
import argparse
import copy
import json
import os
import sys

import joblib
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "python_export"))  # the import root of stroke_export
from stroke_export import bundle_writer, datagen  # noqa: E402
from stroke_export import train as trainer  # noqa: E402
from stroke_export.featureprog import FeatureProgram  # noqa: E402

ROWS = 4096
SCALE_TREES = (100, 500, 1000)
SCALE_DEPTHS = (3, 6, 8)
FOREST_TREES = (200,)
FOREST_ROWS = 102180
ROW_SEED = 7  # the shipped models were trained on seed 42


def write_rows(name, out):
    """Prepared features and JSON bodies of ROWS fresh synthetic records."""
    spec = trainer.load_spec(name)
    with open(os.path.join(ROOT, "models", name + ".bundle.json"), encoding="utf-8") as f:
        shipped = json.load(f)
    records, _ = trainer.read_dataset(spec, datagen.synthetic_csv(name, ROW_SEED))
    records = [trainer.json_record(shipped["inputs"], r) for r in records[:ROWS]]
    program = FeatureProgram(shipped["inputs"], shipped["features"], float32=True)
    X = np.array([program.features_of(r) for r in records])
    np.asarray(X, dtype="<f8").tofile(os.path.join(out, name + ".rows.f64"))
    with open(os.path.join(out, name + ".records.jsonl"), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    return X


def shipped_model(name, out):
    """Retrains the shipped model as train.py did and proves it is the same."""
    path = os.path.join(out, name + ".joblib")
    if os.path.exists(path):
        return
    spec = trainer.load_spec(name)
    _, _, model, _, _, _ = trainer.train(spec, datagen.synthetic_csv(name, 42), "bench", True)
    with open(os.path.join(ROOT, "models", name + ".bundle.json"), encoding="utf-8") as f:
        shipped = json.load(f)
    program = FeatureProgram(shipped["inputs"], shipped["features"], float32=True)
    for row in shipped["golden"]:
        p = model.predict_proba([program.features_of(row["inputs"])])[0][1]
        if p != row["probability"]:
            sys.exit(f"make_bench_data: retrained {name} gives {p!r}, the shipped bundle {row['probability']!r}")
    joblib.dump(model, path)


def scale_model(family, trees, depth, out):
    """Trains one scale model on the stroke data and writes its bundle."""
    name = f"{family}_{trees}x{depth}"
    bundle_path = os.path.join(out, name + ".bundle.json")
    if os.path.exists(bundle_path):
        return name
    spec = copy.deepcopy(trainer.load_spec("stroke"))
    spec["name"] = name
    spec["description"] = f"benchmark scale model: {family} {trees} trees of depth {depth} on the stroke features"
    if family == "xgb":
        import xgboost
        trainer.ESTIMATORS["XGBClassifier"] = xgboost.XGBClassifier
        spec["training"]["estimator"] = "XGBClassifier"
        spec["training"]["params"] = {"n_estimators": trees, "max_depth": depth, "learning_rate": 0.1,
                                      "n_jobs": 1, "tree_method": "hist", "random_state": 42}
    else:
        spec["training"]["params"] = dict(spec["training"]["params"], n_estimators=trees, max_depth=depth)
    print(f"make_bench_data: training {name}", flush=True)
    bundle, _, model, _, _, _ = trainer.train(spec, datagen.synthetic_csv("stroke", 42), "bench", True)
    bundle_writer.write_bundle(bundle, bundle_path)
    if family == "xgb":
        model.get_booster().save_model(os.path.join(out, name + ".xgb.json"))
    else:
        joblib.dump(model, os.path.join(out, name + ".joblib"))
    return name


def forest_model(trees, out):
    """Trains a default RandomForest (unlimited depth) on FOREST_ROWS stroke rows;
    returns its manifest entry (depth: its deepest tree)."""
    name = f"rf_{trees}"
    bundle_path = os.path.join(out, name + ".bundle.json")
    model_path = os.path.join(out, name + ".joblib")
    if not (os.path.exists(bundle_path) and os.path.exists(model_path)):
        spec = copy.deepcopy(trainer.load_spec("stroke"))
        spec["name"] = name
        spec["description"] = f"benchmark deep forest: RandomForest, {trees} trees, default settings, stroke features"
        spec["training"]["estimator"] = "RandomForestClassifier"
        spec["training"]["params"] = {"n_estimators": trees, "random_state": 42, "n_jobs": 2}
        print(f"make_bench_data: training {name} on {FOREST_ROWS} rows", flush=True)
        bundle, _, model, _, _, _ = trainer.train(spec, datagen.synthetic_csv("stroke", 42, rows=FOREST_ROWS),
                                                  "bench", True)
        bundle_writer.write_bundle(bundle, bundle_path)
        model.set_params(n_jobs=None)  # the peer predicts on one core, as libstroke does
        joblib.dump(model, model_path)
    model = joblib.load(model_path)
    depth = max(t.tree_.max_depth for t in model.estimators_)
    return {"name": name, "family": "rf", "shipped": False, "rows": "stroke", "bundle": name + ".bundle.json",
            "sklearn": name + ".joblib", "trees": trees, "depth": int(depth)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "bench-data"))
    parser.add_argument("--no-xgboost", action="store_true", help="leave the XGBoost models out")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    models = []
    for name in ("stroke", "lung_cancer"):
        write_rows(name, args.out)
        shipped_model(name, args.out)
        params = joblib.load(os.path.join(args.out, name + ".joblib")).get_params()
        models.append({"name": name, "family": "gb", "shipped": True, "rows": name,
                       "bundle": os.path.abspath(os.path.join(ROOT, "models", name + ".bundle.json")),
                       "sklearn": name + ".joblib", "trees": params["n_estimators"], "depth": params["max_depth"]})
    families = ["gb"] if args.no_xgboost else ["gb", "xgb"]
    for family in families:
        for trees in SCALE_TREES:
            for depth in SCALE_DEPTHS:
                name = scale_model(family, trees, depth, args.out)
                entry = {"name": name, "family": family, "shipped": False, "rows": "stroke",
                         "bundle": name + ".bundle.json", "trees": trees, "depth": depth}
                entry["xgboost" if family == "xgb" else "sklearn"] = name + (".xgb.json" if family == "xgb" else ".joblib")
                models.append(entry)
    for trees in FOREST_TREES:
        models.append(forest_model(trees, args.out))
    manifest = {"rows": ROWS, "row_seed": ROW_SEED, "models": models}
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    print(f"make_bench_data: {len(models)} models in {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
