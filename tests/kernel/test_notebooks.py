"""Every notebook in notebooks/ executes headless, and the saved result shows the answer."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import MarkdownExporter

pytestmark = pytest.mark.kernel

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(autouse=True)
def demo_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Notebooks fall back to the demo endpoint: tests never reach a real provider."""
    monkeypatch.setenv("SSE_WIDGET_DEMO", "1")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "DASHSCOPE_API_KEY", "VLLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def execute(name: str, then: str = "") -> nbformat.NotebookNode:
    """Run a notebook headless; ``then`` is a last cell to add, as a headless run would."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    if then:
        nb.cells.append(nbformat.v4.new_code_cell(then))
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True, resources={"metadata": {"path": str(Path.cwd())}}).execute()
    return nb


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_executes_without_errors(name: str) -> None:
    nb = execute(name)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_executed_quickstart_shows_the_answer_without_a_widget_front_end() -> None:
    # The notebook never waits (that would hold Stop back on older kernels);
    # a headless run ends with the wait the README gives for it.
    nb = execute("quickstart.ipynb", then="await answer.wait()")
    widget_outputs = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widget_outputs) == 1, "stream() must display the widget exactly once"
    data = widget_outputs[0]["data"]
    assert data["text/markdown"].startswith("## How streaming works")
    assert data["text/plain"] == data["text/markdown"]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    saved = [m["state"] for m in state.values() if m["state"].get("status") == "done"]
    assert saved and saved[0]["text"] == data["text/markdown"]
    markdown, _ = MarkdownExporter().from_notebook_node(nb)
    assert "one token at a time" in markdown


def test_providers_notebook_streams_every_format_to_done() -> None:
    nb = execute("providers.ipynb")
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    lines = [line for line in printed.splitlines() if line.strip()]
    assert len(lines) == 8, printed
    assert all(" done " in line for line in lines), printed
    assert "DashScope (demo, cumulative)" in printed


def test_teaching_notebook_shows_wire_stop_buffering_error_and_replay() -> None:
    nb = execute("teaching.ipynb")
    printed = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream")
    assert "text/event-stream" in printed and "b'data: {" in printed
    assert "stopped after" in printed and "server saw the disconnect: True" in printed
    assert "buffering" in printed
    assert "error | The server reported an error after" in printed
    assert printed.rstrip().endswith("True"), "the replay must reproduce the live text"
