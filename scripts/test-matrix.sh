#!/usr/bin/env bash
# Runs the non-browser tests (Python, real ipykernel) in one fresh virtual
# environment per row below: the oldest supported Python with the oldest
# supported ipykernel, and the newest Python with the newest ipykernel.
# The browser and front-end tests run once, in the main environment.
#
# Usage: scripts/test-matrix.sh [ROW...]   (default: every row)
# Environments go to .matrix/ (git-ignored); uv comes from PyPI through pip.
set -euo pipefail
cd "$(dirname "$0")/.."

# name            python  extra requirement
ROWS=(
  "py3.10-ipykernel6.29 3.10  ipykernel==6.29.*"
  "py3.13-ipykernel7    3.13  ipykernel>=7"
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
  read -r name minor requirement <<<"$row"
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  started=$SECONDS
  python=$(find_python "$minor") || { echo "matrix $name: no Python $minor found" >&2; status=1; continue; }
  env=".matrix/$name"
  uv venv --quiet --allow-existing --python "$python" "$env"
  # The project's dependencies without the project itself: the tests import
  # this checkout through PYTHONPATH, with the bundle the main install built.
  uv pip install --quiet --python "$env/bin/python" -r pyproject.toml --extra dev "$requirement"
  versions=$("$env/bin/python" -c 'import sys, ipykernel; print(f"Python {sys.version.split()[0]}, ipykernel {ipykernel.__version__}")')
  echo "=== matrix $name: $versions"
  if PATH="$PWD/$env/bin:$PATH" PYTHONPATH="$PWD" "$env/bin/python" -m pytest -q -p no:cacheprovider \
      --ignore=tests/browser --ignore=tests/js; then
    result=passed
  else
    result=FAILED
    status=1
  fi
  summary+=("matrix $name ($versions): $result in $((SECONDS - started)) s")
done
printf '%s\n' "${summary[@]}"
exit $status
