#!/usr/bin/env bash
# Builds libstroke, the apps and the C++ tests with sanitizers in a build tree
# of their own and runs the tests there (docs/testing.md). ctest runs it as
# sanitize.asan_ubsan (address,undefined, every C++ test).
#
#   scripts/sanitize-check.sh [--sanitize LIST] [--build-dir DIR] [TEST...]
#
#   --sanitize LIST  a -fsanitize= list: address,undefined (default) or thread
#   --build-dir DIR  the build tree (default: build-sanitize-<LIST with _ for ,>)
#   TEST...          build and run only these gtest binaries of tests/ (e.g.
#                    serve_test serve_ops_test); default: build everything and
#                    run ctest there without the python, install, deploy,
#                    sanitize and fuzz labels (no nesting, no Python).
#
# Compiler: $SANITIZE_CXX if set, else clang++ when installed, else $CXX,
# else CMake's default; clang++ pairs with clang for the C test. clang -O0
# builds this tree in half the time g++ -O1 takes, and the tests still run
# in a few minutes; thread keeps -O1 (not measured at -O0). $SANITIZE_OPT
# overrides the level ("-O1 -g1"). Line tables (-g1) make the stack traces
# precise. Jobs for the build and the tests:
# $CMAKE_BUILD_PARALLEL_LEVEL if set, else nproc.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=address,undefined
build_dir=""
tests=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize="$2"; shift 2 ;;
    --sanitize=*) sanitize="${1#*=}"; shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "sanitize-check: unknown option $1" >&2; exit 2 ;;
    *) tests+=("$1"); shift ;;
  esac
done
build_dir="${build_dir:-build-sanitize-${sanitize//,/_}}"
jobs="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

# Every report stops the program with a stack trace; leaks are errors too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1}"

cxx="${SANITIZE_CXX:-}"
if [ -z "$cxx" ]; then
  if command -v clang++ >/dev/null; then cxx=clang++; else cxx="${CXX:-c++}"; fi
fi
case "$cxx" in
  *clang++*) cc="${cxx/clang++/clang}" ;;
  *g++*) cc="${cxx/g++/gcc}" ;;
  *) cc="${CC:-cc}" ;;
esac
if [ "$sanitize" = thread ]; then opt="${SANITIZE_OPT:--O1 -g1}"; else opt="${SANITIZE_OPT:--O0 -g1}"; fi

# A tree configured with another compiler is started afresh (CMake cannot
# switch compilers in place).
cache="$build_dir/CMakeCache.txt"
if [ -f "$cache" ] && ! grep -qx "CMAKE_CXX_COMPILER:[A-Z]*=$(command -v "$cxx")" "$cache"; then
  echo "sanitize-check: $build_dir was configured with another compiler; starting it afresh"
  rm -rf "$build_dir"
fi

start=$SECONDS
echo "sanitize-check: -fsanitize=$sanitize $opt with $cxx in $build_dir ($jobs jobs)"
CC="$cc" CXX="$cxx" cmake -S . -B "$build_dir" -DSTROKE_SANITIZE="$sanitize" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$opt" -DCMAKE_C_FLAGS_DEBUG="$opt" \
  -DSTROKE_BUILD_BENCH=OFF -DSTROKE_INSTALL=OFF -DSTROKE_BUILD_FUZZ=OFF -DSTROKE_BUILD_PYTHON=OFF \
  -DSTROKE_FETCH_WEB_ASSETS=OFF >/dev/null
if [ ${#tests[@]} -eq 0 ]; then
  cmake --build "$build_dir" -j "$jobs"
  built=$SECONDS
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" -LE '^(python|install|deploy|web|sanitize|fuzz)$'
else
  cmake --build "$build_dir" -j "$jobs" --target "${tests[@]}"
  built=$SECONDS
  status=0
  for t in "${tests[@]}"; do
    echo "sanitize-check: $t"
    "$build_dir/tests/$t" || status=1
  done
  [ $status -eq 0 ] || { echo "sanitize-check: FAILED" >&2; exit 1; }
fi
echo "sanitize-check: -fsanitize=$sanitize passed (build $((built - start)) s, tests $((SECONDS - built)) s)"
