"""The widget's view in real JupyterLab and Notebook 7.

Markdown while streaming, the cursor, Stop / Retry / Copy / Escape, the error
panel and the notice, the dark theme, reasoning and the event inspector,
hostile stream content, a page reload and a second view of a live widget.
Every test writes its own notebook; the streaming endpoints run in this
process so the tests can see what they served. Tests wait on DOM state.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbconvert import MarkdownExporter
from playwright.sync_api import expect

from sse_widget.demo import DemoServer, pick_answer, tokenize
from tests.browser.harness import open_notebook, run_all_cells, run_cell_source
from tests.servers import Script, ScriptedServer, openai_chunks, sse, tiny_pieces, wait_until

TIMEOUT_MS = 30_000
STREAM_PROMPT = "How does streaming work?"  # ANSWERS[0]: heading, bold, list, inline code
CODE_PROMPT = "Show me some code"  # ANSWERS[1]: fenced code and a table


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """The demo endpoint; each request sets its own pace in the URL."""
    with DemoServer(tokens_per_second=40, ttft=0.05) as server:
        yield server


# -- notebooks -------------------------------------------------------------------


def chat_url(demo: DemoServer, **params: Any) -> str:
    return f"{demo.chat_url}?{urllib.parse.urlencode(params)}" if params else demo.chat_url


def stream_cell(url: str, prompt: str, *, var: str = "w", label: str = "answer") -> str:
    """A cell that streams the demo's answer to ``prompt`` into a widget named ``var``."""
    body = {"model": "demo", "stream": True, "messages": [{"role": "user", "content": prompt}]}
    return (
        "from sse_widget import stream\n"
        "from sse_widget.demo import pick_answer\n"
        f"ANSWER = pick_answer({prompt!r})\n"
        f"{var} = stream({url!r}, json={body!r}, label={label!r})"
    )


def reference_cell(prompt: str) -> str:
    """A widget showing the whole answer at once: what the streamed DOM must end up as."""
    return (
        "from sse_widget import StreamWidget\n"
        "from sse_widget.demo import pick_answer\n"
        "ref = StreamWidget(label='reference')\n"
        f"ref.text = pick_answer({prompt!r})\n"
        "ref.status = 'done'\n"
        "ref"
    )


# -- page helpers ----------------------------------------------------------------


def by_label(page: Any, label: str) -> Any:
    """The widget whose label is exactly ``label``."""
    return page.locator(".sse-widget").filter(
        has=page.locator(".sse-widget-label", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


def with_status(widget: Any, status: str, timeout: int = TIMEOUT_MS) -> None:
    expect(widget).to_have_attribute("data-status", status, timeout=timeout)


# The text of an output without the streaming cursor (the last "▋" while the
# cursor element is there; the text itself may hold that character too).
VISIBLE_TEXT = """(el) => {
  const text = el.textContent;
  const at = el.querySelector('.sse-widget-cursor') ? text.lastIndexOf('\u258b') : -1;
  return at < 0 ? text : text.slice(0, at) + text.slice(at + 1);
}"""


def wait_text_longer(page: Any, widget: Any, n: int, timeout: int = TIMEOUT_MS) -> str:
    widget.locator(".sse-widget-output").wait_for(timeout=timeout)
    handle = widget.element_handle(timeout=timeout)
    page.wait_for_function(
        f"([el, n]) => ({VISIBLE_TEXT})(el.querySelector('.sse-widget-output')).length > n",
        arg=[handle, n],
        timeout=timeout,
        polling=20,
    )
    return output_text(widget)


def output_text(widget: Any) -> str:
    return widget.locator(".sse-widget-output").evaluate(VISIBLE_TEXT)


def markdown_html(widget: Any) -> str:
    return widget.locator(".sse-widget-markdown").evaluate("el => el.innerHTML")


def run_and_print(page: Any, code: str, expected: str) -> None:
    """Run ``code`` in a new cell and wait until its output reads ``expected``."""
    cell = run_cell_source(page, code)
    expect(cell.locator(".jp-OutputArea-output")).to_have_text(expected, timeout=TIMEOUT_MS)


def execute_command(page: Any, command: str, args: dict[str, Any] | None = None) -> None:
    page.evaluate(
        "([c, a]) => window.jupyterapp.commands.execute(c, a)",
        [command, args or {}],
    )


# Records, for the first widget in the page, the status it had when each
# selector first matched inside it.
RECORDER = """
(selectors) => {
  const rec = { first: {} };
  window.__sseRecorder = rec;
  const check = () => {
    const root = document.querySelector('.sse-widget');
    if (!root) return;
    for (const [key, selector] of Object.entries(selectors)) {
      if (!(key in rec.first) && root.querySelector(selector)) rec.first[key] = root.dataset.status;
    }
  };
  new MutationObserver(check).observe(document.body, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  return true;
}
"""


# -- markdown, cursor, Copy ----------------------------------------------------------


def test_markdown_renders_while_streaming_and_ends_as_a_one_shot_render(
    page: Any, jupyter_server: Any, demo: DemoServer, console_errors: list[str]
) -> None:
    answer = pick_answer(STREAM_PROMPT)
    name = jupyter_server.write_notebook(
        f"view-markdown-{jupyter_server.kind}.ipynb",
        stream_cell(chat_url(demo, tokens_per_second=30), STREAM_PROMPT),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=jupyter_server.url)
    open_notebook(page, jupyter_server, name)
    page.evaluate(
        RECORDER,
        {
            "heading": ".sse-widget-markdown h2",
            "bold": ".sse-widget-markdown strong",
            "emphasis": ".sse-widget-markdown em",
            "list": ".sse-widget-markdown ol > li",
            "code": ".sse-widget-markdown p code",
            "cursor": ".sse-widget-cursor",
        },
    )
    run_all_cells(page)
    widget = by_label(page, "answer")
    with_status(widget, "streaming")
    expect(widget.locator(".sse-widget-cursor")).to_have_count(1)
    with_status(widget, "done")
    expect(widget.locator(".sse-widget-cursor")).to_have_count(0)

    first = page.evaluate("() => window.__sseRecorder.first")
    # The cursor shows as soon as the run is live (it blinks while connecting too).
    assert first.pop("cursor") in ("connecting", "streaming")
    assert first == {
        "heading": "streaming",
        "bold": "streaming",
        "emphasis": "streaming",
        "list": "streaming",
        "code": "streaming",
    }, "every markdown element must show up before the stream is done"

    # The final DOM: the answer's structure and text ...
    md = widget.locator(".sse-widget-markdown")
    expect(md.locator("h2")).to_have_text("How streaming works")
    expect(md.locator("ol > li")).to_have_count(4)
    expect(md.locator("strong").first).to_have_text("one token at a time")
    # ... and exactly what a one-shot render of the whole answer gives.
    run_cell_source(page, reference_cell(STREAM_PROMPT))
    reference = by_label(page, "reference")
    with_status(reference, "done")
    assert markdown_html(widget) == markdown_html(reference)
    run_and_print(page, "print(w.text == ANSWER, w.status)", "True done")

    # Copy puts the markdown source on the clipboard.
    widget.get_by_role("button", name="Copy", exact=True).click()
    expect(widget.locator(".sse-widget-copied")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == answer
    assert console_errors == []


# -- Stop, Retry, Escape ---------------------------------------------------------------


def test_stop_retry_and_escape(page: Any, jupyter_server: Any, demo: DemoServer) -> None:
    kind = jupyter_server.kind
    name = jupyter_server.write_notebook(
        f"view-stop-{kind}.ipynb",
        stream_cell(chat_url(demo, tokens_per_second=30), STREAM_PROMPT),
        reference_cell(STREAM_PROMPT),
    )
    open_notebook(page, jupyter_server, name)
    run_all_cells(page)
    widget = by_label(page, "answer")
    reference = by_label(page, "reference")
    with_status(widget, "streaming")
    wait_text_longer(page, widget, 30)
    record = demo.requests[-1]

    # Stop: the connection closes, the partial text stays, the cursor goes.
    widget.get_by_role("button", name="Stop", exact=True).click()
    with_status(widget, "stopped", timeout=10_000)
    expect(widget.locator(".sse-widget-cursor")).to_have_count(0)
    assert wait_until(lambda: record.disconnected, timeout=5)
    assert not record.finished
    partial = output_text(widget)
    assert 30 < len(partial) < len(output_text(reference))
    assert widget.get_by_role("button", name="Stop", exact=True).is_disabled()

    # Retry: a fresh run, starting from an empty text, streams to done.
    page.evaluate(
        "(el) => { const visibleText = " + VISIBLE_TEXT + """;
            const out = el.querySelector('.sse-widget-output');
            const rec = { min: Infinity };
            window.__sseRetry = rec;
            new MutationObserver(() => {
              rec.min = Math.min(rec.min, visibleText(out).length);
            }).observe(out, { subtree: true, childList: true, characterData: true });
        }""",
        widget.element_handle(),
    )
    requests_before = len(demo.requests)
    widget.get_by_role("button", name="Retry", exact=True).click()
    with_status(widget, "done")
    assert len(demo.requests) == requests_before + 1
    assert page.evaluate("() => window.__sseRetry.min") < len(partial)
    assert markdown_html(widget) == markdown_html(reference), "the new run's text only"
    expect(widget.locator(".sse-widget-cursor")).to_have_count(0)
    run_and_print(page, "print(w.text == ANSWER, w.run_id)", "True 2")

    # Escape inside the widget stops the run too.
    widget.get_by_role("button", name="Retry", exact=True).click()
    with_status(widget, "streaming")
    wait_text_longer(page, widget, 20)
    record = demo.requests[-1]
    widget.locator(".sse-widget-output").focus()
    page.keyboard.press("Escape")
    with_status(widget, "stopped", timeout=10_000)
    expect(widget.locator(".sse-widget-cursor")).to_have_count(0)
    assert wait_until(lambda: record.disconnected, timeout=5)
    assert not record.finished


# -- errors ---------------------------------------------------------------------------


def test_error_panel_and_notice(page: Any, jupyter_server: Any, demo: DemoServer) -> None:
    fail_after = 20
    name = jupyter_server.write_notebook(
        f"view-errors-{jupyter_server.kind}.ipynb",
        stream_cell(chat_url(demo, fail="http"), STREAM_PROMPT, var="w429", label="http"),
        stream_cell(
            chat_url(demo, fail="error", fail_after=fail_after, tokens_per_second=200),
            STREAM_PROMPT,
            var="werr",
            label="in-band",
        ),
        # Buffered upstream: 1.4 s of silence, then the whole answer at once.
        stream_cell(chat_url(demo, fail="burst", tokens_per_second=80), STREAM_PROMPT, var="wburst", label="burst"),
    )
    open_notebook(page, jupyter_server, name)
    run_all_cells(page)

    http = by_label(page, "http")
    with_status(http, "error")
    expect(http.locator(".sse-widget-error")).to_contain_text("HTTP 429")
    expect(http.locator(".sse-widget-error")).to_have_attribute("role", "alert")
    expect(http.locator(".sse-widget-cursor")).to_have_count(0)
    assert output_text(http) == ""

    inband = by_label(page, "in-band")
    with_status(inband, "error")
    panel = inband.locator(".sse-widget-error")
    expect(panel).to_contain_text("fail=error")
    expect(inband.locator(".sse-widget-cursor")).to_have_count(0)
    partial = "".join(tokenize(pick_answer(STREAM_PROMPT))[:fail_after])
    run_and_print(page, f"print(werr.text == {partial!r}, werr.status)", "True error")
    text = output_text(inband)
    assert text.startswith("How streaming works")
    assert "one token at a time" in text and "never read" not in text
    below = panel.evaluate(
        "(p) => !!(p.compareDocumentPosition(p.closest('.sse-widget').querySelector('.sse-widget-output'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert below, "the partial text is shown below the error panel"
    expect(inband.get_by_role("button", name="Retry", exact=True)).to_be_enabled()
    # The raw wire shows where it went wrong: the role chunk, the tokens, then
    # the provider's in-band error event.
    inband.get_by_role("button", name="Events", exact=True).click()
    rows = inband.locator(".sse-widget-events .sse-widget-event-data")
    expect(rows).to_have_count(1 + fail_after + 1, timeout=TIMEOUT_MS)
    expect(rows.first).to_contain_text('"role": "assistant"')
    expect(rows.last).to_contain_text('{"error": {"message":')
    for widget in (http, inband):
        expect(widget.locator(".sse-widget-notice")).to_be_hidden()

    # A notice is advice, not an error: the run is done and the text is whole.
    burst = by_label(page, "burst")
    with_status(burst, "done")
    notice = burst.locator(".sse-widget-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_contain_text("buffering")
    expect(burst.locator(".sse-widget-error")).to_have_count(0)
    expect(burst.locator(".sse-widget-output")).to_contain_text("never read.")
    header_then_notice = notice.evaluate("(n) => n.previousElementSibling.classList.contains('sse-widget-header')")
    assert header_then_notice


# -- dark theme -----------------------------------------------------------------------

COLORS = """
(el) => {
  const effectiveBackground = (node) => {
    for (; node instanceof Element; node = node.parentElement) {
      const c = getComputedStyle(node).backgroundColor;
      if (c !== 'transparent' && c !== 'rgba(0, 0, 0, 0)') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const out = el.querySelector('.sse-widget-output');
  const code = el.querySelector('.sse-widget-code');
  return {
    fg: getComputedStyle(out).color,
    bg: effectiveBackground(el),
    code: code ? getComputedStyle(code).backgroundColor : null,
    button: getComputedStyle(el.querySelector('.sse-widget-retry')).color,
  };
}
"""


def luminance(css: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def set_theme(page: Any, theme: str, light: bool) -> None:
    execute_command(page, "apputils:change-theme", {"theme": theme})
    page.wait_for_function(
        "(light) => document.body.dataset.jpThemeLight === String(light)", arg=light, timeout=TIMEOUT_MS
    )


def test_dark_theme(page: Any, lab_server: Any, demo: DemoServer, screenshots_dir: Path) -> None:
    name = lab_server.write_notebook(
        "view-dark.ipynb",
        stream_cell(chat_url(demo, tokens_per_second=400), CODE_PROMPT, label="demo · code"),
    )
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    widget = by_label(page, "demo · code")
    with_status(widget, "done")
    expect(widget.locator(".sse-widget-code pre code .hljs-keyword").first).to_be_visible()
    light = widget.evaluate(COLORS)
    try:
        set_theme(page, "JupyterLab Dark", light=False)
        page.wait_for_function(
            f"([el, fg]) => ({COLORS})(el).fg !== fg",
            arg=[widget.element_handle(), light["fg"]],
            timeout=TIMEOUT_MS,
        )
        page.wait_for_timeout(300)  # let the theme's transitions settle
        dark = widget.evaluate(COLORS)
        assert dark["fg"] != light["fg"] and dark["bg"] != light["bg"], (light, dark)
        assert dark["code"] != light["code"] and dark["button"] != light["button"], (light, dark)
        assert luminance(light["fg"]) < luminance(light["bg"]), light
        assert luminance(dark["fg"]) > luminance(dark["bg"]), dark
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(screenshots_dir / "dark.png"))
    finally:
        # The theme is a user setting of the shared server: put it back.
        set_theme(page, "JupyterLab Light", light=True)


# -- reasoning and the event inspector ---------------------------------------------------

REASONING = "The user asks about streams. Servers send events; each carries a token. Answer briefly."
REASONED_ANSWER = "Streams send **one token** at a time, so you can read as it arrives."


THOUGHTS = tokenize(REASONING)
ANSWER_TOKENS = tokenize(REASONED_ANSWER)


def reasoning_chunks() -> list[bytes]:
    """An OpenAI-style stream that thinks first (reasoning_content), then answers."""

    def chunk(**delta: str) -> str:
        return json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]})

    thoughts = [chunk(reasoning_content=t) for t in THOUGHTS]
    answer = [chunk(content=t) for t in ANSWER_TOKENS]
    return sse(*thoughts, *answer, "[DONE]")


#: Where the reasoning stream is held: halfway through the thoughts, and
#: halfway through the answer (chunk indexes, so also event counts).
MID_THOUGHT = len(THOUGHTS) // 2
MID_ANSWER = len(THOUGHTS) + len(ANSWER_TOKENS) // 2


def hold_points(script: Script) -> tuple[threading.Event, threading.Event]:
    """Hold the next run of ``script`` mid-thought and mid-answer, until released."""
    thinking, answering = threading.Event(), threading.Event()
    script.holds = {MID_THOUGHT: thinking, MID_ANSWER: answering}
    return thinking, answering


def expect_thinking(widget: Any, details: Any) -> None:
    """Held mid-thought: the reasoning is open and streaming, with no answer yet."""
    with_status(widget, "streaming")
    expect(details.locator(".sse-widget-reasoning-text")).to_have_text("".join(THOUGHTS[:MID_THOUGHT]), timeout=TIMEOUT_MS)
    expect(details).to_have_js_property("open", True, timeout=TIMEOUT_MS)
    assert output_text(widget) == ""


def expect_answering(widget: Any, details: Any) -> None:
    """Held mid-answer: the reasoning has collapsed on its own while the answer streams."""
    expect(widget.locator(".sse-widget-output")).to_contain_text("Streams send", timeout=TIMEOUT_MS)
    expect(details).to_have_js_property("open", False, timeout=TIMEOUT_MS)
    with_status(widget, "streaming")


def scrolled_to_bottom(events: Any) -> bool:
    return events.locator(".sse-widget-events-list").evaluate(
        "(l) => l.scrollHeight > l.clientHeight && l.scrollHeight - l.scrollTop - l.clientHeight <= 8"
    )


def test_reasoning_and_event_inspector(
    page: Any, lab_server: Any, server: ScriptedServer, screenshots_dir: Path
) -> None:
    # The stream is held at known points while the page is checked, rather than
    # paced and sampled: a kernel or browser that gets no CPU for a moment
    # collapses a paced stream into one burst, and its middle is never seen.
    parts = reasoning_chunks()
    script = Script.of(parts, delay=0.01)
    thinking, answering = hold_points(script)
    url = server.add("/view-reasoning", script)
    name = lab_server.write_notebook(
        "view-reasoning.ipynb",
        "from sse_widget import stream\n"
        f"w = stream({url!r}, json={{'stream': True}}, label='thinking')",
    )
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    widget = by_label(page, "thinking")
    details = widget.locator("details.sse-widget-reasoning")

    # Open while the model thinks, collapsed once the answer comes.
    expect(details).to_be_visible(timeout=TIMEOUT_MS)
    expect(details.locator("summary")).to_have_text("Reasoning")
    expect_thinking(widget, details)
    thinking.set()
    expect_answering(widget, details)
    # The user opens it again: it stays open, also once the run is over (when
    # the front end rebuilds the view for the updated output).
    details.locator("summary").click()
    expect(details).to_have_js_property("open", True, timeout=TIMEOUT_MS)
    answering.set()
    with_status(widget, "done")
    expect(details).to_have_js_property("open", True, timeout=TIMEOUT_MS)
    expect(details.locator(".sse-widget-reasoning-text")).to_have_text(REASONING)
    assert details.locator(".sse-widget-reasoning-text *").count() == 0
    expect(widget.locator(".sse-widget-output strong")).to_have_text("one token")
    assert "The user asks" not in output_text(widget)
    run_and_print(page, f"print(w.reasoning == {REASONING!r}, w.inspect)", "True False")

    # Events: the whole run so far, one row per wire event, as text.
    events = widget.locator(".sse-widget-events")
    toggle = widget.get_by_role("button", name="Events", exact=True)
    expect(events).to_be_hidden()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(events).to_be_visible()
    rows = events.locator(".sse-widget-event")
    expect(rows).to_have_count(len(parts), timeout=TIMEOUT_MS)
    expect(rows.last.locator(".sse-widget-event-data")).to_have_text("[DONE]")
    expect(rows.first.locator(".sse-widget-event-data")).to_contain_text('"reasoning_content": "The"')
    for time_text in rows.locator(".sse-widget-event-time").all_text_contents():
        assert re.fullmatch(r"\+\d+ ms", time_text), time_text
    expect(rows.first.locator(".sse-widget-event-type")).to_have_text("message")
    assert scrolled_to_bottom(events), "the list shows its newest rows"
    run_and_print(page, "print(w.inspect)", "True")

    # A new run empties the list, then its rows arrive while it streams. The
    # user's "open" was for the old run: the new one opens and collapses on its own.
    thinking, answering = hold_points(script)
    widget.get_by_role("button", name="Retry", exact=True).click()
    expect_thinking(widget, details)
    expect(rows).to_have_count(MID_THOUGHT, timeout=TIMEOUT_MS)
    thinking.set()
    expect_answering(widget, details)
    expect(rows).to_have_count(MID_ANSWER, timeout=TIMEOUT_MS)
    answering.set()
    with_status(widget, "done")
    expect(rows).to_have_count(len(parts), timeout=TIMEOUT_MS)
    assert scrolled_to_bottom(events), "the list followed the new rows"
    expect(details).to_have_js_property("open", False, timeout=TIMEOUT_MS)

    # Beside the text when the output is wide, below it when narrow.
    out_box = widget.locator(".sse-widget-output").bounding_box()
    ev_box = events.bounding_box()
    assert out_box and ev_box
    assert ev_box["x"] >= out_box["x"] + out_box["width"] - 1, (out_box, ev_box)
    assert abs(ev_box["y"] - out_box["y"]) < 20, (out_box, ev_box)
    widget.screenshot(path=str(screenshots_dir / "inspector.png"))
    viewport = page.viewport_size
    page.set_viewport_size({"width": 560, "height": 900})
    try:
        def stacked() -> bool:
            out, ev = widget.locator(".sse-widget-output").bounding_box(), events.bounding_box()
            return bool(out and ev and ev["y"] >= out["y"] + out["height"] - 1)

        # JupyterLab lays the notebook out again after a resize on its own schedule.
        assert wait_until(stacked, timeout=10), (
            widget.locator(".sse-widget-output").bounding_box(),
            events.bounding_box(),
        )
    finally:
        page.set_viewport_size(viewport)

    # A reload with the inspector open: the new page asks for the rows it has
    # missed, since the kernel sends events only as they happen.
    save_notebook(page, Path(lab_server.root_dir) / name, REASONED_ANSWER)
    page.reload(wait_until="domcontentloaded")
    widget = by_label(page, "thinking")
    events = widget.locator(".sse-widget-events")
    toggle = widget.get_by_role("button", name="Events", exact=True)
    expect(toggle).to_have_attribute("aria-pressed", "true", timeout=60_000)
    expect(events.locator(".sse-widget-event")).to_have_count(len(parts), timeout=TIMEOUT_MS)
    expect(events.locator(".sse-widget-event-data").last).to_have_text("[DONE]")

    # Closing the inspector hides the panel and tells the kernel.
    toggle.click()
    expect(events).to_be_hidden()
    run_and_print(page, "print(w.inspect)", "False")


# -- hostile content ------------------------------------------------------------------

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>window.__pwned=1</script>",
    "[x](javascript:window.__pwned=1)",
    "<svg onload=window.__pwned=1>",
    "<iframe src=javascript:window.__pwned=1></iframe>",
    "![y](javascript:alert(1))",
    '<a href="javascript:alert(1)" onclick="window.__pwned=1">link</a>',
]

SAFETY_RECORDER = """
() => {
  const bad = [];
  window.__sseUnsafe = bad;
  const check = () => {
    for (const out of document.querySelectorAll('.sse-widget-output')) {
      for (const el of out.querySelectorAll('script, iframe, object, embed, svg, math, style, form')) {
        bad.push('element ' + el.tagName);
      }
      for (const el of out.querySelectorAll('*')) {
        for (const attr of Array.from(el.attributes)) {
          const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
          if (/^on/i.test(attr.name)) bad.push(el.tagName + ' ' + attr.name);
          if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name) &&
              value.startsWith('javascript:')) bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
        }
      }
    }
  };
  new MutationObserver(check).observe(document.body, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  return true;
}
"""


def test_hostile_stream_content_stays_inert(page: Any, jupyter_server: Any, server: ScriptedServer) -> None:
    kind = jupyter_server.kind
    source = "Intro **text**\n\n" + "\n\n".join(PAYLOADS) + "\n\nThe end."
    url = server.add(f"/view-xss-{kind}", Script.of(openai_chunks(tiny_pieces(source)), delay=0.003))
    name = jupyter_server.write_notebook(
        f"view-xss-{kind}.ipynb",
        "from sse_widget import stream\n"
        f"w = stream({url!r}, json={{'stream': True}}, label='hostile')",
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_notebook(page, jupyter_server, name)
    page.evaluate(SAFETY_RECORDER)
    run_all_cells(page)
    widget = by_label(page, "hostile")
    with_status(widget, "done")
    expect(widget.locator(".sse-widget-output")).to_contain_text("The end.")
    page.wait_for_timeout(300)  # an onerror / onload would have fired by now

    assert dialogs == []
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.evaluate("() => window.__sseUnsafe") == []
    output = widget.locator(".sse-widget-output")
    # The markdown image keeps no source: its only source was javascript:.
    for selector in ("script", "iframe", "svg", "img[src]", "[onerror]", "[onload]", "[onclick]"):
        assert output.locator(selector).count() == 0, selector
    hrefs = output.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert all(h is None or not h.strip().lower().startswith("javascript:") for h in hrefs), hrefs
    # Raw HTML is shown as text, not dropped.
    text = output_text(widget)
    assert "<script>window.__pwned=1</script>" in text
    assert "<img src=x onerror=alert(1)>" in text


# -- a second view, and a page reload --------------------------------------------------


def saved_widget_output(path: Path) -> dict[str, Any]:
    nb = nbformat.read(path, as_version=4)
    for output in nb.cells[0].outputs:
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
            return output["data"]
    return {}


def save_notebook(page: Any, path: Path, expected_markdown: str) -> None:
    execute_command(page, "docmanager:save")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if saved_widget_output(path).get("text/markdown") == expected_markdown:
                return
        except (OSError, ValueError, json.JSONDecodeError):
            pass  # written right now
        time.sleep(0.1)
    raise AssertionError(f"the notebook was not saved with the final text: {saved_widget_output(path)}")


def test_second_view_mid_stream_and_reload(page: Any, jupyter_server: Any, demo: DemoServer) -> None:
    kind = jupyter_server.kind
    answer = pick_answer(STREAM_PROMPT)
    name = jupyter_server.write_notebook(
        f"view-reload-{kind}.ipynb",
        stream_cell(chat_url(demo, tokens_per_second=30), STREAM_PROMPT),
    )
    open_notebook(page, jupyter_server, name)
    run_all_cells(page)
    views = page.locator(".sse-widget")
    first = views.nth(0)
    with_status(first, "streaming")
    seen = len(wait_text_longer(page, first, 40))

    # display(w) again while it streams: the new view starts from the full text.
    run_cell_source(page, "display(w)")
    expect(views).to_have_count(2, timeout=TIMEOUT_MS)
    second = views.nth(1)
    expect(second).to_have_attribute("data-status", "streaming")
    wait_text_longer(page, second, seen - 1, timeout=5_000)
    assert output_text(second).startswith(output_text(first)[: seen - 5])
    for view in (first, second):
        with_status(view, "done")
        expect(view.locator(".sse-widget-cursor")).to_have_count(0)
    assert output_text(first) == output_text(second)
    assert markdown_html(first) == markdown_html(second)
    final_html = markdown_html(first)
    final_text = output_text(first)
    assert final_text.startswith("How streaming works") and "never read." in final_text

    # Saved with the final text; after a reload the widget shows all of it.
    saved = Path(jupyter_server.root_dir) / name
    save_notebook(page, saved, answer)
    # nbconvert, with no widget front end, shows the answer from that file.
    converted, _ = MarkdownExporter().from_filename(str(saved))
    assert answer in converted
    page.reload(wait_until="domcontentloaded")
    views = page.locator(".sse-widget")
    expect(views.first).to_have_attribute("data-status", "done", timeout=60_000)
    expect(views).to_have_count(2, timeout=TIMEOUT_MS)
    for view in (views.nth(0), views.nth(1)):
        with_status(view, "done")
        expect(view.locator(".sse-widget-output")).to_contain_text("never read.")
        assert output_text(view) == final_text
        assert markdown_html(view) == final_html
