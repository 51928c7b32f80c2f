#!/usr/bin/env bash
# Installs everything libstroke needs to build, test and train on a fresh
# Debian 12 machine, from Debian's own repositories. Packages already present
# are not fetched again, so this is quick (and offline-safe) the second time.
#
#   build:  g++, CMake, nlohmann-json (header-only JSON, used inside the library);
#           simdjson (the library's flat-record parser: a link dependency of
#           libstroke and of every program linking libstroke.a);
#           pkg-config (finds cpp-httplib's flags for stroke-serve; the install
#           test links C and C++ programs with libstroke's own stroke.pc);
#           for stroke-serve: cpp-httplib (HTTP), libssl (HMAC, SHA-256, constant-time
#           compare for the credentials cache and API keys), libcrypt (bcrypt/yescrypt
#           password hashes with crypt_r), hiredis (--log-store redis://: the
#           recent events in a Redis stream that every replica shares); CLI11 (both
#           programs' command lines and environment options, header-only) and fmt
#           (number, time and message formatting)
#   tests:  GoogleTest, Google Benchmark; clang with its sanitizer and libFuzzer
#           runtimes (clang, libclang-rt-dev) for the fuzz runs ctest does
#           (docs/testing.md; without them those runs are SKIPPED); python3-yaml
#           for tests/deploy_test.py, which reads deploy/'s compose, Kubernetes
#           and KServe YAML files (without it that test is SKIPPED); redis-server
#           for the --log-store redis:// tests, which start their own on a free
#           loopback port (without it they are SKIPPED)
#   web:    Chromium (Debian's; the browser test drives it headless through
#           puppeteer-core, never a downloaded browser) and npm when the machine
#           has none (Debian's): the build fetches Swagger UI and the page's
#           chart library, the tests @redocly/cli and puppeteer-core, each pinned
#           by a package-lock.json (without npm /docs and /ui lose only those)
#   python: scikit-learn, XGBoost, pandas, numpy, pytest for python_export/
#           (training, exporting, the parity tests); they go to Debian's
#           /usr/bin/python3, which scripts/find-python.sh finds.
#   python module: python3-pybind11 (C++ <-> Python bindings, header-only) and
#           python3-dev (Python's headers) to build `stroke` (python/) for that python3
#   dask:   python3-dask (dask.dataframe) and python3-distributed (its cluster
#           scheduler and workers) for examples/dask_score.py, which scores a directory
#           of CSV files on a cluster through `stroke`, its test (without them SKIPPED)
#           and bench/dask_bench.py (docs/dask.md)
#   --bench: also the peers bench/run_all.sh measures libstroke against:
#           libxgboost-dev (XGBoost's C API), python3-fastapi + python3-uvicorn
#           (the original HTTP service), wrk (HTTP load), valgrind (callgrind
#           instruction counts), time (/usr/bin/time -v: peak memory in stream_bench.py)
set -euo pipefail

packages=(
  build-essential cmake pkg-config libcli11-dev libfmt-dev
  nlohmann-json3-dev libsimdjson-dev libcpp-httplib-dev libssl-dev libcrypt-dev libhiredis-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-dev python3-yaml redis-server
  python3 python3-sklearn python3-pandas python3-numpy python3-pytest python3-xgboost
  python3-dev python3-pybind11 python3-dask python3-distributed chromium
)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [ "${1:-}" = "--bench" ]; then
  packages+=(libxgboost-dev python3-fastapi python3-uvicorn wrk valgrind time)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
