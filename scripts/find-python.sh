#!/usr/bin/env bash
# Prints the path of a Python interpreter that has scikit-learn (and numpy),
# trying $STROKE_PYTHON, then Debian's /usr/bin/python3, then python3 on PATH.
# With --with-pytest the interpreter must also have pytest; with --modules LIST
# it needs only LIST (e.g. --modules yaml for tests/deploy_test.py).
# Exits 1 with advice on stderr when none has them.
set -u
modules="sklearn, numpy"
[ "${1:-}" = "--with-pytest" ] && modules="$modules, pytest"
[ "${1:-}" = "--modules" ] && modules="${2:?--modules needs a list}"
for candidate in "${STROKE_PYTHON:-}" /usr/bin/python3 "$(command -v python3 2>/dev/null)"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  if "$candidate" -c "import $modules" >/dev/null 2>&1; then
    echo "$candidate"
    exit 0
  fi
done
cat >&2 <<MSG
No Python interpreter with $modules found (tried \$STROKE_PYTHON, /usr/bin/python3, python3 on PATH).
On Debian 12: sudo apt-get install python3-sklearn python3-pandas python3-pytest python3-yaml
(or run scripts/install-deps.sh), or point STROKE_PYTHON at an interpreter that has them.
MSG
exit 1
