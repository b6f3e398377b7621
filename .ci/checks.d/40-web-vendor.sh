#!/usr/bin/env bash
# The committed uPlot files under src/Descent.Web/wwwroot/vendor are exactly what package-lock.json installs.
set -euo pipefail
cd "$(dirname "$0")/../../src/Descent.Web"
npm ci --no-audit --no-fund --ignore-scripts
bash scripts/vendor.sh --check
