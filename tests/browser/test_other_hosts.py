"""The built view outside JupyterLab: under VS Code's theme variables, and with none.

Other front ends (VS Code, a plain HTML page) load the same bundle but define no
``--jp-*`` variables. Here the bundle and its CSS are served from the installed
package on 127.0.0.1 and rendered in Chromium with a minimal anywidget model.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sse_widget

STATIC = Path(sse_widget.__file__).resolve().parent / "static"

# VS Code's dark theme defines these on the notebook's output webview.
VSCODE_DARK = {
    "--vscode-editor-foreground": "#d4d4d4",
    "--vscode-editor-background": "#1e1e1e",
    "--vscode-descriptionForeground": "#a0a0a0",
    "--vscode-panel-border": "#444444",
    "--vscode-focusBorder": "#0e639c",
    "--vscode-textLink-foreground": "#3794ff",
    "--vscode-textCodeBlock-background": "#2a2a2a",
    "--vscode-editorWidget-background": "#252526",
    "--vscode-errorForeground": "#f48771",
}

PAGE = """<!doctype html>
<html><head><link rel="stylesheet" href="/static/widget.css"><style>body {{ {variables} }}</style></head>
<body><div id="out"></div>
<script type="module">
import widget from "/static/widget.js";
const attrs = {{
  status: "done", run_id: 1, markdown: true, label: "host", can_retry: true, inspect: false,
  text: "Some **bold** text and a [link](https://example.com).\\n\\n```python\\nprint('hi')\\n```\\n",
  reasoning: "", error: "", error_detail: "", notice: "",
  stats: {{ ttft_ms: 120, elapsed_ms: 900, tokens: 20, tokens_estimated: true, tokens_per_s: 25 }},
}};
const model = {{
  get: (k) => attrs[k], set: (k, v) => {{ attrs[k] = v; }}, on() {{}}, off() {{}}, send() {{}}, save_changes() {{}},
}};
// As anywidget does: a default export that is a function is called once per model.
const entry = typeof widget === "function" ? await widget() : widget;
await entry.initialize?.({{ model }});
entry.render({{ model, el: document.getElementById("out") }});
window.rendered = true;
</script></body></html>
"""


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    """A server on 127.0.0.1 for the bundle (/static/) and one page per theme (/page-*); nothing else."""
    if not (STATIC / "widget.js").exists():
        pytest.fail("the front-end bundle is missing: install the package (it builds js/)")
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.startswith("/page-"):
                variables = "; ".join(f"{k}: {v}" for k, v in VSCODE_DARK.items()) if self.path == "/page-vscode" else ""
                body = PAGE.format(variables=variables).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path.startswith("/static/"):
                self.path = self.path[len("/static") :]
                return super().do_GET()
            self.send_response(204 if self.path == "/favicon.ico" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(STATIC)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def rendered(page: Any, url: str) -> Any:
    page.goto(url)
    page.wait_for_function("window.rendered === true", timeout=10_000)
    return page.locator(".sse-widget")


def color(locator: Any, prop: str = "color") -> str:
    return locator.evaluate(f"(el) => getComputedStyle(el).{prop}")


def test_vscode_theme_variables_are_followed(page: Any, host: str, console_errors: list[str]) -> None:
    root = rendered(page, f"{host}/page-vscode")
    assert color(root) == "rgb(212, 212, 212)"  # --vscode-editor-foreground
    assert color(root.locator("a").first) == "rgb(55, 148, 255)"  # --vscode-textLink-foreground
    assert color(root.locator(".sse-widget-code").first, "backgroundColor") == "rgb(42, 42, 42)"
    assert color(root.locator(".sse-widget-stats")) in ("rgb(160, 160, 160)", "rgb(212, 212, 212)")
    assert console_errors == []


def test_without_any_theme_variables_the_view_is_light(page: Any, host: str, console_errors: list[str]) -> None:
    root = rendered(page, f"{host}/page-plain")
    assert color(root) == "rgb(31, 31, 31)"
    assert color(root.locator("a").first) == "rgb(21, 101, 192)"
    assert color(root.locator(".sse-widget-code").first, "backgroundColor") == "rgb(247, 247, 247)"
    assert console_errors == []
