#!/usr/bin/env bash
# Refreshes the README's images in docs/screenshots/ on purpose: runs the
# browser tests that take them, pointed at that folder. (A normal test run
# writes its screenshots to the git-ignored build/screenshots/ instead.)
set -euo pipefail
cd "$(dirname "$0")/.."
SSE_WIDGET_SCREENSHOTS="$PWD/docs/screenshots" python -m pytest -q -m screenshots tests/browser "$@"
git status --short docs/screenshots
