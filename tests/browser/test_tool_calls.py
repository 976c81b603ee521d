"""Tool calls in real JupyterLab and Notebook 7: a collapsible block with the name and the streamed arguments.

The notebook streams through the real openai SDK (a callable source), from a
scripted server in this process that plays a recorded tool-calling stream.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests import recordings
from tests.browser.harness import open_notebook, run_all_cells
from tests.servers import Script, ScriptedServer

TIMEOUT_MS = 30_000


def test_tool_call_block_from_an_sdk_stream(page: Any, jupyter_server: Any, server: ScriptedServer) -> None:
    kind = jupyter_server.kind
    recording = recordings.VLLM_REASONING_TOOLS
    pieces = [recording.body[i : i + 40] for i in range(0, len(recording.body), 40)]
    server.add(f"/tools-{kind}/chat/completions", Script.of(pieces, delay=0.02))
    name = jupyter_server.write_notebook(
        f"tools-{kind}.ipynb",
        "import openai\n"
        "from sse_widget import stream\n"
        f"client = openai.OpenAI(base_url={server.url + '/tools-' + kind!r}, api_key='sk-test-key', max_retries=0)\n"
        "w = stream(lambda: client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': 'hi'}],"
        " stream=True), label='tools')",
    )
    open_notebook(page, jupyter_server, name)
    run_all_cells(page)
    widget = page.locator(".sse-widget").filter(has=page.locator(".sse-widget-label", has_text=re.compile(r"^tools$")))
    expect(widget).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)
    block = widget.locator("details.sse-widget-tool")
    expect(block).to_have_count(1)
    expect(block.locator(".sse-widget-tool-name")).to_have_text("get_weather")
    expect(block.locator(".sse-widget-tool-arguments")).to_have_text('{\n  "city": "Paris"\n}')
    expect(widget.locator(".sse-widget-output")).to_have_text("Calling a tool.")
    assert block.evaluate("el => el.open") is True
    block.locator("summary").click()
    expect(block.locator(".sse-widget-tool-arguments")).to_be_hidden()
    assert block.evaluate("el => el.open") is False
