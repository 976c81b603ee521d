"""A saved answer shows after its kernel is gone, in JupyterLab and Notebook 7
with default settings: the package's front-end extension renders the output's
saved markdown where ipywidgets would say "model not found"."""

from __future__ import annotations

import json
import time
from typing import Any

import nbformat
import pytest

from tests.browser.harness import BUILT_LABEXTENSION, open_notebook, run_all_cells
from tests.servers import Script, ScriptedServer, openai_chunks, wait_until

TIMEOUT_MS = 60_000
ANSWER = ["The **saved** answer ", "outlives ", "its kernel.\n\n", "- first point\n", "- second point\n"]


def saved_outputs(path: Any) -> list[dict[str, Any]]:
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError, json.JSONDecodeError):
        return []  # not written yet, or half written
    return [output for cell in nb.cells for output in cell.get("outputs", [])]


def test_reopened_notebook_shows_the_saved_answer_and_not_model_not_found(
    page: Any, jupyter_server: Any, server: ScriptedServer
) -> None:
    if not (BUILT_LABEXTENSION / "package.json").is_file():
        pytest.fail("the front-end extension is not built: npm --prefix labextension run build", pytrace=False)
    url = server.add(f"/saved-answer-{jupyter_server.kind}", Script.of(openai_chunks(ANSWER)))
    name = jupyter_server.write_notebook(
        f"saved-{jupyter_server.kind}.ipynb", f"from sse_widget import StreamWidget\nw = StreamWidget()\nw.start({url!r})"
    )
    open_notebook(page, jupyter_server, name)
    run_all_cells(page)
    page.locator('.sse-widget[data-status="done"]').first.wait_for(timeout=TIMEOUT_MS)
    # the live view is ipywidgets' own, not the saved copy
    assert page.locator(".sse-widget-saved-answer").count() == 0

    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    path = jupyter_server.root_dir / name
    assert wait_until(
        lambda: any("outlives its kernel" in o.get("data", {}).get("text/markdown", "") for o in saved_outputs(path)),
        timeout=30,
    ), saved_outputs(path)
    (output,) = saved_outputs(path)
    assert output["metadata"]["sse_widget"] == {"saved": "text/markdown"}

    assert jupyter_server.shutdown_kernels(path=name) == 1
    started = time.monotonic()
    open_notebook(page, jupyter_server, name)  # a fresh page, with a fresh kernel that has no such model
    saved = page.locator(".jp-OutputArea-output .sse-widget-saved-answer.jp-RenderedMarkdown")
    saved.wait_for(timeout=TIMEOUT_MS)
    assert "outlives its kernel." in saved.inner_text()
    assert saved.locator("strong", has_text="saved").count() == 1
    assert saved.locator("li").count() == 2
    assert page.get_by_text("model not found").count() == 0
    assert page.locator(".sse-widget").count() == 0
    print(f"saved answer shown {time.monotonic() - started:.1f} s after reopening")
