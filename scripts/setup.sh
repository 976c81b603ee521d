#!/usr/bin/env bash
# Sets up a development machine from nothing: the browser for the UI tests,
# then the package in editable mode with everything its tests need
# (installing it builds the front end with npm).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing and cannot be installed without root: the browser tests will be skipped." >&2
  fi
fi

python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[dev,demo,lab]"

# The express servers (tutorial, relay, compression, proxy) the interop tests start.
npm ci --prefix tests/interop --no-audit --no-fund
