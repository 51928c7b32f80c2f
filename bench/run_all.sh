#!/usr/bin/env bash
# The whole benchmark harness in one command, on this machine:
#
#   bench/run_all.sh [--quick]
#
# installs the peers from Debian (scripts/install-deps.sh --bench), builds
# libstroke in Release (build-bench/), writes the shared models and rows
# (bench/make_bench_data.py, reused when present), then runs side by side:
# predict_bench (libstroke), xgb_bench (XGBoost's C API), peer_sklearn.py
# (scikit-learn), http_bench.py (stroke-serve vs. the FastAPI peer under wrk),
# protocol_bench.py (each HTTP protocol and the cost of a reload),
# threads_bench.py (batches on two threads against one, in paired rounds),
# python_module_bench.py (the stroke module on a default RandomForest
# against the scikit-learn Pipeline),
# stream_bench.py (stroke-predict on a 1M-row CSV against scikit-learn's
# read_csv + predict_proba, time and peak memory), dask_bench.py
# (examples/dask_score.py on 1 and 2 Dask workers) and callgrind
# instruction counts, and writes docs/benchmarks.md from the
# results (bench/write_report.py). Raw results stay in build-bench/results/.
# --quick: fewer repetitions and shorter HTTP runs (a smoke run, ~3 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${1:-}
build=build-bench
results=$build/results
repetitions=5 min_time=0.2 http_seconds=10 stream_rows=1000000 stream_repeats=3 dask_rows=1000000 dask_repeat=3
thread_rounds=5 module_repeats=5
if [ "$quick" = "--quick" ]; then
  repetitions=2 min_time=0.05 http_seconds=3 stream_rows=200000 stream_repeats=1 dask_rows=200000 dask_repeat=1
  thread_rounds=1 module_repeats=1
fi

scripts/install-deps.sh --bench
python=$(scripts/find-python.sh)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target predict_bench xgb_bench instructions stroke-serve \
  stroke-predict _stroke
mkdir -p "$results"
data=$build/bench-data
"$python" bench/make_bench_data.py --out "$data"

gbench=(--data="$data" --benchmark_repetitions=$repetitions --benchmark_min_time=$min_time
        --benchmark_report_aggregates_only=true --benchmark_format=json)
echo "== libstroke (predict_bench)"
"$build/bench/predict_bench" "${gbench[@]}" >"$results/predict.json"
echo "== XGBoost C API (xgb_bench)"
"$build/bench/xgb_bench" "${gbench[@]}" >"$results/xgboost.json"
echo "== scikit-learn"
"$python" bench/peer_sklearn.py --data "$data" --out "$results/sklearn.json"
echo "== HTTP"
"$python" bench/http_bench.py --data "$data" --serve "$build/apps/serve/stroke-serve" --seconds $http_seconds \
  --out "$results/http.json"
echo "== standard protocols and reloads"
"$python" bench/protocol_bench.py --serve "$build/apps/serve/stroke-serve" --seconds $http_seconds \
  --out "$results/protocols.json"

echo "== two threads against one (threads_bench)"
"$python" bench/threads_bench.py --bench "$build/bench/predict_bench" --data "$data" --rounds $thread_rounds \
  --out "$results/threads.json"
echo "== the Python module on rf_200 against the scikit-learn Pipeline"
PYTHONPATH="$build/python" "$python" bench/python_module_bench.py --data "$data" --only forest \
  --repeats $module_repeats --out "$results/python_module.json"

echo "== stroke-predict on a big CSV against scikit-learn"
"$python" bench/stream_bench.py --predict "$build/apps/predict/stroke-predict" --data "$data" --rows $stream_rows \
  --repeats $stream_repeats --out "$results/stream.json"

echo "== Dask: examples/dask_score.py on a LocalCluster of 1 and 2 workers"
PYTHONPATH="$build/python" "$python" bench/dask_bench.py --rows $dask_rows --repeat $dask_repeat \
  --data "$build/dask-data-$dask_rows" --out "$results/dask.json"

echo "== callgrind instruction counts"
: >"$results/instructions.txt"
for path in one_row batch json; do
  for calls in 1000 2000; do
    total=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$build/bench/instructions" --data="$data" $path $calls 2>&1 | sed -n 's/.*Collected : //p')
    echo "$path $calls $total" >>"$results/instructions.txt"
  done
done

"$python" bench/write_report.py --results "$results" --build "$build" --out docs/benchmarks.md
echo "wrote docs/benchmarks.md"
