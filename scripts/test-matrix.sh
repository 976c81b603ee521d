#!/usr/bin/env bash
# Runs tests in one fresh virtual environment per row below: the non-browser
# tests (Python, real ipykernel) on the oldest supported Python with the
# oldest supported ipykernel and on the newest Python with the newest
# ipykernel; every direct dependency at the lowest version pyproject.toml
# allows (so a wrong lower bound fails); the JupyterLab and Notebook 7 browser tests on the oldest
# JupyterLab and Notebook the project supports. Everything else runs once,
# in the main environment.
#
# Usage: scripts/test-matrix.sh [ROW...]   (default: every row)
# Environments go to .matrix/ (git-ignored); uv comes from PyPI through pip.
set -euo pipefail
cd "$(dirname "$0")/.."

NON_BROWSER="--ignore=tests/browser --ignore=tests/js"
OLDEST_LAB="tests/browser/test_stream_widget.py tests/browser/test_busy_kernel.py"
# name | python | requirements | what to test
ROWS=(
  "lowest-direct | 3.10 | --resolution lowest-direct | $NON_BROWSER"
  "py3.10-ipykernel6.29 | 3.10 | ipykernel==6.29.* | $NON_BROWSER"
  "py3.13-ipykernel7 | 3.13 | ipykernel>=7 | $NON_BROWSER"
  "lab4.2-notebook7.2-ipykernel6.29 | 3.11 | jupyterlab==4.2.* notebook==7.2.* ipykernel==6.29.* | $OLDEST_LAB"
)

if ! command -v uv >/dev/null 2>&1; then
  python -m pip install --quiet uv
fi
export UV_PYTHON_DOWNLOADS=never

# The newest installed CPython of a minor version: pyenv's if there is one, else uv's search.
find_python() {
  local minor=$1 version
  if command -v pyenv >/dev/null 2>&1 && version=$(pyenv latest "$minor" 2>/dev/null); then
    echo "$(pyenv prefix "$version")/bin/python"
  else
    uv python find --system "$minor"
  fi
}

wanted=("$@")
summary=()
status=0
for row in "${ROWS[@]}"; do
  IFS='|' read -r name minor requirements tests <<<"$row"
  name=$(echo $name) minor=$(echo $minor)
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  started=$SECONDS
  python=$(find_python "$minor") || { echo "matrix $name: no Python $minor found" >&2; status=1; continue; }
  env=".matrix/$name"
  # Made anew each time: packages left from an earlier run would satisfy the
  # requirements and hide the versions a row is meant to test.
  rm -rf "$env"
  uv venv --quiet --python "$python" "$env"
  # The project's dependencies without the project itself: the tests import
  # this checkout through PYTHONPATH, with the bundle the main install built.
  uv pip install --quiet --python "$env/bin/python" -r pyproject.toml --all-extras $requirements
  versions=$("$env/bin/python" -c 'import sys; from importlib.metadata import version as v; print("Python " + sys.version.split()[0] + ", ipykernel " + v("ipykernel") + ", jupyterlab " + v("jupyterlab"))')
  echo "=== matrix $name: $versions"
  # shellcheck disable=SC2086 # $tests is a list of words
  if PATH="$PWD/$env/bin:$PATH" PYTHONPATH="$PWD" "$env/bin/python" -m pytest -q -p no:cacheprovider $tests; then
    result=passed
  else
    result=FAILED
    status=1
  fi
  summary+=("matrix $name ($versions): $result in $((SECONDS - started)) s")
done
printf '%s\n' "${summary[@]}"
exit $status
