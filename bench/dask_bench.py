"""Rows/s of examples/dask_score.py (docs/dask.md) on 1M generated stroke rows in 4
CSV files, on a LocalCluster of 1 and of 2 worker processes (one thread each,
loopback), against one process doing the same work without Dask (read the CSV,
convert the cells, stroke.Model.predict_proba + predict, write). A measurement,
not a test:

    PYTHONPATH=build/python /usr/bin/python3 bench/dask_bench.py [--rows 1000000] [--out dask.json]

Each figure is the best and the median of --repeat runs, timed from the first
read to the last write (cluster start and the model's load excluded; both are
once per cluster). The rows are written once to --data (reused when present).
"""
import argparse
import csv
import glob
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))  # dask_score
sys.path.insert(0, os.path.join(HERE, "..", "python", "tests"))  # random_records
sys.path.insert(0, HERE)  # results_io
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import dask_score  # noqa: E402
from results_io import write_results  # noqa: E402

BUNDLE = os.path.join(HERE, "..", "models", "stroke.bundle.json")
FILES = 4


def write_rows(directory, model, rows):
    """FILES CSV files of random valid stroke rows with an id column (once: reused when present)."""
    from conftest import random_records
    if len(glob.glob(os.path.join(directory, "part*.csv"))) == FILES:
        return
    os.makedirs(directory, exist_ok=True)
    fields = list(model.feature_names_in_)
    per_file = rows // FILES
    for k in range(FILES):
        records = random_records(model, per_file, seed=100 + k)
        with open(os.path.join(directory, f"part{k}.csv"), "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["id", *fields])
            for i, r in enumerate(records):
                out.writerow([f"{k}-{i}", *("" if r[n] is None else str(r[n]).lower() if isinstance(r[n], bool)
                                            else r[n] for n in fields)])


def one_process(directory, scorer):
    """The same reading, scoring and writing in this process, file by file, no Dask
    (the results go to <directory>-single/, out of the way of dask_score's inputs)."""
    os.makedirs(directory + "-single", exist_ok=True)
    start = time.perf_counter()
    rows = 0
    for path in sorted(glob.glob(os.path.join(directory, "part*.csv"))):
        text = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
        scored = dask_score.score_frame(text, scorer, "id")
        scored.to_csv(os.path.join(directory + "-single", os.path.basename(path)), index=False)
        rows += len(scored)
    return rows, time.perf_counter() - start


def summarize(times, rows):
    return {"rows": rows, "best_s": min(times), "median_s": statistics.median(times),
            "rows_per_s_best": rows / min(times), "rows_per_s_median": rows / statistics.median(times)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", default=os.path.join(HERE, "..", "build-bench", "dask-data"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blocksize", default="8MB", help="CSV bytes per partition (default 8MB: 12 partitions)")
    parser.add_argument("--out", help="results as JSON (default: printed)")
    args = parser.parse_args()
    with open(BUNDLE, encoding="utf-8") as f:
        scorer = dask_score.BundleScorer(f.read())
    write_rows(args.data, scorer.model, args.rows)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # the workers import stroke as we do

    results = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
               "load_average_before": os.getloadavg(), "files": FILES, "blocksize": args.blocksize, "runs": {}}
    times = []
    for _ in range(args.repeat):
        rows, seconds = one_process(args.data, scorer)
        times.append(seconds)
    results["runs"]["one process, no Dask"] = summarize(times, rows)
    print(f"one process: {rows / min(times):,.0f} rows/s (best of {args.repeat})", flush=True)
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            times = []
            for _ in range(args.repeat):
                summary = dask_score.score_directory(client, BUNDLE, args.data, id_column="id",
                                                     blocksize=args.blocksize)
                times.append(summary["seconds"])
        results["runs"][f"LocalCluster, {workers} worker{'s' if workers > 1 else ''}"] = summarize(times, summary["rows"])
        print(f"{workers} worker(s): {summary['rows'] / min(times):,.0f} rows/s (best of {args.repeat})", flush=True)
    results["load_average_after"] = os.getloadavg()
    write_results(results, args.out)


if __name__ == "__main__":
    main()
