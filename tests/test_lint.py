"""The Python sources and notebooks pass ruff with the rules in pyproject.toml (unused names, likely bugs, import order)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_python_sources_pass_ruff() -> None:
    try:
        import ruff  # noqa: F401  (installed with the dev extra)
    except ImportError:
        pytest.fail("ruff is missing: install the dev extra (pip install -e '.[dev]')")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "sse_widget", "tests", "bench", "notebooks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
