"""compare() and ChatWidget in real JupyterLab: side-by-side streams with one Stop, and a conversation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sse_widget.demo import DemoServer, pick_answer
from tests.browser.harness import open_notebook, run_all_cells

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=40, ttft=0.1) as server:
        yield server


def test_compare_streams_side_by_side_and_stop_all_stops_every_one(
    page: Any, lab_server: Any, demo: DemoServer, screenshots_dir: Path
) -> None:
    base = demo.base_url
    name = lab_server.write_notebook(
        "compare.ipynb",
        "from sse_widget import compare\n"
        "view = compare({\n"
        f"    'fast': {{'model': 'fast', 'prompt': 'Show me some code', 'base_url': {base!r}, 'api_key': '', 'demo': {{'tokens_per_second': 60}}}},\n"
        f"    'medium': {{'model': 'medium', 'prompt': 'Show me some code', 'base_url': {base!r}, 'api_key': '', 'demo': {{'tokens_per_second': 25}}}},\n"
        f"    'slow': {{'model': 'slow', 'prompt': 'Show me some code', 'base_url': {base!r}, 'api_key': '', 'demo': {{'tokens_per_second': 6}}}},\n"
        "})",
    )
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    grid = page.locator(".sse-compare").first
    grid.wait_for(timeout=TIMEOUT_MS)
    widgets = grid.locator(".sse-widget")
    page.wait_for_function("() => document.querySelectorAll('.sse-compare .sse-widget').length === 3", timeout=TIMEOUT_MS)
    page.locator('.sse-compare .sse-widget[data-status="done"]').first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.sse-compare .sse-widget-output')].every(e => e.innerText.length > 40)",
        timeout=TIMEOUT_MS,
    )
    grid.scroll_into_view_if_needed()
    grid.screenshot(path=str(screenshots_dir / "compare.png"))
    before = len(demo.requests)
    grid.get_by_role("button", name="Stop all").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.sse-compare .sse-widget')].every(e => ['done', 'stopped'].includes(e.dataset.status))",
        timeout=10_000,
    )
    statuses = [widgets.nth(i).get_attribute("data-status") for i in range(3)]
    assert statuses[0] == "done" and statuses[2] == "stopped", statuses
    slow = [r for r in demo.requests[:before] if r.body and r.body.get("model") == "slow"][-1]
    assert slow.disconnected and not slow.finished
    assert [widgets.nth(i).locator(".sse-widget-stats").inner_text() != "" for i in range(3)] == [True] * 3


def test_chat_widget_conversation_in_the_browser(page: Any, lab_server: Any, demo: DemoServer) -> None:
    name = lab_server.write_notebook(
        "chat.ipynb",
        "from sse_widget import ChatWidget\n"
        f"conversation = ChatWidget(model='demo', base_url={demo.base_url!r}, api_key='', demo={{'tokens_per_second': 200}})\n"
        "conversation",
    )
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    chat = page.locator(".sse-chat").first
    chat.wait_for(timeout=TIMEOUT_MS)
    for number, prompt in enumerate(["How does streaming work?", "Show me some code"], start=1):
        chat.locator("textarea").fill(prompt)
        chat.get_by_role("button", name="Send").click()
        page.wait_for_function(
            "(n) => document.querySelectorAll('.sse-chat .sse-widget[data-status=\"done\"]').length === n",
            arg=number,
            timeout=TIMEOUT_MS,
        )
    users = chat.locator(".sse-chat-user")
    assert [users.nth(i).inner_text() for i in range(users.count())] == ["How does streaming work?", "Show me some code"]
    answers = chat.locator(".sse-widget-output")
    assert "one token at a time" in answers.nth(0).inner_text()
    assert "read_stream" in answers.nth(1).inner_text()
    assert pick_answer("Show me some code").startswith("Here is a small Python function")
    assert chat.locator("textarea").input_value() == ""
