"""Honest packaging: the widget imports without its extras, and the demo says what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

# Python's own way to make an import fail as if the package were absent.
WITHOUT_DEMO_EXTRA = "import sys; sys.modules['starlette'] = sys.modules['uvicorn'] = None\n"


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)


def test_runtime_dependencies_are_only_what_the_widget_needs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("=")[0].split("<")[0] for dep in project["dependencies"]}
    assert names == {"anywidget", "ipywidgets", "traitlets", "httpx"}
    extras = project["optional-dependencies"]
    assert {dep.split(">")[0] for dep in extras["demo"]} == {"starlette", "uvicorn"}
    assert {dep.split(">")[0] for dep in extras["lab"]} == {"jupyterlab", "notebook"}


def test_the_widget_imports_and_streams_without_the_demo_extra() -> None:
    result = run_python(
        WITHOUT_DEMO_EXTRA
        + "import sse_widget, sse_widget.demo\n"
        + "from sse_widget import stream, chat, compare, ChatWidget, replay\n"
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn') and sys.modules[m]))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_demo_start_without_the_extra_says_in_one_line_what_to_install() -> None:
    result = run_python(WITHOUT_DEMO_EXTRA + "from sse_widget import demo\ndemo.start()\n")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "sse_widget.setup_errors.MissingExtraError: The demo server needs starlette, "
        'which is not installed: pip install "sse-widget[demo]"'
    )
    assert "ModuleNotFoundError" not in result.stderr, "the import error is replaced, not chained"


def test_demo_server_classes_load_on_first_use() -> None:
    result = run_python("from sse_widget import demo\nprint(demo.DemoServer.__name__, demo.BackgroundServer.__name__)")
    assert result.stdout.split() == ["DemoServer", "BackgroundServer"], result.stderr


def test_the_demo_command_without_the_extra_exits_with_one_line() -> None:
    result = run_python(WITHOUT_DEMO_EXTRA + "import runpy\nrunpy.run_module('sse_widget.demo', run_name='__main__')")
    assert result.returncode == 1
    assert result.stderr.strip() == 'The demo server needs starlette, which is not installed: pip install "sse-widget[demo]"'
