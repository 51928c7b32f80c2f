"""The scikit-learn peer: predict_proba on the same models and rows as
predict_bench (bench/make_bench_data.py wrote both).

    /usr/bin/python3 bench/peer_sklearn.py --data build/bench-data [--out peer_sklearn.json]

Per model: one row per call (median over calls cycling through the rows) and
batches of 1, 16, 256 and 4096 rows (median per-row time over repetitions).
Writes {model: {"one_row_ns": .., "batch_ns": {"1": .., "16": .., ..}}}.
"""
import argparse
import json
import os
import statistics
import time

import joblib
import numpy as np

from results_io import write_results

BATCHES = (1, 16, 256, 4096)
BUDGET_S = 1.5  # per measurement


def timed(fn, max_calls):
    """Median nanoseconds of fn(i) over up to max_calls calls or BUDGET_S."""
    samples, deadline = [], time.perf_counter() + BUDGET_S
    for i in range(max_calls):
        start = time.perf_counter_ns()
        fn(i)
        samples.append(time.perf_counter_ns() - start)
        if i >= 4 and time.perf_counter() > deadline:
            break
    return statistics.median(samples)


def measure(model, X):
    rows = [X[i:i + 1] for i in range(len(X))]
    model.predict_proba(rows[0])  # warm up
    result = {"one_row_ns": timed(lambda i: model.predict_proba(rows[i % len(rows)]), 2000), "batch_ns": {}}
    for n in BATCHES:
        batch = X[:n]
        result["batch_ns"][str(n)] = timed(lambda i: model.predict_proba(batch), 200) / n
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", help="JSON output (default: print)")
    args = parser.parse_args()
    with open(os.path.join(args.data, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    results = {}
    for m in manifest["models"]:
        if "sklearn" not in m:
            continue
        model = joblib.load(os.path.join(args.data, m["sklearn"]))
        width = model.n_features_in_
        X = np.fromfile(os.path.join(args.data, m["rows"] + ".rows.f64"), dtype="<f8").reshape(-1, width)
        results[m["name"]] = measure(model, X)
        r = results[m["name"]]
        print(f"sklearn {m['name']}: one row {r['one_row_ns'] / 1000:.1f} us, "
              f"batch 4096 {r['batch_ns']['4096']:.0f} ns/row", flush=True)
    write_results(results, args.out)


if __name__ == "__main__":
    main()
