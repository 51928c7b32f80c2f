#!/bin/sh
# Installs tests/web's npm tools (package-lock.json: pinned versions with
# integrity hashes) into DEST/node_modules, once per lockfile: the web tests'
# fixture (tests/web_tests.cmake). Exit 77 (SKIPPED) without npm or when the
# registry cannot be reached; --ignore-scripts: no package runs code on install.
set -u
src=$(dirname "$0")
dest=${1:?usage: npm_ci.sh DEST}
command -v npm >/dev/null 2>&1 || { echo "SKIPPED: npm is not installed (scripts/install-deps.sh installs it)" >&2; exit 77; }
mkdir -p "$dest"
if cmp -s "$src/package-lock.json" "$dest/package-lock.json" && [ -d "$dest/node_modules" ]; then
  echo "tests/web: npm tools already installed in $dest"
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dest/"
rm -rf "$dest/node_modules"
if ! (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
  rm -f "$dest/package-lock.json"
  echo "SKIPPED: npm ci failed (is the npm registry reachable?)" >&2
  exit 77
fi
