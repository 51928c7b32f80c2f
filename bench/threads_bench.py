"""Two threads against one, in paired rounds (a measurement, not a test):

    /usr/bin/python3 bench/threads_bench.py --bench build/bench/predict_bench --data DIR \
        [--models stroke,rf_200,gb_1000x8,xgb_1000x8] [--rounds 5] [--out threads.json]

DIR is bench/make_bench_data.py's directory. For each model and each batch call
(`batch_threads`: PredictFeaturesBatch into Predictions; `proba_threads`: PredictProbaBatch
into n x classes doubles), over 100,000 rows: each round is one run of predict_bench that
times, model by model, both calls on one thread and then on two, back to back (3
repetitions each, the median kept); a round's ratio is its one-thread time over its
two-thread time. On a VM whose speed drifts by 30 % within minutes, a ratio of two runs made
seconds apart says more than medians of runs made in any order; the median of the rounds'
ratios is the figure to quote, with their range.
"""
import argparse
import json
import statistics
import subprocess
import sys

from results_io import write_results  # bench/, beside this script

CALLS = ("batch_threads", "proba_threads")


def one_round(bench, data, models):
    """{(call, model, threads): median wall time in ms} from one predict_bench run."""
    pattern = f"^({'|'.join(CALLS)})/({'|'.join(models)})/100000/[12]/real_time$"
    run = subprocess.run([bench, f"--data={data}", f"--benchmark_filter={pattern}", "--benchmark_repetitions=3",
                          "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
                         capture_output=True, text=True, check=True)
    times = {}
    for b in json.loads(run.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            call, model, _, threads = b["run_name"].split("/")[:4]
            times[(call, model, int(threads))] = b["real_time"] / 1e6  # UseRealTime, in ns
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True, help="the predict_bench binary")
    parser.add_argument("--data", required=True)
    parser.add_argument("--models", default="stroke,rf_200,gb_1000x8,xgb_1000x8")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", help="JSON results (default: print)")
    args = parser.parse_args()
    models = args.models.split(",")
    rounds = [one_round(args.bench, args.data, models)]
    timed = [(call, model) for model in models for call in CALLS if (call, model, 2) in rounds[0]]
    if not timed:
        sys.exit(f"threads_bench: no batch_threads or proba_threads benchmark of {args.models} in {args.data}")
    rounds += [one_round(args.bench, args.data, models) for _ in range(args.rounds - 1)]
    results = {}
    for call, model in timed:  # proba_threads: classification models only
        pairs = [(r[(call, model, 1)], r[(call, model, 2)]) for r in rounds]
        ratios = sorted(one / two for one, two in pairs)
        results[f"{call}/{model}"] = {"pairs_ms": pairs, "median_ratio": statistics.median(ratios)}
        print(f"{call}/{model}: one thread {statistics.median(p[0] for p in pairs):.1f} ms, two "
              f"{statistics.median(p[1] for p in pairs):.1f} ms; paired ratio median "
              f"{statistics.median(ratios):.2f}x ({', '.join(f'{r:.2f}' for r in ratios)})", flush=True)
    write_results(results, args.out)


if __name__ == "__main__":
    main()
