#!/usr/bin/env bash
# The browser tests (test/browser) drive Debian's Chromium through playwright-core. Install it with
# apt-get when it is missing; fail loudly when that is impossible, so the browser tests never skip
# silently. CHROMIUM_PATH overrides the binary (default /usr/bin/chromium).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing at $CHROMIUM and apt-get is not available: install Chromium or set CHROMIUM_PATH" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "Installing Debian's chromium for the browser tests…"
$SUDO apt-get install -y chromium || { $SUDO apt-get update && $SUDO apt-get install -y chromium; }
[ -x "$CHROMIUM" ] || { echo "chromium was installed but $CHROMIUM is missing" >&2; exit 1; }
