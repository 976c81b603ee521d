"""The widget in real JupyterLab and Notebook 7: streaming, the cursor, Stop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sse_widget.demo import DemoServer
from tests.browser.harness import open_notebook, run_all_cells
from tests.servers import wait_until

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def slow_demo() -> Iterator[DemoServer]:
    """A demo endpoint in the test process, slow enough to click Stop mid-stream."""
    with DemoServer(tokens_per_second=8, ttft=0.2) as server:
        yield server


def widget(page: Any) -> Any:
    return page.locator(".sse-widget").first


def output_text(page: Any) -> str:
    return widget(page).locator(".sse-widget-output").inner_text()


def test_quickstart_streams_with_a_cursor_until_done(
    page: Any, lab_server: Any, screenshots_dir: Path
) -> None:
    name = lab_server.copy_notebook(REPO / "notebooks" / "quickstart.ipynb")
    open_notebook(page, lab_server, name)
    run_all_cells(page)

    root = page.locator('.sse-widget[data-status="streaming"]').first
    root.wait_for(timeout=TIMEOUT_MS)
    output = root.locator('.sse-widget-output[role="log"][aria-live="polite"]')
    page.wait_for_function(
        "() => (document.querySelector('.sse-widget-output')?.innerText || '').length > 40",
        timeout=TIMEOUT_MS,
    )
    first = output.inner_text()
    assert root.locator(".sse-widget-cursor").count() == 1
    assert root.locator(".sse-widget-cursor").inner_text() == "▋"
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(screenshots_dir / "streaming.png"))
    page.wait_for_function(
        "(n) => (document.querySelector('.sse-widget-output')?.innerText || '').length > n + 20",
        arg=len(first),
        timeout=TIMEOUT_MS,
    )
    assert output.inner_text().startswith(first.rstrip("▋").rstrip()[:20])

    done = page.locator('.sse-widget[data-status="done"]').first
    done.wait_for(timeout=TIMEOUT_MS)
    assert done.locator(".sse-widget-cursor").count() == 0
    assert "How streaming works" in output_text(page)
    assert done.get_by_role("button", name="Stop").is_disabled()
    assert done.get_by_role("button", name="Retry").is_enabled()


@pytest.mark.parametrize("frontend", ["lab", "notebook"])
def test_stop_button_closes_the_connection_and_keeps_the_text(
    page: Any, frontend: str, request: pytest.FixtureRequest, slow_demo: DemoServer
) -> None:
    server = request.getfixturevalue(f"{frontend}_server")
    name = server.write_notebook(
        f"stop-{frontend}.ipynb",
        "from sse_widget import stream\n"
        f"w = stream({slow_demo.chat_url!r}, json={{'model': 'demo', 'stream': True, "
        "'messages': [{'role': 'user', 'content': 'How does streaming work?'}]})",
    )
    before = len(slow_demo.requests)
    open_notebook(page, server, name)
    run_all_cells(page)
    root = page.locator('.sse-widget[data-status="streaming"]').first
    root.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => (document.querySelector('.sse-widget-output')?.innerText || '').length > 30",
        timeout=TIMEOUT_MS,
    )
    assert len(slow_demo.requests) == before + 1
    record = slow_demo.requests[-1]
    assert not record.disconnected

    stop = root.get_by_role("button", name="Stop")
    assert stop.is_enabled()
    clicked = time.monotonic()
    stop.click()
    stopped = page.locator('.sse-widget[data-status="stopped"]').first
    stopped.wait_for(timeout=10_000)
    assert wait_until(lambda: record.disconnected, timeout=5), "the server never saw the connection close"
    assert record.disconnected_at is not None and record.disconnected_at - clicked < 5
    assert not record.finished

    # The front end may swap in a fresh view of the stopped widget (the output
    # is updated when a run ends): read the text once that view has it.
    page.wait_for_function(
        "() => (document.querySelector('.sse-widget-output')?.innerText || '').length > 30",
        timeout=TIMEOUT_MS,
    )
    partial = output_text(page)
    assert stopped.locator(".sse-widget-cursor").count() == 0
    sent_tokens = record.tokens_sent
    page.wait_for_timeout(500)
    assert output_text(page) == partial, "no text may arrive after Stop"
    assert slow_demo.requests[-1].tokens_sent == sent_tokens
    assert stopped.get_by_role("button", name="Retry").is_enabled()
