"""Writes docs/benchmarks.md from one run of bench/run_all.sh: the goals of
the performance issue with each figure, its peers' and the ratio; every
model's one-row and batch figures; HTTP; Dask; instruction counts; the machine.
Hand-written analysis (what limits a missed goal, with a profile) comes from
bench/report_notes.md and is appended unchanged.

    /usr/bin/python3 bench/write_report.py --results build-bench/results --build build-bench --out docs/benchmarks.md
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT_NS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
FLAGS = ("sse4_2", "avx", "avx2", "fma", "bmi2", "avx512f", "avx512bw", "avx512vl")


def gbench(path):
    """{run name: {"ns": median time, "row_ns": median time per item}}."""
    with open(path, encoding="utf-8") as f:
        runs = json.load(f)["benchmarks"]
    out = {}
    for b in runs:
        if b.get("aggregate_name") != "median":
            continue
        entry = {"ns": b["real_time"] * UNIT_NS[b["time_unit"]]}
        if "items_per_second" in b:
            entry["row_ns"] = 1e9 / b["items_per_second"]
        out[b["run_name"]] = entry
    return out


def machine(build):
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = f.read()
    model = re.search(r"model name\s*:\s*(.*)", cpu).group(1)
    flags = set(re.search(r"flags\s*:\s*(.*)", cpu).group(1).split())
    with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
        cache = f.read()
    cxx_flags = re.search(r"CMAKE_CXX_FLAGS_RELEASE:STRING=(.*)", cache).group(1)
    compiler = subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    with open("/proc/meminfo", encoding="utf-8") as f:
        memory = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1)) / 1024 / 1024
    return (f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB; CPU flags: "
            f"{' '.join(x for x in FLAGS if x in flags)}; Linux {platform.release()}; {compiler}; "
            f"Release build ({cxx_flags} -ffp-contract=off; no -march: the portable default)")


def ns(x):
    if x is None:
        return "-"
    if x >= 1e6:
        return f"{x / 1e6:.2f} ms"
    if x >= 1e4:
        return f"{x / 1e3:.1f} µs"
    if x >= 1e3:
        return f"{x / 1e3:.2f} µs"
    return f"{x:.0f} ns"


def ratio(peer, ours):
    return f"{peer / ours:.1f}×" if peer and ours else "-"


def verdict(value, target, at_most):
    if value is None:
        return "not measured"
    if (value <= target) if at_most else (value >= target):
        return "**met**"
    miss = (value / target - 1) if at_most else (1 - value / target)
    return f"missed by {miss * 100:.0f} %" if miss >= 0.01 else f"missed by {miss * 100:.1f} %"


def goals(lib, xgb, sk, http):
    g = lambda name, key="ns": lib.get(name, {}).get(key)  # noqa: E731
    rows = []
    ours, peer = g("batch/gb_100x3/4096", "row_ns"), sk.get("gb_100x3", {}).get("batch_ns", {}).get("4096")
    rows.append(("Batch per row, 100 trees × depth 3, vs scikit-learn", "≥ 8× faster", ns(ours), ns(peer),
                 ratio(peer, ours), verdict(peer / ours if peer and ours else None, 8, False)))
    ours_x, peer_x = g("batch/xgb_100x3/4096", "row_ns"), xgb.get("xgboost_batch/xgb_100x3/4096", {}).get("row_ns")
    rows.append(("Batch per row, 100 trees × depth 3, vs XGBoost C API", "≥ 8× faster", ns(ours_x), ns(peer_x),
                 ratio(peer_x, ours_x), verdict(peer_x / ours_x if peer_x and ours_x else None, 8, False)))
    rows.append(("Batch per row, 100 × depth 3 (guide)", "≤ 60 ns", ns(ours), "", "", verdict(ours, 60, True)))
    one, sk_one = g("one_row/stroke"), sk.get("stroke", {}).get("one_row_ns")
    rows.append(("One prepared row, stroke model", "≤ 150 ns", ns(one), ns(sk_one), ratio(sk_one, one),
                 verdict(one, 150, True)))
    json_ns = g("json/stroke")
    rows.append(("JSON text → probability, in-process", "≤ 2 µs", ns(json_ns), "", "", verdict(json_ns, 2000, True)))
    serve = {r["connections"]: r for r in http.get("stroke-serve", {}).get("runs", [])}
    peer64 = {r["connections"]: r for r in http.get("fastapi-pandas", {}).get("runs", [])}.get(64)
    s64 = serve.get(64)
    if s64:
        rows.append(("stroke-serve, 64 connections: requests/s", "≥ 20,000", f"{s64['rps']:,.0f}",
                     f"{peer64['rps']:,.0f}" if peer64 else "-", ratio(s64["rps"], peer64["rps"] if peer64 else None),
                     verdict(s64["rps"], 20000, False)))
        rows.append(("stroke-serve, 64 connections: p99", "≤ 10 ms", f"{s64['p99_ms']:.2f} ms",
                     f"{peer64['p99_ms']:.0f} ms" if peer64 else "-", "", verdict(s64["p99_ms"], 10, True)))
        rows.append(("stroke-serve, 64 connections: errors", "0", str(s64["errors"]),
                     str(peer64["errors"]) if peer64 else "-", "", "**met**" if s64["errors"] == 0 else "missed"))
        if peer64:
            rows.append(("stroke-serve vs FastAPI peer at 64 connections", "≥ 200×", "", "", ratio(s64["rps"], peer64["rps"]),
                         verdict(s64["rps"] / peer64["rps"], 200, False)))
        rss = http["stroke-serve"]["peak_rss_mb"]
        peer_rss = http.get("fastapi-pandas", {}).get("peak_rss_mb")
        rows.append(("stroke-serve peak resident memory", "≤ 30 MB", f"{rss:.1f} MB",
                     f"{peer_rss:.0f} MB" if peer_rss else "-", "", verdict(rss, 30, True)))
    load = g("load/gb_1000x6")
    rows.append(("Load a 1000-tree depth-6 bundle (scikit-learn GB)", "≤ 150 ms", ns(load), "", "",
                 verdict(load, 150e6, True)))
    lines = ["| goal | target | libstroke | peer | ratio | result |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def scale_goals(lib, xgb, sk, extra):
    """Issue 16's goals (batch scoring at any scale): the deep and large models against their
    peers, one thread; two threads against one; TreeSHAP; the Python module; stroke-predict."""
    rows = []
    for model, peer_name, target in (("rf_200", "scikit-learn", 4), ("gb_100x8", "scikit-learn", 4),
                                     ("gb_1000x8", "scikit-learn", 4), ("xgb_100x8", "XGBoost C API", 4),
                                     ("xgb_1000x8", "XGBoost C API", 4)):
        ours = lib.get(f"batch/{model}/4096", {}).get("row_ns")
        peer = (xgb.get(f"xgboost_batch/{model}/4096", {}).get("row_ns") if peer_name != "scikit-learn"
                else sk.get(model, {}).get("batch_ns", {}).get("4096"))
        rows.append((f"Batch per row, {model} vs {peer_name}", f"≥ {target}× faster", ns(ours), ns(peer),
                     ratio(peer, ours), verdict(peer / ours if peer and ours else None, target, False)))
    shap = lib.get("explain/stroke", {}).get("ns")
    rows.append(("Exact TreeSHAP, one stroke row", "≤ 10 µs", ns(shap), "", "", verdict(shap, 10e3, True)))
    threads = extra.get("threads")
    if threads:
        worst_name, worst = min(((name, r["median_ratio"]) for name, r in threads.items()), key=lambda x: x[1])
        rows.append((f"2 threads against 1, 100,000 rows: the least of {len(threads)} paired medians "
                     f"({worst_name})", "≥ 1.8×", "", "", f"{worst:.2f}×", verdict(worst, 1.8, False)))
    forest = extra.get("python_module", {}).get("forest")
    if forest:
        speedup = forest["sklearn_one_core_s"] / forest["stroke_one_core_s"]
        rows.append(("Python module, rf_200 on a DataFrame vs the scikit-learn Pipeline, one core, "
                     "answers bit-identical", "≥ 3× faster", ns(forest["stroke_one_core_s"] / forest["rows"] * 1e9),
                     ns(forest["sklearn_one_core_s"] / forest["rows"] * 1e9), f"{speedup:.1f}×",
                     verdict(speedup, 3, False) if forest["bit_identical"] else "missed: not bit-identical"))
    stream = extra.get("stream")
    if stream:
        name, peer_name = "stroke-predict --threads 1", "scikit-learn read_csv + predict_proba"
        paired = stream.get("paired_ratios", {}).get(name, [])
        ours, peer = stream["runs"][name], stream["runs"][peer_name]
        if paired:
            speedup = statistics.median(paired)
            rows.append((f"stroke-predict, {stream['rows']:,} rows, one core, vs read_csv + predict_proba "
                         "(median of paired rounds)", "≥ 10× faster", f"{ours['seconds']:.2f} s",
                         f"{peer['seconds']:.2f} s", f"{speedup:.1f}×", verdict(speedup, 10, False)))
        rows.append(("stroke-predict peak memory against scikit-learn's", "≤ 1/10", f"{ours['peak_mib']:.1f} MiB",
                     f"{peer['peak_mib']:.0f} MiB", f"1/{peer['peak_mib'] / ours['peak_mib']:.0f}",
                     verdict(peer["peak_mib"] / ours["peak_mib"], 10, False)))
    lines = ["| goal | target | libstroke | peer | ratio | result |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def threads_table(threads):
    """bench/threads_bench.py: each batch call on one thread and on two, in paired rounds."""
    lines = ["| call / model | one thread | two threads | paired ratio, median | rounds' ratios |", "|---|---|---|---|---|"]
    for name, r in threads.items():
        ones, twos = sorted(p[0] for p in r["pairs_ms"]), sorted(p[1] for p in r["pairs_ms"])
        ratios = sorted(p[0] / p[1] for p in r["pairs_ms"])
        lines.append(f"| {name} | {ones[len(ones) // 2]:.1f} ms | {twos[len(twos) // 2]:.1f} ms | "
                     f"{r['median_ratio']:.2f}× | {', '.join(f'{x:.2f}' for x in ratios)} |")
    return lines


def models_table(lib, xgb, sk, manifest):
    lines = ["| model | trees × depth | peer | one row: libstroke | peer | ratio | batch per row, libstroke: 1 / 16 / 256 / 4096 "
             "| peer, 4096 | ratio |", "|---|---|---|---|---|---|---|---|---|"]
    for m in manifest["models"]:
        name = m["name"]
        one = lib.get(f"one_row/{name}", {}).get("ns")
        batch = [lib.get(f"batch/{name}/{n}", {}).get("row_ns") for n in (1, 16, 256, 4096)]
        if m["family"] == "xgb":
            peer_name = "XGBoost C API"
            peer_one = xgb.get(f"xgboost_one_row/{name}", {}).get("ns")
            peer_batch = xgb.get(f"xgboost_batch/{name}/4096", {}).get("row_ns")
        else:
            peer_name = "scikit-learn"
            peer_one = sk.get(name, {}).get("one_row_ns")
            peer_batch = sk.get(name, {}).get("batch_ns", {}).get("4096")
        lines.append(f"| {name} | {m['trees']} × {m['depth']} | {peer_name} | {ns(one)} | {ns(peer_one)} | "
                     f"{ratio(peer_one, one)} | {' / '.join(ns(b) for b in batch)} | {ns(peer_batch)} | "
                     f"{ratio(peer_batch, batch[-1])} |")
    return lines


def http_table(http):
    lines = ["| server | connections | requests/s | p50 | p99 | errors | peak RSS |", "|---|---|---|---|---|---|---|"]
    for server, result in http.items():
        for r in result["runs"]:
            lines.append(f"| {server} | {r['connections']} | {r['rps']:,.0f} | {r['p50_ms']:.2f} ms | "
                         f"{r['p99_ms']:.2f} ms | {r['errors']} | {result['peak_rss_mb']:.1f} MB |")
    return lines


def protocols_table(protocols):
    """Each route's figures (bench/protocol_bench.py), then the reload costs."""
    lines = ["| route | connections | requests/s | p50 | p99 | errors |", "|---|---|---|---|---|---|"]
    for route in protocols["routes"]:
        for r in route["runs"]:
            lines.append(f"| {route['route']} | {r['connections']} | {r['rps']:,.0f} | {r['p50_ms']:.2f} ms | "
                         f"{r['p99_ms']:.2f} ms | {r['errors']} |")
    reload, under = protocols["reload"], protocols["under_reloads"]
    quiet, busy = under["quiet"], under["reloading"]
    lines += ["", "| reload | cost |", "|---|---|",
              f"| `POST /admin/reload`, nothing changed (a scan of the repository) | {reload['reload_unchanged_ms']:.2f} ms |",
              f"| a new version ({reload['bundle_bytes'] / 1024:.0f} KB bundle) written, `POST /admin/reload` until it "
              f"answers (read, load, golden rows, publish) | {reload['new_version_ms']:.2f} ms |",
              f"| `{under['path']}` at 64 connections, quiet | {quiet['rps']:,.0f} requests/s, p99 {quiet['p99_ms']:.2f} ms, "
              f"{quiet['errors']} errors |",
              f"| the same while the alias moves and the repository reloads every 100 ms ({busy['alias_moves']} moves) | "
              f"{busy['rps']:,.0f} requests/s, p99 {busy['p99_ms']:.2f} ms, {busy['errors']} errors |"]
    return lines


def stream_table(stream):
    """stroke-predict on the big CSV against scikit-learn (bench/stream_bench.py)."""
    peer = stream["runs"]["scikit-learn read_csv + predict_proba"]
    lines = ["| run | wall time | per row | CPU time | peak RSS | scikit-learn's wall time / this | the same, "
             "median of paired rounds | its CPU time / this | its peak RSS / this |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in stream["runs"].items():
        paired = sorted(stream.get("paired_ratios", {}).get(name, []))
        lines.append(f"| {name} | {r['seconds']:.2f} s | {ns(r['seconds'] / stream['rows'] * 1e9)} | "
                     f"{r['cpu_seconds']:.2f} s | {r['peak_mib']:.1f} MiB | {peer['seconds'] / r['seconds']:.1f} | "
                     f"{f'{paired[len(paired) // 2]:.1f}' if paired else ''} | "
                     f"{peer['cpu_seconds'] / r['cpu_seconds']:.1f} | {peer['peak_mib'] / r['peak_mib']:.1f} |")
    return lines


def dask_section(results):
    """The section "Beyond one machine: Dask": bench/dask_bench.py's runs, per worker and against 1 worker."""
    runs = results["runs"]
    one = runs.get("LocalCluster, 1 worker", {}).get("rows_per_s_best")
    rows = next(iter(runs.values()))["rows"]
    lines = ["## Beyond one machine: Dask", "",
             f"`bench/dask_bench.py`: `examples/dask_score.py` ([dask.md](dask.md)) scoring {rows:,} generated "
             f"stroke rows in {results['files']} CSV files ({results['blocksize']} partitions) on a "
             "`LocalCluster` of 1 and of 2 worker processes, one thread each, on loopback; against one process doing "
             "the same work without Dask (read the CSV as text, convert the cells, prepare and score with the `stroke` "
             "module, write the results). Timed from the first read to the last write, best and median of "
             f"{results.get('repeat', 3)} runs; the cluster's start and the model's load (once per worker) are not "
             "included. Everything, the client and scheduler included, shares the machine "
             f"({results['machine']}) with whatever else runs on it: load average "
             f"{results['load_average_before'][0]:.1f} before, {results['load_average_after'][0]:.1f} after.", "",
             "| run | rows/s, best | rows/s, median | per worker, best | against 1 worker | rows per CPU second |",
             "|---|---|---|---|---|---|"]
    for name, r in runs.items():
        workers = int(name.split(", ")[1].split()[0]) if name.startswith("LocalCluster") else None
        per = f"{r['rows_per_s_best'] / workers:,.0f}" if workers else ""
        against = f"{r['rows_per_s_best'] / one:.2f}×" if workers and one else ""
        lines.append(f"| {name} | {r['rows_per_s_best']:,.0f} | {r['rows_per_s_median']:,.0f} | {per} | {against} "
                     f"| {r['rows_per_cpu_s']:,.0f} |")
    lines += ["", "Rows per CPU second counts the CPU time the workers (or the one process) spent, so it "
              "changes less than rows/s when other programs take the cores: on a busy machine read the scaling "
              "from it and from the best runs. The one process reads each file whole; the workers read "
              "partitions and also do Dask's own work (their event loops, handing results between tasks), which "
              "we take to be the gap between their rows per CPU second and the one process's (not profiled)."]
    return lines


def instructions(path):
    counts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            what, calls, total = line.split()
            counts.setdefault(what, {})[int(calls)] = int(total.replace(",", ""))
    lines = ["| path | instructions per call |", "|---|---|"]
    labels = {"one_row": "one prepared stroke row", "batch": "batch of 256 stroke rows, per row",
              "json": "JSON text → probability (stroke)"}
    for what, c in counts.items():
        per_call = (c[2000] - c[1000]) / 1000 / (256 if what == "batch" else 1)
        lines.append(f"| {labels.get(what, what)} | {per_call:,.0f} |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    r = lambda name: os.path.join(args.results, name)  # noqa: E731
    lib, xgb = gbench(r("predict.json")), gbench(r("xgboost.json"))
    with open(r("sklearn.json"), encoding="utf-8") as f:
        sk = json.load(f)
    with open(r("http.json"), encoding="utf-8") as f:
        http = json.load(f)
    with open(os.path.join(args.build, "bench-data", "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    other = [("check + feature program, stroke (10 inputs → 21 features)", lib.get("prepare/stroke")),
             ("check + feature program, lung cancer (14 → 28)", lib.get("prepare/lung_cancer")),
             ("JSON text → probability, lung cancer", lib.get("json/lung_cancer")),
             ("exact TreeSHAP, one stroke row", lib.get("explain/stroke")),
             ("exact TreeSHAP, one lung-cancer row", lib.get("explain/lung_cancer")),
             ("load the stroke bundle", lib.get("load/stroke")),
             ("load a 1000-tree depth-6 XGBoost bundle", lib.get("load/xgb_1000x6"))]
    with open(os.path.join(HERE, "report_notes.md"), encoding="utf-8") as f:
        notes = f.read()
    protocols = []
    if os.path.exists(r("protocols.json")):
        with open(r("protocols.json"), encoding="utf-8") as f:
            protocols = [
                "## Standard protocols and reloads", "",
                "`bench/protocol_bench.py`: one stroke-serve (auth on, as above) serving a model repository of the "
                "stroke bundle; each route sent the same patient as one record under `wrk`; the protocols that give "
                "probabilities are first checked to give `/predict`'s. Then what a reload costs.", "",
                *protocols_table(json.load(f)), ""]
    stream = []
    if os.path.exists(r("stream.json")):
        with open(r("stream.json"), encoding="utf-8") as f:
            figures = json.load(f)
        stream = [
            "## stroke-predict on a big CSV (issue 16)", "",
            f"`bench/stream_bench.py`: {figures['rows']:,} stroke rows in the Kaggle file's format "
            f"({figures['input_bytes'] / 1e6:.0f} MB: id first, N/A bmi, the stroke label last), scored by "
            "`stroke-predict --id-column id --output csv` (`--threads 1` pinned to one core with taskset, and "
            "`--threads 2`) and by scikit-learn on one core: `pandas.read_csv`, the one-hot columns and the bmi "
            "imputation as pandas column operations, the retrained shipped model's `predict_proba`, the "
            "probabilities written as CSV; both answers checked equal "
            f"(max |Δp| {figures['max_abs_probability_difference']:.1g}). Median wall time of repeated runs, made "
            "in rounds (each program once a round, in turn), and the median of each round's ratio; peak "
            "RSS from `/usr/bin/time -v`.", "",
            *stream_table(figures), ""]
    extra = {}
    for key, name in (("threads", "threads.json"), ("python_module", "python_module.json"), ("stream", "stream.json")):
        if os.path.exists(r(name)):
            with open(r(name), encoding="utf-8") as f:
                extra[key] = json.load(f)
    threads = []
    if "threads" in extra:
        threads = [
            "## Two threads against one (issue 16)", "",
            "`bench/threads_bench.py`: `PredictFeaturesBatch` (`batch_threads`) and `PredictProbaBatch` "
            "(`proba_threads`) over 100,000 rows with `BatchOptions::threads` 1 and 2; each round one run of "
            "predict_bench times one thread and then two, back to back (median of 3 repetitions each), and "
            "the round's ratio is their quotient. The median of the rounds' ratios, with each round's:", "",
            *threads_table(extra["threads"]), ""]
    dask = []
    if os.path.exists(r("dask.json")):
        with open(r("dask.json"), encoding="utf-8") as f:
            dask = [*dask_section(json.load(f)), ""]
    text = [
        "# Benchmarks",
        "",
        f"Written by `bench/run_all.sh` on {datetime.date.today().isoformat()}; do not edit by hand (the notes at the "
        "end come from `bench/report_notes.md`). Every figure is the median of repeated runs; each peer ran in the "
        "same run, on the same machine, model and rows. The models and rows are `bench/make_bench_data.py`'s: the "
        "shipped bundles and scale models trained on the stroke features, predicting 4096 synthetic records no "
        "model saw (seed 7), cycled so the branch predictor cannot learn them.",
        "",
        f"Machine: {machine(args.build)}.",
        "",
        "## Goals", "", *goals(lib, xgb, sk, http), "",
        "## Goals of issue 16: batch scoring at any scale", "",
        "The deep forest and the large ensembles per batch row (4096 rows, one thread, as in the next "
        "section), against the peer that trained them; the other rows come from the sections below.", "",
        *scale_goals(lib, xgb, sk, extra), "",
        "## Every model, one thread", "",
        "libstroke: `build-bench/bench/predict_bench`; scikit-learn: `predict_proba` (`bench/peer_sklearn.py`); "
        "XGBoost: `XGBoosterPredictFromDense`, nthread 1 (`build-bench/bench/xgb_bench`, which first checks that both "
        "give the same probability on all 4096 rows). A ratio is the peer's time over libstroke's.", "",
        *models_table(lib, xgb, sk, manifest), "",
        "## HTTP", "",
        "`bench/http_bench.py`: each server alone on the machine with auth on, loaded by `wrk` (keep-alive, same body "
        "and credentials; wrk runs on the same 2 cores). fastapi-pandas is the original API as such services are "
        "written (a one-row DataFrame, get_dummies, predict + predict_proba); fastapi-featureprog is a lean variant "
        "(a precompiled feature program, one predict_proba). Both use the same model, and all servers' answers to "
        "the benchmark body are checked to be equal first.", "",
        *http_table(http), "",
        *protocols,
        *threads,
        *stream,
        *dask,
        "## Other paths", "",
        "| what | libstroke |", "|---|---|", *[f"| {label} | {ns(v['ns']) if v else '-'} |" for label, v in other], "",
        "## Instruction counts (callgrind)", "",
        "`valgrind --tool=callgrind build-bench/bench/instructions` run with N and 2N calls; the difference divided "
        "by N, so start-up and loading cancel out.", "",
        *instructions(r("instructions.txt")), "",
        notes.rstrip(), "",
    ]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    main()
