"""Stop while a cell holds the kernel in ``await w.wait()``, in real JupyterLab.

ipykernel before 7.4 reads the Stop message only once the cell ends: the view
says so within a second, and interrupting the kernel stops the run. From 7.4
on the kernel answers the Stop itself.
"""

from __future__ import annotations

import time
from typing import Any

from sse_widget.demo import DemoServer
from tests.browser.harness import open_notebook, run_all_cells
from tests.servers import wait_until

TIMEOUT_MS = 60_000


def test_stop_during_await_wait_says_what_to_do_and_the_interrupt_stops_the_run(
    page: Any, lab_server: Any, slow_demo: DemoServer
) -> None:
    name = lab_server.write_notebook(
        "busy.ipynb",
        "import ipykernel\nfrom sse_widget import stream\n"
        f"w = stream({slow_demo.chat_url!r}, json={{'model': 'demo', 'stream': True, "
        "'messages': [{'role': 'user', 'content': 'How does streaming work?'}]})\n"
        "print('queues comms until the cell ends:', ipykernel.version_info[:2] < (7, 4))\n"
        "await w.wait()",
    )
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    root = page.locator('.sse-widget[data-status="streaming"]').first
    root.wait_for(timeout=TIMEOUT_MS)
    # In the output area: the cell's source in the editor holds the same words,
    # and the widget is the cell's first output, the printed line its second.
    printed = page.locator(".jp-OutputArea-output", has_text="queues comms until the cell ends:")
    printed.wait_for(timeout=TIMEOUT_MS)
    queues_comms = printed.inner_text().split(":")[-1].strip() == "True"
    record = slow_demo.requests[-1]

    root.get_by_role("button", name="Stop").click()
    hint = page.locator(".sse-widget-stop-hint")
    if queues_comms:
        hint.wait_for(state="visible", timeout=5_000)
        assert "Interrupt the kernel" in hint.inner_text()
        assert page.locator('.sse-widget[data-status="streaming"]').count() == 1
        interrupted = time.monotonic()
        # What the toolbar's ■ asks the server for.
        _, sessions = lab_server.request("GET", "/api/sessions")
        kernel = next(s["kernel"]["id"] for s in sessions if s["path"].endswith("busy.ipynb"))
        assert lab_server.request("POST", f"/api/kernels/{kernel}/interrupt")[0] == 204
    else:
        interrupted = time.monotonic()
    page.locator('.sse-widget[data-status="stopped"]').first.wait_for(timeout=10_000)
    assert wait_until(lambda: record.disconnected, timeout=5), "the server never saw the connection close"
    assert record.disconnected_at - interrupted < 2 and not record.finished
    assert not hint.is_visible()
