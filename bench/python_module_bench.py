"""Throughput of the stroke module (a measurement, not a test), median of --repeats runs:

    PYTHONPATH=build/python /usr/bin/python3 bench/python_module_bench.py [--data build/bench-data] \
        [--only stroke|forest] [--out results.json]

1. The shipped stroke model, predict_proba on --rows rows given four ways (DataFrame of
   str columns, of categorical + bool columns, a list of dicts, prepared float64 features),
   with threads=1 and threads=2.
2. With --data (bench/make_bench_data.py's directory, holding rf_200): the default
   RandomForest rf_200 on a pandas DataFrame as a scikit-learn user has it (--rows synthetic
   stroke rows in the Kaggle file's format, read by pandas.read_csv: str categories, 0/1
   ints, NaN bmi), Model.predict_proba against the equivalent scikit-learn Pipeline
   (ColumnTransformer: passthrough, bmi imputed with the bundle's value, one-hot with the
   bundle's categories; then the forest) - both pinned to one core, then stroke with
   threads=2 and the Pipeline with n_jobs=2 on both cores - and checks that the answers are
   bit-identical.

--out writes the forest section's figures as JSON (bench/write_report.py reads them).
A module without the threads keyword (before issue 16 section 1) is measured on one thread.
"""
import argparse
import io
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python", "tests"))  # random_records
sys.path.insert(0, os.path.join(HERE, "..", "python_export"))  # stroke_export.datagen
import joblib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import stroke  # noqa: E402
from results_io import write_results  # noqa: E402  (bench/, beside this script)
from conftest import random_records  # noqa: E402
from stroke_export import datagen  # noqa: E402

ALL_CPUS = os.sched_getaffinity(0)


def median_time(f, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def on_one_core(f):
    """f() with this thread (and any thread it starts) pinned to one CPU."""
    def pinned():
        os.sched_setaffinity(0, {min(ALL_CPUS)})
        try:
            return f()
        finally:
            os.sched_setaffinity(0, ALL_CPUS)
    return pinned


def takes_threads(model):
    try:
        model.predict_features(np.zeros((1, model.n_features)), threads=1)
        return True
    except TypeError:
        return False


def report(label, seconds, rows, base=None):
    ratio = f"  {base / seconds:5.2f}x" if base else ""
    print(f"  {label:58s} {seconds * 1e3:9.1f} ms {seconds / rows * 1e6:8.2f} us/row{ratio}", flush=True)


def same_bits(a, b):
    a, b = np.ascontiguousarray(a, dtype=np.float64), np.ascontiguousarray(b, dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def stroke_section(rows, repeats):
    m = stroke.Model.load(os.path.join(HERE, "..", "models", "stroke.bundle.json"))
    df = pd.DataFrame(random_records(m, rows, seed=1))
    cat = df.astype({c: "category" for c in ["gender", "ever_married", "work_type", "Residence_type", "smoking_status"]})
    cat = cat.astype({"hypertension": bool, "heart_disease": bool})
    records = df.to_dict("records")
    F = m.prepare(df)
    threads = takes_threads(m)
    print(f"stroke model, predict_proba on {rows:,} rows, median of {repeats}:")
    for label, f in (("DataFrame, object (str) columns", lambda **kw: m.predict_proba(df, **kw)),
                     ("DataFrame, categorical + bool columns", lambda **kw: m.predict_proba(cat, **kw)),
                     (f"list of {rows:,} dicts", lambda **kw: m.predict_proba(records, **kw)),
                     ("predict_features on prepared float64",
                      lambda **kw: m.predict_features(F, output="probability", **kw))):
        one = median_time(on_one_core(f), repeats)
        report(f"{label}, threads=1 (one core)", one, rows)
        if threads:
            report(f"{label}, threads=2", median_time(lambda: f(threads=2), repeats), rows, one)
            assert same_bits(f(threads=2), f()), f"{label}: threads=2 differs from threads=1"


def forest_pipeline(bundle, forest, sample):
    """The scikit-learn Pipeline that turns the raw DataFrame into the bundle's features, then the
    trained forest; its ColumnTransformer is fitted on `sample` (it learns nothing but the columns)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    inputs = {f["name"]: f for f in bundle.schema}
    names = bundle.feature_names
    passthrough = [n for n in names if n in inputs and not inputs[n]["nullable"]]
    imputed = [n for n in names if n in inputs and inputs[n]["nullable"]]
    categorical = [f["name"] for f in bundle.schema if f["type"] == "category"]
    one_hot = [f"{c}_{v}" for c in categorical for v in inputs[c]["categories"]]
    assert names == passthrough + imputed + one_hot, "the bundle's features are not numbers, then one-hots"
    prep = ColumnTransformer([
        ("num", "passthrough", passthrough),
        *[(f"impute_{n}", SimpleImputer(strategy="constant", fill_value=inputs[n]["impute"]), [n]) for n in imputed],
        ("onehot", OneHotEncoder(categories=[inputs[c]["categories"] for c in categorical], sparse_output=False,
                                 handle_unknown="ignore"), categorical)])
    return Pipeline([("prep", prep.fit(sample)), ("forest", forest)])


def kaggle_frame(rows):
    """`rows` synthetic stroke records the forest never saw (seed 7, as make_bench_data's rows), read
    by pandas from the Kaggle file's format: str categories, 0/1 ints, NaN for N/A bmi."""
    text = datagen.synthetic_csv("stroke", 7, rows=rows)
    return pd.read_csv(io.StringIO(text), na_values=["N/A"], keep_default_na=False).drop(columns=["id", "stroke"])


def forest_section(data, rows, repeats):
    m = stroke.Model.load(os.path.join(data, "rf_200.bundle.json"))
    df = kaggle_frame(rows)
    pipeline = forest_pipeline(m, joblib.load(os.path.join(data, "rf_200.joblib")), df.head(100))
    trees = m.info["trees"]
    print(f"rf_200 ({trees} trees, layout: {m.info['layout']}), DataFrame of {rows:,} rows read from the "
          f"Kaggle format (str categories, 0/1 ints, NaN bmi), predict_proba, median of {repeats}:")
    sk_one = median_time(on_one_core(lambda: pipeline.predict_proba(df)), repeats)
    report("scikit-learn Pipeline, one core", sk_one, rows)
    one = median_time(on_one_core(lambda: m.predict_proba(df)), repeats)
    report("stroke Model, threads=1 (one core)", one, rows, sk_one)
    expected = pipeline.predict_proba(df)
    got = m.predict_proba(df)
    identical = same_bits(got, expected)
    print(f"  bit-identical to scikit-learn (threads=1): {identical} "
          f"(max |diff| {np.max(np.abs(got - expected)):.3g})")
    results = {"rows": rows, "trees": trees, "repeats": repeats, "sklearn_one_core_s": sk_one,
               "stroke_one_core_s": one, "bit_identical": bool(identical)}
    if takes_threads(m):
        two = median_time(lambda: m.predict_proba(df, threads=2), repeats)
        report("stroke Model, threads=2", two, rows, sk_one)
        print(f"  threads=2 against threads=1: {one / two:.2f}x; bit-identical: "
              f"{same_bits(m.predict_proba(df, threads=2), got)}")
        results["stroke_two_threads_s"] = two
    pipeline.set_params(forest__n_jobs=2)
    sk_two = median_time(lambda: pipeline.predict_proba(df), repeats)
    report("scikit-learn Pipeline, forest n_jobs=2", sk_two, rows, sk_one)
    results["sklearn_n_jobs_2_s"] = sk_two
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="bench/make_bench_data.py's directory (for rf_200)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["stroke", "forest"], help="one section only")
    parser.add_argument("--out", help="write the forest section's figures here as JSON")
    args = parser.parse_args()
    print(f"stroke module {stroke.__version__} from {os.path.dirname(stroke.__file__)}; "
          f"CPUs {sorted(ALL_CPUS)}; load {os.getloadavg()[0]:.2f}")
    if args.only != "forest":
        stroke_section(args.rows, args.repeats)
    if args.data and args.only != "stroke":
        forest = forest_section(args.data, args.rows, args.repeats)
        if args.out:
            write_results({"forest": forest}, args.out)


if __name__ == "__main__":
    main()
