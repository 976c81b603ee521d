"""Self-test of the browser harness, in JupyterLab and in Notebook 7.

A notebook shows an ipywidgets slider and a minimal inline anywidget; both
must render, a trait change from the kernel must reach the anywidget's
view, and ``run_cell_source`` must run code appended at the end.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser import harness as jh
from tests.servers import Script, wait_until

WIDGET_CELL = '''\
import anywidget
import ipywidgets
import traitlets


class Probe(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const div = document.createElement("div");
      div.className = "probe";
      const show = () => { div.textContent = model.get("text"); };
      show();
      model.on("change:text", show);
      el.appendChild(div);
    }
    export default { render };
    """
    text = traitlets.Unicode("probe says hi").tag(sync=True)


probe = Probe()
display(ipywidgets.IntSlider(value=7, description="seven"))
display(probe)
'''

# Brackets, quotes and indented blocks: what typing into CodeMirror mangles.
EXTRA_CODE = '''\
def answer(xs):
    if xs:
        return {"value": (xs[0] * xs[1])}
    return {}

print(answer([6, 7])["value"])
probe.text = "changed from the kernel"
'''


def _write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("# harness self-test"),
        nbformat.v4.new_code_cell(WIDGET_CELL),
    ]
    nbformat.write(nb, path)


def test_widgets_render_and_extra_cells_run(
    page, jupyter_server, console_errors, request
):
    t0 = time.monotonic()
    timings: dict[str, float] = {}

    def lap(label: str) -> None:
        timings[label] = round(time.monotonic() - t0, 2)

    name = f"harness_{jupyter_server.kind}.ipynb"
    _write_notebook(jupyter_server.root_dir / name)

    jh.open_notebook(page, jupyter_server, name)
    lap("open")
    assert jh.notebook_kind(page) == jupyter_server.kind
    # The widget manager may still be asking the kernel for its comms just after
    # the notebook opens: the kernel must become idle, not be idle this instant.
    jh.wait_kernel_idle(page, timeout=30)

    jh.run_all_cells(page)
    slider = page.locator(".widget-slider").first
    expect(slider).to_be_visible(timeout=30_000)
    expect(page.locator(".widget-readout").first).to_have_text("7")
    expect(page.locator(".probe")).to_have_text("probe says hi", timeout=30_000)
    lap("widgets")

    cell = jh.run_cell_source(page, "print(6*7)")
    expect(cell.locator(".jp-OutputArea-output")).to_have_text("42", timeout=30_000)
    lap("print")

    cell = jh.run_cell_source(page, EXTRA_CODE)
    expect(cell.locator(".jp-OutputArea-output")).to_have_text("42", timeout=30_000)
    # the source went in untouched: no doubled brackets, no extra indent
    lines = cell.locator(".cm-content .cm-line").all_text_contents()
    assert "\n".join(lines) == EXTRA_CODE
    expect(page.locator(".probe")).to_have_text("changed from the kernel")
    lap("extra code")

    jh.wait_kernel_idle(page, timeout=30)
    lap("idle")

    # A flooded cell can lose its "idle" status message: fake that by
    # setting the front end's kernel status back to busy.  wait_kernel_idle
    # must notice nothing is pending and refresh the status with a probe.
    faked = page.evaluate(
        """() => {
            const p = window.__jupyterHarness.panel();
            const k = p.sessionContext.session.kernel;
            if (typeof k._updateStatus !== 'function') return false;
            k._updateStatus('busy');
            return true;
        }"""
    )
    if faked:
        assert jh.kernel_status(page) == "busy"
        jh.wait_kernel_idle(page, timeout=15, probe_after=0.5)
        assert jh.kernel_status(page) == "idle"
    lap("lost idle")

    assert console_errors == []
    print(f"{jupyter_server.kind} timings (s, cumulative): {timings}")


def test_server_basics(lab_server):
    assert lab_server.url.startswith("http://127.0.0.1:")
    status, body = lab_server.request("GET", "/api/status")
    assert status == 200 and isinstance(body, dict)
    assert lab_server.notebook_url("a b.ipynb").endswith("/lab/tree/a%20b.ipynb")
    src = lab_server.root_dir / "copy_src.ipynb"
    _write_notebook(src)
    sub = lab_server.copy_notebook(src, "sub/copied.ipynb")
    assert (lab_server.root_dir / sub).is_file()
    status, model = lab_server.request("GET", "/api/contents/sub/copied.ipynb?content=0")
    assert status == 200 and model["type"] == "notebook"


def test_server_start_timeout_reports_log_and_cleans_up():
    server = jh.JupyterServer("lab", startup_timeout=0.5)
    with pytest.raises(jh.JupyterServerError, match=r"(?s)did not answer .*server log"):
        server.start()
    assert server.proc is None


def test_page_refuses_outside_hosts_and_never_holds_local_requests(page, server):
    """Outside hosts fail at once; a local request goes out while Python polls.

    The second half is what a test waiting on a local server's log in plain
    Python relies on: no Playwright call is in progress while it waits, so a
    request the fixture intercepted would sit unanswered until the next one.
    """
    url = server.add("/late.png", Script.of([b"not really a png"], content_type="image/png"))
    page.goto(server.add("/blank", Script.of(["<!doctype html><title>blank</title>"], content_type="text/html")))
    refused = page.evaluate(
        """async (urls) => Promise.all(urls.map((u) => fetch(u).then(() => "fetched", () => "refused")))""",
        ["http://example.com/", "https://10.255.255.1:8443/x", "http://127.0.0.1.example.com/"],
    )
    assert refused == ["refused"] * 3
    page.evaluate("(u) => { setTimeout(() => { new Image().src = u; }, 100); }", url)
    assert wait_until(lambda: any(c.path == "/late.png" for c in server.connections), timeout=10), (
        "a local image request was held until the next Playwright call"
    )
