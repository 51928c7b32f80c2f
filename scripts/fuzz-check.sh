#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in a build tree of their own, then runs each for
# a bounded time (docs/testing.md). ctest runs it as fuzz.build and
# fuzz.<target>, 30 seconds each.
#
#   scripts/fuzz-check.sh [--build-dir DIR] [--seconds N] [--build-only | --run-only] [TARGET...]
#
#   --build-dir DIR  the clang build tree (default: build-fuzz)
#   --seconds N      fuzzing time per target (default 30)
#   --build-only     configure and build, do not fuzz
#   --run-only       fuzz the targets already built in DIR (exit 2 if one is
#                    missing): no build step, so runs may share the tree at once
#   TARGET...        bundle_fuzz, record_fuzz, routes_fuzz, http_fuzz (default: all four)
#
# Each run starts from fuzz/corpus/<target> and fuzz/regressions/<target> with
# fuzz/<target>.dict; what it learns goes to DIR/fuzz-work/<target>/corpus (the
# sources are never written), a crashing input to DIR/fuzz-work/<target>/
# (crash-*, timeout-*, oom-*): copy it to fuzz/regressions/<target>/ once fixed.
# Exit status 77 (ctest: SKIPPED) when no clang++ with libFuzzer is found
# ($FUZZ_CXX, else clang++). Jobs: $CMAKE_BUILD_PARALLEL_LEVEL, else nproc.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-fuzz
seconds=30
build_only=0
run_only=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --build-only) build_only=1; shift ;;
    --run-only) run_only=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "fuzz-check: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(bundle_fuzz record_fuzz routes_fuzz http_fuzz)
jobs="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

cxx="${FUZZ_CXX:-clang++}"
if ! command -v "$cxx" >/dev/null; then
  echo "SKIPPED: no $cxx (install clang for the fuzz runs; FUZZ_CXX names another)" >&2
  exit 77
fi
cc="${cxx/clang++/clang}"
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' \
  > "$probe_dir/probe.cc"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cc" -o "$probe_dir/probe" 2>"$probe_dir/log"; then
  echo "SKIPPED: $cxx cannot link -fsanitize=fuzzer,address,undefined: $(head -c 300 "$probe_dir/log")" >&2
  exit 77
fi

start=$SECONDS
if [ $run_only -eq 1 ]; then
  for t in "${targets[@]}"; do
    if [ ! -x "$build_dir/fuzz/$t" ]; then
      echo "fuzz-check: --run-only: $build_dir/fuzz/$t is not built (run with --build-only first)" >&2
      exit 2
    fi
  done
elif [ $build_only -eq 1 ] || [ ! -f "$build_dir/CMakeCache.txt" ]; then
  echo "fuzz-check: configuring $build_dir with $cxx"
  CC="$cc" CXX="$cxx" cmake -S . -B "$build_dir" -DSTROKE_BUILD_FUZZ=ON \
    -DSTROKE_SANITIZE=address,undefined,fuzzer-no-link \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
    -DSTROKE_BUILD_TESTS=OFF -DSTROKE_BUILD_BENCH=OFF -DSTROKE_INSTALL=OFF -DSTROKE_FETCH_WEB_ASSETS=OFF >/dev/null
fi
if [ $run_only -eq 0 ]; then
  cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"
  echo "fuzz-check: built ${targets[*]} in $((SECONDS - start)) s"
fi
[ $build_only -eq 0 ] || exit 0

# Leaks are findings too; a finding must not exit with 77 (libFuzzer's
# default error code, which ctest would take for SKIPPED).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  work="$build_dir/fuzz-work/$t"
  mkdir -p "$work/corpus"
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  echo "fuzz-check: $t for $seconds s"
  if ! "$build_dir/fuzz/$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
       -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 "${dict[@]}" \
       -artifact_prefix="$work/" "$work/corpus" "fuzz/corpus/$t" "fuzz/regressions/$t"; then
    echo "fuzz-check: $t FOUND A BUG: the input is $work/crash-* (or timeout-*, oom-*, leak-*)" >&2
    echo "  reproduce: $build_dir/fuzz/$t <file>    replay all: $build_dir/fuzz/$t -runs=0 fuzz/regressions/$t" >&2
    status=1
  fi
done
exit $status
