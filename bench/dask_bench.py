"""Rows/s of examples/dask_score.py (docs/dask.md) on 1M generated stroke rows in 4
CSV files, on a LocalCluster of 1 and of 2 worker processes (one thread each,
loopback), against one process doing the same work without Dask (read the CSV,
convert the cells, stroke.Model.predict_proba + predict, write). A measurement,
not a test:

    PYTHONPATH=build/python /usr/bin/python3 bench/dask_bench.py [--rows 1000000] [--out dask.json]

(bench/run_all.sh runs it with its Release build's module; bench/write_report.py turns
the JSON into the "Beyond one machine: Dask" section of docs/benchmarks.md.)

Each figure is the best and the median of --repeat runs, timed from the first
read to the last write (cluster start and the model's load excluded; both are
once per cluster), and the rows per CPU second the workers (or the one process)
spent, which a busy machine changes less. The rows are written once to --data
(reused when present).
"""
import argparse
import csv
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


def input_paths(directory):
    return [os.path.join(directory, f"part{k}.csv") for k in range(FILES)]


def write_rows(directory, model, rows):
    """FILES CSV files of random valid stroke rows with an id column (once: reused when present)."""
    from conftest import random_records
    if all(os.path.exists(p) for p in input_paths(directory)):
        return
    os.makedirs(directory, exist_ok=True)
    fields = list(model.feature_names_in_)
    per_file = rows // FILES
    for k in range(FILES):
        records = random_records(model, per_file, seed=100 + k)
        with open(input_paths(directory)[k], "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["id", *fields])
            for i, r in enumerate(records):
                out.writerow([f"{k}-{i}", *("" if r[n] is None else str(r[n]).lower() if isinstance(r[n], bool)
                                            else r[n] for n in fields)])


def one_process(directory, scorer):
    """The same reading, scoring and writing in this process, file by file, no Dask
    (the results go to <directory>-single/, out of the way of dask_score's inputs).
    Returns (rows, seconds, CPU seconds)."""
    os.makedirs(directory + "-single", exist_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    rows = 0
    for path in input_paths(directory):
        text = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
        scored = dask_score.score_frame(text, scorer, "id")
        scored.to_csv(os.path.join(directory + "-single", os.path.basename(path)), index=False)
        rows += len(scored)
    return rows, time.perf_counter() - start, time.process_time() - cpu


def on_cluster(client, data, blocksize):
    """One dask_score run: (rows, seconds, CPU seconds of the workers together)."""
    cpu = sum(client.run(time.process_time).values())
    summary = dask_score.score_directory(client, BUNDLE, data, id_column="id", blocksize=blocksize)
    return summary["rows"], summary["seconds"], sum(client.run(time.process_time).values()) - cpu


def summarize(runs):
    """runs: [(rows, seconds, CPU seconds)] -> the figures of the best and the median run.
    Rows per CPU second is what a worker's core does: the machine's load does not change it much."""
    rows = runs[0][0]
    times = [r[1] for r in runs]
    cpu = [r[2] for r in runs]
    return {"rows": rows, "best_s": min(times), "median_s": statistics.median(times),
            "rows_per_s_best": rows / min(times), "rows_per_s_median": rows / statistics.median(times),
            "rows_per_cpu_s": rows / statistics.median(cpu)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", help="where the CSV files are written once (default build-bench/dask-data-ROWS)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blocksize", default="8MB", help="CSV bytes per partition (default 8MB: 12 partitions)")
    parser.add_argument("--out", help="results as JSON (default: printed)")
    args = parser.parse_args()
    args.data = args.data or os.path.join(HERE, "..", "build-bench", f"dask-data-{args.rows}")
    with open(BUNDLE, encoding="utf-8") as f:
        scorer = dask_score.BundleScorer(f.read())
    write_rows(args.data, scorer.model, args.rows)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # the workers import stroke as we do

    results = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
               "load_average_before": os.getloadavg(), "files": FILES, "blocksize": args.blocksize,
               "repeat": args.repeat, "runs": {}}
    runs = [one_process(args.data, scorer) for _ in range(args.repeat)]
    results["runs"]["one process, no Dask"] = summarize(runs)
    print(f"one process: {results['runs']['one process, no Dask']}", flush=True)
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            runs = [on_cluster(client, args.data, args.blocksize) for _ in range(args.repeat)]
        name = f"LocalCluster, {workers} worker{'s' if workers > 1 else ''}"
        results["runs"][name] = summarize(runs)
        print(f"{name}: {results['runs'][name]}", flush=True)
    results["load_average_after"] = os.getloadavg()
    write_results(results, args.out)


if __name__ == "__main__":
    main()
