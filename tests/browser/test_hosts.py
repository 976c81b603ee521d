"""The widget in every host people use: Voilà (default and progressive), marimo,
JupyterLab and Notebook 7. It streams and stops in each, and lists, code and
tables look the same in each (marimo renders it inside a shadow root whose
reset strips list styles)."""

from __future__ import annotations

import json
import time
from typing import Any

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sse_widget.demo import DemoServer
from tests.browser import hosts
from tests.browser.harness import open_notebook, run_all_cells
from tests.servers import Script, ScriptedServer, openai_chunks, wait_until

TIMEOUT_MS = 60_000
QUESTION = {"model": "demo", "stream": True, "messages": [{"role": "user", "content": "How does streaming work?"}]}

MARKDOWN = """Three kinds of block:

- a bullet
- another bullet

1. first
2. second

```python
print("hi")
```

| name | value |
| ---- | ----- |
| a    | 1     |
"""


def notebook(path: Any, code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def marimo_app(code: str) -> str:
    body = "\n".join("    " + line for line in code.splitlines())
    return f"import marimo\n\napp = marimo.App()\n\n\n@app.cell\ndef _():\n    import marimo as mo\n{body}\n    mo.ui.anywidget(w)\n    return\n"


def stream_code(url: str, body: Any) -> str:
    """A cell that makes ``w``, a StreamWidget streaming ``url``, and returns at once."""
    return (
        "import json\nfrom sse_widget import StreamWidget\n"
        f"w = StreamWidget()\nw.start({url!r}, json=json.loads({json.dumps(body)!r}))"
    )


def open_in(page: Any, host: str, code: str, request: pytest.FixtureRequest) -> None:
    """Show the widget that ``code`` makes (as ``w``) in ``host``."""
    if host in ("lab", "notebook"):
        server = request.getfixturevalue(f"{host}_server")
        name = server.write_notebook(f"host-{request.node.name}.ipynb".replace("[", "-").replace("]", ""), code)
        open_notebook(page, server, name)
        run_all_cells(page)
        return
    if host == "marimo":
        server = hosts.marimo("app.py")
        server.write("app.py", marimo_app(code))
        page.goto(server.start().url + "/")
    else:
        server = hosts.voila(progressive=host == "voila-progressive")
        notebook(server.root / "host.ipynb", code + "\nw")
        page.goto(server.start().url + "/voila/render/host.ipynb", timeout=TIMEOUT_MS)
    request.addfinalizer(server.stop)


OTHER_HOSTS = ["voila", "voila-progressive", "marimo"]


def widget_with_status(page: Any, status: str, console_errors: list[str]) -> Any:
    """The first widget showing ``status``; if none does in time, fail saying what the page shows instead.

    A host that cannot build the widget shows a line of its own in its place
    (ipywidgets: "Error displaying widget: model not found") and logs why in
    the browser console: both go into the failure.
    """
    root = page.locator(f'.sse-widget[data-status="{status}"]').first
    try:
        root.wait_for(timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        shown = " ".join(page.locator("body").inner_text(timeout=5_000).split())[:300]
        raise AssertionError(
            f"no widget became {status!r}; the page shows: {shown!r}; browser console errors: {console_errors}"
        ) from None
    return root


@pytest.mark.parametrize("host", OTHER_HOSTS)
def test_streams_live_and_stop_closes_the_connection(
    page: Any, host: str, slow_demo: DemoServer, console_errors: list[str], request: pytest.FixtureRequest
) -> None:
    before = len(slow_demo.requests)
    open_in(page, host, stream_code(slow_demo.chat_url, QUESTION), request)
    root = widget_with_status(page, "streaming", console_errors)
    output = root.locator(".sse-widget-output")
    assert wait_until(lambda: len(output.inner_text()) > 30, timeout=30), "no text streamed in"
    first = len(output.inner_text())
    assert wait_until(lambda: len(output.inner_text()) > first + 10, timeout=30), "the text stopped growing"
    assert len(slow_demo.requests) == before + 1
    record = slow_demo.requests[-1]
    assert not record.disconnected

    clicked = time.monotonic()
    root.get_by_role("button", name="Stop").click()
    page.locator('.sse-widget[data-status="stopped"]').first.wait_for(timeout=10_000)
    assert wait_until(lambda: record.disconnected, timeout=5), "the server never saw the connection close"
    assert record.disconnected_at - clicked < 5 and not record.finished


@pytest.mark.parametrize("host", ["lab", "notebook", *OTHER_HOSTS])
def test_lists_code_and_tables_render_the_same(
    page: Any, host: str, server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    words = MARKDOWN.split(" ")
    url = server.add(f"/markdown-{host}", Script.of(openai_chunks([w + " " for w in words[:-1]] + words[-1:]), delay=0.005))
    open_in(page, host, stream_code(url, {}), request)
    done = page.locator('.sse-widget[data-status="done"]').first
    done.wait_for(timeout=TIMEOUT_MS)
    out = done.locator(".sse-widget-output")
    styles = out.evaluate(
        """(el) => {
          const css = (sel, prop) => { const e = el.querySelector(sel); return e ? getComputedStyle(e)[prop] : null; };
          return {
            ul: css("ul", "listStyleType"), ol: css("ol", "listStyleType"), li: css("li", "display"),
            ulPad: parseFloat(css("ul", "paddingLeft")) > 0,
            pre: css("pre", "whiteSpace"), code: css("pre code", "fontFamily"),
            table: css("table", "display"), cellBorder: parseFloat(css("td", "borderTopWidth")) > 0,
            cellPad: parseFloat(css("td", "paddingLeft")) > 0, th: css("th", "fontWeight"),
          };
        }"""
    )
    assert {k: styles[k] for k in ("ul", "ol", "li", "table")} == {
        "ul": "disc", "ol": "decimal", "li": "list-item", "table": "block"  # block: it scrolls when wide
    }, styles
    assert styles["ulPad"] and styles["cellBorder"] and styles["cellPad"], styles
    assert styles["pre"] in ("pre", "pre-wrap") and "mono" in styles["code"].lower(), styles
    assert int(styles["th"]) >= 600, styles
    assert out.locator("li").count() == 4 and out.locator("td").count() == 2
