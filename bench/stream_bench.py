"""stroke-predict on a big CSV against scikit-learn's read_csv + predict_proba,
in the same run: wall time and peak memory (/usr/bin/time -v).

    /usr/bin/python3 bench/stream_bench.py --predict build/apps/predict/stroke-predict \
        --data build-bench/bench-data [--rows 1000000] [--out stream.json]

The input is the Kaggle stroke file's format (python_export/stroke_export/datagen.py:
id first, "N/A" bmi, the stroke label last), `--rows` rows from synthetic records no
model saw (seeds 1000+), written once to DATA/stroke_ROWS.csv and reused. Runs, in
REPEATS rounds of one run each, in turn, so that a round's runs meet the same machine (a
VM's speed drifts by 30 % over minutes); per run the median by wall time is kept, with
its CPU time (user + system), and per round scikit-learn's time over ours (the median of
these paired ratios is the figure to quote):
  stroke-predict --threads 1 (pinned to one core with taskset) and --threads 2,
      --id-column id, answers as CSV to a file;
  scikit-learn (one core): pandas.read_csv, the bundle's feature program as pandas
      column operations (one-hot, bmi imputed with the bundle's value), the retrained
      shipped model's predict_proba (DATA/stroke.joblib, bench/make_bench_data.py), the
      probabilities written as CSV with the ids.
Then checks that both gave the same probability for every row (within 1e-12: pandas'
fast float parser).
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "python_export"))
from results_io import write_results  # noqa: E402

REPEATS = 3
PEER = r'''
import sys, json
import joblib, numpy as np, pandas as pd
csv_path, model_path, bundle_path, out_path = sys.argv[1:5]
with open(bundle_path, encoding="utf-8") as f:
    bundle = json.load(f)
model = joblib.load(model_path)
frame = pd.read_csv(csv_path, na_values=["N/A"], keep_default_na=False)
columns = {}
for spec in bundle["inputs"]:
    name = spec["name"]
    if spec["type"] == "category":
        for c in spec["categories"]:
            columns[name + "_" + c] = (frame[name] == c).astype(np.float64)
    elif spec.get("nullable"):
        columns[name] = frame[name].fillna(spec["impute"]).astype(np.float64)
    else:
        columns[name] = frame[name].astype(np.float64)
X = pd.DataFrame(columns)[[f["name"] for f in bundle["features"]]].to_numpy(dtype=np.float32)
p = model.predict_proba(X)[:, 1]
pd.DataFrame({"id": frame["id"], "probability": p}).to_csv(out_path, index=False, float_format="%.17g")
'''


def make_csv(path, rows):
    from stroke_export import datagen
    if os.path.exists(path):
        return
    written, seed = 0, 1000
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(",".join(datagen.STROKE_COLUMNS) + "\n")
        while written < rows:
            n = min(50000, rows - written)
            for r in datagen.stroke_rows(seed, n=n, positives=max(1, n * 249 // 5110), missing_bmi=n * 201 // 5110):
                written += 1
                f.write(",".join(str(v) for v in [written] + r[1:]) + "\n")
            seed += 1
    os.replace(path + ".tmp", path)


def timed(command):
    """(wall seconds, peak RSS in MiB, CPU seconds) of one run under /usr/bin/time -v."""
    run = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"stream_bench: {' '.join(command)} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", run.stderr)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", run.stderr).group(1)) for kind in ("User", "System"))
    return seconds, rss_kib / 1024, cpu


def median_run(runs):
    """The median by wall time of (wall, peak MiB, CPU) runs, with all of them."""
    ordered = sorted(runs)
    median = ordered[len(ordered) // 2]
    return {"seconds": median[0], "cpu_seconds": median[2], "peak_mib": max(r[1] for r in runs), "runs": runs}


def rounds(commands, repeats, outputs):
    """{name: [timed(command) of each round]}: every command once a round, in turn. A
    command's output file (outputs[name]) is deleted before it runs: truncating the last
    run's output (66 MB for ours) is the kernel's work, not the run's."""
    runs = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            if os.path.exists(outputs[name]):
                os.remove(outputs[name])
            runs[name].append(timed(command))
    return runs


def same_probabilities(ours_csv, peer_csv):
    import pandas as pd
    ours = pd.read_csv(ours_csv, usecols=["id", "probability"])
    peer = pd.read_csv(peer_csv)
    if len(ours) != len(peer) or not (ours["id"].values == peer["id"].values).all():
        return False
    return float((ours["probability"] - peer["probability"]).abs().max())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predict", required=True, help="the stroke-predict binary")
    parser.add_argument("--data", required=True, help="bench/make_bench_data.py's directory (stroke.joblib)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--out", help="JSON results (default: print)")
    args = parser.parse_args()
    os.makedirs(args.data, exist_ok=True)
    if not os.path.exists(os.path.join(args.data, "stroke.joblib")):
        from make_bench_data import shipped_model  # the shipped model retrained, checked against the bundle
        shipped_model("stroke", args.data)
    csv_path = os.path.join(args.data, f"stroke_{args.rows}.csv")
    make_csv(csv_path, args.rows)
    bundle = os.path.join(ROOT, "models", "stroke.bundle.json")
    with tempfile.TemporaryDirectory() as tmp:
        ours_out, peer_out = os.path.join(tmp, "ours.csv"), os.path.join(tmp, "peer.csv")
        predict = [args.predict, "--model", bundle, "--id-column", "id", "--no-progress", csv_path, "--output", "csv"]
        commands = {
            "stroke-predict --threads 1": ["taskset", "-c", "0", "sh", "-c",
                                           shlex.join(predict + ["--threads", "1"]) + " >" + shlex.quote(ours_out)],
            "stroke-predict --threads 2": ["sh", "-c", shlex.join(predict + ["--threads", "2"]) + " >" + shlex.quote(ours_out)],
            "scikit-learn read_csv + predict_proba": [
                "taskset", "-c", "0", "env", "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", sys.executable, "-c", PEER,
                csv_path, os.path.join(args.data, "stroke.joblib"), bundle, peer_out],
        }
        results = {"rows": args.rows, "input_bytes": os.path.getsize(csv_path), "runs": {}, "paired_ratios": {}}
        outputs = {"stroke-predict --threads 1": ours_out, "stroke-predict --threads 2": ours_out,
                   "scikit-learn read_csv + predict_proba": peer_out}
        runs = rounds(commands, args.repeats, outputs)
        for name in commands:
            results["runs"][name] = median_run(runs[name])
            r = results["runs"][name]
            print(f"{name}: {r['seconds']:.2f} s ({r['seconds'] / args.rows * 1e9:.0f} ns/row), "
                  f"CPU {r['cpu_seconds']:.2f} s, peak {r['peak_mib']:.1f} MiB", flush=True)
        peer_runs = runs["scikit-learn read_csv + predict_proba"]
        for name in ("stroke-predict --threads 1", "stroke-predict --threads 2"):
            results["paired_ratios"][name] = [peer[0] / ours[0] for peer, ours in zip(peer_runs, runs[name])]
        diff = same_probabilities(ours_out, peer_out)
        # pandas' default float parser may be an ulp off a correctly rounded double; the
        # features are float32, so that rarely shows: allow it, report it.
        if diff is False or diff > 1e-12:
            sys.exit(f"stream_bench: stroke-predict and scikit-learn disagree (max |dp| {diff})")
        results["max_abs_probability_difference"] = diff
    sk = results["runs"]["scikit-learn read_csv + predict_proba"]
    for name in ("stroke-predict --threads 1", "stroke-predict --threads 2"):
        r = results["runs"][name]
        paired = sorted(results["paired_ratios"][name])
        print(f"{name}: {sk['seconds'] / r['seconds']:.1f}x faster (CPU time: {sk['cpu_seconds'] / r['cpu_seconds']:.1f}x), "
              f"{sk['peak_mib'] / r['peak_mib']:.1f}x less memory; paired rounds: median "
              f"{paired[len(paired) // 2]:.1f}x ({', '.join(f'{x:.1f}' for x in paired)})")
    write_results(results, args.out)


if __name__ == "__main__":
    main()
