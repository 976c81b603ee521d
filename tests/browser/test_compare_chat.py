"""compare() and ChatWidget in real JupyterLab: side-by-side streams with one Stop, and a conversation.

The chat box and compare's controls are driven by keyboard; compare's layout is
measured at a narrow viewport. Held streams (Script holds) stay streaming while
the page is looked at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from sse_widget.demo import DemoServer, pick_answer, tokenize
from tests.browser.harness import open_notebook, run_all_cells
from tests.servers import Script, ScriptedServer, openai_chunks

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
    assert slow.wait_ended(5) and slow.disconnected and not slow.finished
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


# -- the chat box and compare's layout, by keyboard -----------------------------------

CODE_ANSWER = pick_answer("Show me some code")


def held(script: Script, at: int) -> threading.Event:
    """Hold the next run of ``script`` before chunk ``at``, until the event is set."""
    event = threading.Event()
    script.holds = {at: event}
    return event


def tab_to(page: Any, target: Any, limit: int = 40) -> None:
    """Press Tab (at most ``limit`` times) until ``target`` has focus."""
    for _ in range(limit):
        if target.evaluate("(el) => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused(timeout=1)


def command_mode_on_first_cell(page: Any) -> None:
    page.locator(".jp-Cell").first.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")


def test_chat_box_sends_on_enter_grows_and_keeps_focus(page: Any, lab_server: Any, server: ScriptedServer) -> None:
    tokens = tokenize(CODE_ANSWER)
    script = Script.of(openai_chunks(tokens))
    releases = [held(script, 5)]
    server.add("/chatbox/v1/chat/completions", script)
    name = lab_server.write_notebook(
        "chat-box.ipynb",
        "from sse_widget import ChatWidget\n"
        f"conversation = ChatWidget(model='m', base_url={server.url + '/chatbox/v1'!r}, api_key='')\n"
        "conversation",
    )
    try:
        open_notebook(page, lab_server, name)
        run_all_cells(page)
        chat = page.locator(".sse-chat").first
        box = chat.locator("textarea.sse-bar-input")
        box.wait_for(timeout=TIMEOUT_MS)
        command_mode_on_first_cell(page)
        tab_to(page, box)
        page.keyboard.type("first line")
        one_line = box.evaluate("(b) => b.clientHeight")
        assert box.evaluate("(b) => b.scrollHeight <= b.clientHeight"), "the first line is not clipped"
        page.keyboard.press("Shift+Enter")
        page.keyboard.type("second line")
        expect(box).to_have_value("first line\nsecond line")
        two_lines = box.evaluate("(b) => b.clientHeight")
        assert two_lines > one_line, (one_line, two_lines)
        assert box.evaluate("(b) => b.scrollHeight <= b.clientHeight"), "the box grew to its text"

        # Enter sends: the turn shows, the box is empty and keeps the focus.
        page.keyboard.press("Enter")
        expect(chat.locator(".sse-chat-user")).to_have_text(["first line\nsecond line"], timeout=TIMEOUT_MS)
        answer = chat.locator(".sse-widget").first
        expect(answer).to_have_attribute("data-status", "streaming", timeout=TIMEOUT_MS)
        expect(box).to_have_value("")
        expect(box).to_be_focused()
        assert box.evaluate("(b) => b.clientHeight") == one_line
        # One set of controls: the conversation's, none on the answer.
        expect(answer.locator(".sse-widget-stop")).to_be_hidden()
        expect(answer.locator(".sse-widget-retry")).to_be_hidden()
        expect(chat.locator(".sse-bar-stop")).to_be_enabled()
        expect(chat.locator(".sse-bar-send")).to_be_disabled()
        expect(chat.locator(".sse-bar-retry")).to_be_disabled()

        # Esc in the box stops the answer; the box keeps the focus.
        page.keyboard.press("Escape")
        expect(answer).to_have_attribute("data-status", "stopped", timeout=TIMEOUT_MS)
        expect(chat.locator(".sse-bar-stop")).to_be_disabled(timeout=TIMEOUT_MS)
        expect(box).to_be_focused()

        # Stop by Tab and Enter: focus comes back to the box once the answer ends.
        releases.append(held(script, 5))
        page.keyboard.type("again")
        page.keyboard.press("Enter")
        second = chat.locator(".sse-widget").nth(1)
        expect(second).to_have_attribute("data-status", "streaming", timeout=TIMEOUT_MS)
        expect(chat.locator(".sse-bar-stop")).to_be_enabled(timeout=TIMEOUT_MS)
        tab_to(page, chat.locator(".sse-bar-stop"), limit=3)
        page.keyboard.press("Enter")
        expect(second).to_have_attribute("data-status", "stopped", timeout=TIMEOUT_MS)
        expect(box).to_be_focused(timeout=TIMEOUT_MS)

        # An answer that streams to the end leaves the focus in the box.
        script.holds = {}
        page.keyboard.type("last")
        page.keyboard.press("Enter")
        third = chat.locator(".sse-widget").nth(2)
        expect(third).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)
        expect(box).to_be_focused()
        expect(chat.locator(".sse-bar-send")).to_be_enabled()
        expect(chat.locator(".sse-bar-retry")).to_be_enabled()
    finally:
        for release in releases:
            release.set()


NARROW = {"width": 560, "height": 900}

# Whether the first occurrence of `word` in el's text lies on one line box.
ON_ONE_LINE = """(el, word) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let text = '', nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, text.length]); text += n.data; }
  const at = text.indexOf(word);
  if (at < 0) return null;
  const place = (i) => { for (let k = nodes.length - 1; k >= 0; k--) if (nodes[k][1] <= i) return [nodes[k][0], i - nodes[k][1]]; };
  const range = document.createRange();
  range.setStart(...place(at));
  range.setEnd(...place(at + word.length - 1));
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  return tops.size === 1;
}"""


def test_compare_stacks_on_a_narrow_screen_and_its_controls_follow_the_runs(
    page: Any, lab_server: Any, server: ScriptedServer
) -> None:
    tokens = tokenize(CODE_ANSWER)
    scripts = {label: Script.of(openai_chunks(tokens)) for label in ("a", "b", "c")}
    releases = [held(scripts["c"], len(tokens) - 2)]
    urls = {label: server.add(f"/compare-narrow/{label}", s) for label, s in scripts.items()}
    requests = ", ".join(f"{label!r}: {{'url': {url!r}, 'json': {{'stream': True}}}}" for label, url in urls.items())
    name = lab_server.write_notebook("compare-narrow.ipynb", f"from sse_widget import compare\nview = compare({{{requests}}})")
    page.set_viewport_size(NARROW)
    try:
        open_notebook(page, lab_server, name)
        run_all_cells(page)
        grid = page.locator(".sse-compare").first
        widgets = grid.locator(".sse-widget")
        expect(widgets).to_have_count(3, timeout=TIMEOUT_MS)
        for i in (0, 1):
            expect(widgets.nth(i)).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)
        expect(widgets.nth(2)).to_have_attribute("data-status", "streaming", timeout=TIMEOUT_MS)

        # Stacked: one column, each stream below the one before.
        boxes = [widgets.nth(i).bounding_box() for i in range(3)]
        assert len({round(b["x"]) for b in boxes}) == 1, boxes
        assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"] and boxes[1]["y"] + boxes[1]["height"] <= boxes[2]["y"]
        # Code keeps its lines: it scrolls sideways inside its block.
        pre = widgets.nth(0).locator(".sse-widget-code pre").first
        assert pre.evaluate("(p) => p.scrollWidth > p.clientWidth"), "a long line scrolls inside the block"
        assert pre.evaluate(ON_ONE_LINE, "httpx.stream") is True, "an identifier is never broken"
        assert "httpx.stream" in pre.inner_text()

        # Controls styled like the widget's, enabled by the runs.
        stop_all, retry_all = grid.locator(".sse-bar-stop"), grid.locator(".sse-bar-retry")
        for button in (stop_all, retry_all):
            assert "sse-widget-button" in (button.get_attribute("class") or "")
        expect(stop_all).to_be_enabled()
        expect(retry_all).to_be_disabled()
        stop_all.focus()
        page.keyboard.press("Enter")
        expect(widgets.nth(2)).to_have_attribute("data-status", "stopped", timeout=TIMEOUT_MS)
        expect(stop_all).to_be_disabled(timeout=TIMEOUT_MS)
        expect(retry_all).to_be_enabled()
        expect(retry_all).to_be_focused()

        releases += [held(s, 3) for s in scripts.values()]
        page.keyboard.press("Enter")
        for i in range(3):
            expect(widgets.nth(i)).to_have_attribute("data-status", "streaming", timeout=TIMEOUT_MS)
        expect(stop_all).to_be_enabled()
        expect(retry_all).to_be_disabled()
        expect(stop_all).to_be_focused()
    finally:
        for release in releases:
            release.set()
