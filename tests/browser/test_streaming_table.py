"""A markdown table streams as a table: from its header row on, with each row once it is complete.

The stream is held at known points (mid-row, right after the header row) while
the page is checked, so the check does not depend on how fast the page or the
kernel get CPU.
"""

from __future__ import annotations

import threading
from typing import Any

from playwright.sync_api import expect

from tests.browser.harness import open_notebook, run_all_cells
from tests.servers import Script, ScriptedServer, openai_chunks

TIMEOUT_MS = 30_000

HEADER = "Sizes:\n\n| name | size |\n"
ROWS = "|------|-----:|\n| alpha | 1 |\n| beta | 22 |\n"
PARTIAL = "| gam"
REST = "ma | 333 |\n\nAfter the table."
#: Token pieces; the stream is held before piece AFTER_HEADER and before piece MID_ROW.
PIECES = ["Sizes:\n\n", "| name ", "| size |\n", *ROWS.splitlines(keepends=True), PARTIAL, REST]
AFTER_HEADER = 3
MID_ROW = PIECES.index(REST)


def cells(table: Any, selector: str) -> list[str]:
    return [text.replace("▋", "").strip() for text in table.locator(selector).all_inner_texts()]


def test_table_renders_from_the_header_row_while_streaming(page: Any, lab_server: Any, server: ScriptedServer) -> None:
    assert "".join(PIECES) == HEADER + ROWS + PARTIAL + REST
    script = Script.of(openai_chunks(PIECES), delay=0.01)
    after_header, mid_row = threading.Event(), threading.Event()
    script.holds = {AFTER_HEADER: after_header, MID_ROW: mid_row}
    url = server.add("/streaming-table", script)
    name = lab_server.write_notebook(
        "streaming-table.ipynb",
        f"from sse_widget import stream\nw = stream({url!r}, json={{'stream': True}}, label='table')",
    )
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    widget = page.locator('.sse-widget[data-status="streaming"]').first
    table = widget.locator(".sse-widget-output table")

    # Held right after the header row: already a table, with no rows.
    expect(table.locator("thead th")).to_have_count(2, timeout=TIMEOUT_MS)
    assert cells(table, "thead th") == ["name", "size"]
    assert table.locator("tbody tr").count() == 0
    assert "|" not in widget.locator(".sse-widget-output").inner_text()
    after_header.set()

    # Held mid-row: the completed rows, not the half-written one.
    expect(table.locator("tbody tr")).to_have_count(2, timeout=TIMEOUT_MS)
    assert cells(table, "tbody td") == ["alpha", "1", "beta", "22"]
    output = widget.locator(".sse-widget-output").inner_text()
    assert "gam" not in output and "|" not in output
    mid_row.set()

    done = page.locator('.sse-widget[data-status="done"]').first
    expect(done.locator(".sse-widget-output table tbody tr")).to_have_count(3, timeout=TIMEOUT_MS)
    assert cells(done.locator(".sse-widget-output table"), "tbody td")[-2:] == ["gamma", "333"]
    expect(done.locator(".sse-widget-output p").last).to_have_text("After the table.")
