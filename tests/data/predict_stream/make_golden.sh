#!/usr/bin/env bash
# Writes the expected answers of tests/predict_stream_test.cc: what stroke-predict
# answered before it streamed (built from commit 6438b77, main before the streaming
# pipeline), for each case in cases.txt (a name, then the arguments).
#
#   tests/data/predict_stream/make_golden.sh PATH/TO/OLD/stroke-predict
#
# NAME.out, NAME.err and NAME.status (the exit status) per case. The inputs were
# written once by a seeded generator (rows with errors, blank lines, CRLF, quoted
# line breaks and quotes, a byte-order mark, N/A and empty cells); golden_rows_*.jsonl
# are the other shipped models' golden inputs (multiclass, regression, derived features).
# Except json_explain_jsonl.out, rewritten when TreeSHAP moved to precomputed tables
# (issue 16): 960 of its 1,470 numbers changed by rounding, at most 3.6e-15
# (tests/shap_table_test.cc proves tables and the path algorithm agree).
set -euo pipefail
cd "$(dirname "$0")"
old=${1:?the pre-streaming stroke-predict}
export STROKE_MODELS_DIR=../../../models  # --model NAME: a shipped bundle
while read -r name args; do
  [ -z "$name" ] && continue
  model=(--model stroke)
  [[ " $args " == *" --model "* ]] && model=()
  set +e
  # shellcheck disable=SC2086
  "$old" "${model[@]}" $args >"$name.out" 2>"$name.err"
  echo $? >"$name.status"
  set -e
done <cases.txt
