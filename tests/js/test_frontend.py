"""The front end's own checks (TypeScript types and vitest), run from the Python test command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[2] / "js"


def npm(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    if shutil.which("npm") is None:
        pytest.fail("npm is needed for the front-end tests")
    if not (JS / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=timeout)
    return subprocess.run(["npm", *args], cwd=JS, capture_output=True, text=True, timeout=timeout)


def test_typescript_typechecks() -> None:
    result = npm("run", "typecheck")
    assert result.returncode == 0, result.stdout + result.stderr


def test_vitest_suite_passes() -> None:
    # About a minute on an idle 2-core machine; the split-point tests render
    # thousands of prefixes in jsdom, so leave room for a busy one.
    result = npm("test", timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
