#!/usr/bin/env bash
# Runs libstroke's benchmarks and the scikit-learn peer in one go, on this
# machine, and prints what docs/benchmarks.md records.
#   bench/run_peers.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== libstroke ($build/bench/predict_bench)"
"$build/bench/predict_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null |
  grep -E "median|Benchmark"
echo "== scikit-learn peer"
"$(scripts/find-python.sh)" bench/peer_sklearn.py
