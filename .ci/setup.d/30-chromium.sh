#!/usr/bin/env bash
# Debian's Chromium for the browser tests of descent serve (tests/Descent.Web.Tests drive /usr/bin/chromium with Playwright;
# no browser is ever downloaded). Idempotent: apt-get runs only when chromium is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || true)"
  exit 0
fi
apt-get -o DPkg::Lock::Timeout=600 update
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium
chromium --version
