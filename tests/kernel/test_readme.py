"""Every ```python block of the README runs as pasted, in order, in a real kernel against the demo.

The one rule for blocks that cannot run in a notebook: a block whose first line is
``# script.py`` is a script, and runs on its own with ``python``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
SCRIPT = "# script.py"


def readme_blocks() -> list[str]:
    return BLOCK.findall((ROOT / "README.md").read_text())


@pytest.fixture(autouse=True)
def no_provider(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key or endpoint from the machine: the blocks reach only the demo (and 127.0.0.1)."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_readme_has_blocks_and_only_scripts_leave_the_notebook() -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 8
    assert [b.splitlines()[0] for b in blocks if b.startswith("#") and "script" in b.splitlines()[0]] == [
        f"{SCRIPT}: run with python, not in a notebook"
    ]


def test_every_notebook_block_runs_in_order_against_the_demo() -> None:
    cells = [b for b in readme_blocks() if not b.startswith(SCRIPT)]
    # a last cell, as a headless run would end: every widget that started has ended, none in error but the
    # ones the README points at a server of your own
    cells.append(
        "from sse_widget.widget import StreamWidget as _W\n"
        "import gc\n"
        "_ws = [o for o in gc.get_objects() if isinstance(o, _W)]\n"
        "for _w in _ws:\n"
        "    if _w.running: await _w.wait()\n"
        "print(sorted({(_w.status, _w.error.split(' ')[0]) for _w in _ws}))"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=90, kernel_name="python3", resources={"metadata": {"path": str(Path.cwd())}}).execute()
    errors = [(c.source[:60], o.get("ename"), o.get("evalue")) for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert errors == []
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    statuses = eval(printed)  # noqa: S307 - our own print of a list of tuples
    failed = {error for status, error in statuses if status == "error"}
    assert failed <= {"Connection"}, statuses  # only the ones pointed at a server of your own (127.0.0.1:3000)
    assert ("done", "") in statuses


def test_the_script_block_runs_with_python() -> None:
    (script,) = [b for b in readme_blocks() if b.startswith(SCRIPT)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
