"""The widget by keyboard only in real JupyterLab: Tab, Enter, Esc, with focus following the run.

After Stop, focus is on Retry; after Retry, on Stop; Esc stops from anywhere in
the widget; focus never leaves a cell editor the user is typing in. The run
is held streaming at a known chunk (Script holds) while the page is looked at.
"""

from __future__ import annotations

import threading
from typing import Any

from playwright.sync_api import expect

from sse_widget.demo import pick_answer, tokenize
from tests.browser.harness import open_notebook, run_all_cells
from tests.servers import Script, ScriptedServer, openai_chunks

TIMEOUT_MS = 30_000
PROMPT = "How does streaming work?"
TOKENS = tokenize(pick_answer(PROMPT))
HOLD_AT = 12

FOCUSED = "() => { const a = document.activeElement; return a && a.closest('.sse-widget') ? a.className : (a && a.tagName); }"


def hold(script: Script) -> threading.Event:
    """Hold the next run of ``script`` after HOLD_AT chunks, until the event is set."""
    event = threading.Event()
    script.holds = {HOLD_AT: event}
    return event


def focus_ring(locator: Any) -> dict[str, Any]:
    return locator.evaluate(
        "(el) => { const s = getComputedStyle(el); return { visible: el.matches(':focus-visible'),"
        " style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor }; }"
    )


def test_stop_retry_and_escape_by_keyboard_only(page: Any, lab_server: Any, server: ScriptedServer) -> None:
    script = Script.of(openai_chunks(TOKENS))
    release = hold(script)
    url = server.add("/keyboard", script)
    name = lab_server.write_notebook(
        "keyboard.ipynb",
        f"from sse_widget import stream\nw = stream({url!r}, json={{'model': 'm', 'stream': True}}, label='keys')",
        "x = 1",
    )
    try:
        open_notebook(page, lab_server, name)
        run_all_cells(page)
        widget = page.locator(".sse-widget").first
        expect(widget).to_have_attribute("data-status", "streaming", timeout=TIMEOUT_MS)
        expect(widget.locator(".sse-widget-output")).to_contain_text("How streaming", timeout=TIMEOUT_MS)

        # Into the widget from the cell above it, by Tab alone.
        page.locator(".jp-Cell").first.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Escape")  # command mode
        for _ in range(40):
            if widget.evaluate("(w) => w.contains(document.activeElement)"):
                break
            page.keyboard.press("Tab")
        reached = []
        for _ in range(8):
            reached.append(page.evaluate(FOCUSED))
            if "sse-widget-stop" in reached[-1]:
                break
            page.keyboard.press("Tab")
        stop = widget.locator(".sse-widget-stop")
        expect(stop).to_be_focused()
        ring = focus_ring(stop)
        assert ring["visible"] and ring["style"] == "solid" and ring["width"] >= 2, ring

        # Enter on Stop: stopped, and focus is on Retry (in the view that replaced the old one).
        page.keyboard.press("Enter")
        expect(page.locator(".sse-widget").first).to_have_attribute("data-status", "stopped", timeout=TIMEOUT_MS)
        widget = page.locator(".sse-widget").first
        expect(widget.locator(".sse-widget-retry")).to_be_focused(timeout=TIMEOUT_MS)
        assert focus_ring(widget.locator(".sse-widget-retry"))["visible"]

        # Enter on Retry: a new run, and focus is on Stop.
        release = hold(script)
        page.keyboard.press("Enter")
        expect(widget).to_have_attribute("data-status", "streaming", timeout=TIMEOUT_MS)
        expect(widget.locator(".sse-widget-stop")).to_be_focused(timeout=TIMEOUT_MS)

        # Esc from another control of the widget stops the run; focus goes to Retry.
        expect(widget.locator(".sse-widget-copy")).to_be_enabled(timeout=TIMEOUT_MS)
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED) != "BODY"
        assert widget.evaluate("(w) => w.contains(document.activeElement)")
        page.keyboard.press("Escape")
        expect(page.locator(".sse-widget").first).to_have_attribute("data-status", "stopped", timeout=TIMEOUT_MS)
        widget = page.locator(".sse-widget").first
        expect(widget.locator(".sse-widget-retry")).to_be_focused(timeout=TIMEOUT_MS)

        # A run that ends while the user types in a cell leaves the focus there.
        release = hold(script)
        page.keyboard.press("Enter")
        expect(widget.locator(".sse-widget-stop")).to_be_focused(timeout=TIMEOUT_MS)
        editor = page.locator(".jp-Cell").nth(1).locator(".cm-content")
        editor.click()
        page.keyboard.type("# typing")
        release.set()
        expect(page.locator(".sse-widget").first).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)
        page.keyboard.type(" on")
        expect(editor).to_be_focused()
        expect(editor).to_contain_text("# typing on")
    finally:
        release.set()


def set_theme(page: Any, theme: str, light: bool) -> None:
    page.evaluate("(t) => window.jupyterapp.commands.execute('apputils:change-theme', { theme: t })", theme)
    page.wait_for_function("(light) => document.body.dataset.jpThemeLight === String(light)", arg=light, timeout=TIMEOUT_MS)


# The focus ring of the focused element, and the background it is drawn on.
RING = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  let bg = 'rgb(255, 255, 255)';
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c !== 'transparent' && c !== 'rgba(0, 0, 0, 0)') { bg = c; break; }
  }
  return { cls: el.className, visible: el.matches(':focus-visible'), style: s.outlineStyle,
           width: parseFloat(s.outlineWidth), color: s.outlineColor, bg };
}"""


def test_every_control_is_reached_by_tab_with_a_visible_ring_in_both_themes(
    page: Any, lab_server: Any, server: ScriptedServer
) -> None:
    script = Script.of(openai_chunks(TOKENS))
    release = hold(script)
    url = server.add("/rings", script)
    name = lab_server.write_notebook(
        "rings.ipynb",
        f"from sse_widget import stream\nw = stream({url!r}, json={{'model': 'm', 'stream': True}}, label='rings')",
    )
    try:
        open_notebook(page, lab_server, name)
        run_all_cells(page)
        widget = page.locator(".sse-widget").first
        expect(widget).to_have_attribute("data-status", "streaming", timeout=TIMEOUT_MS)
        expect(widget.locator(".sse-widget-copy")).to_be_enabled(timeout=TIMEOUT_MS)
        for theme, light in (("JupyterLab Light", True), ("JupyterLab Dark", False)):
            set_theme(page, theme, light)
            page.locator(".jp-Cell").first.locator(".jp-InputArea-prompt").click()
            page.keyboard.press("Escape")
            seen: dict[str, dict[str, Any]] = {}
            for _ in range(60):
                page.keyboard.press("Tab")
                ring = page.evaluate(RING)
                inside = widget.evaluate("(w) => w.contains(document.activeElement)")
                if inside:
                    seen[ring["cls"]] = ring
                elif seen:
                    break
            names = " ".join(seen)
            for control in ("sse-widget-inspect", "sse-widget-stop", "sse-widget-copy", "sse-widget-output"):
                assert control in names, (theme, names)
            for cls, ring in seen.items():
                assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, (theme, cls, ring)
                assert ring["color"] != ring["bg"], (theme, cls, ring)
    finally:
        release.set()
        set_theme(page, "JupyterLab Light", True)
