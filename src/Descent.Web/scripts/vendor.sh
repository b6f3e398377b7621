#!/usr/bin/env bash
# Copies the built front-end libraries from node_modules (npm ci, locked by package-lock.json) into wwwroot/vendor,
# where they are committed so that `dotnet build` needs no npm. With --check, compares instead of copying
# (exit 1 when the committed copy differs from what the lock file installs).
set -euo pipefail
cd "$(dirname "$0")/.."
files=(
  "node_modules/uplot/dist/uPlot.iife.min.js:wwwroot/vendor/uPlot.iife.min.js"
  "node_modules/uplot/dist/uPlot.min.css:wwwroot/vendor/uPlot.min.css"
  "node_modules/uplot/LICENSE:wwwroot/vendor/uPlot.LICENSE.txt"
)
status=0
for pair in "${files[@]}"; do
  from="${pair%%:*}"; to="${pair##*:}"
  [ -f "$from" ] || { echo "missing $from: run npm ci first" >&2; exit 2; }
  if [ "${1:-}" = "--check" ]; then
    if cmp -s "$from" "$to"; then echo "same: $to"; else echo "DIFFERS: $to (run src/Descent.Web/scripts/vendor.sh)" >&2; status=1; fi
  else
    mkdir -p "$(dirname "$to")"; cp "$from" "$to"; echo "copied $from -> $to"
  fi
done
exit $status
