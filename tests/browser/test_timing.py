"""The timing strip in real JupyterLab: a healthy stream, a stalled one, a buffered one, and compare()'s shared axis.

The streams come from the demo endpoint's failure injection (``fail=stall``,
``fail=burst``), served from this process; the tests wait on the strip's DOM.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from sse_widget.demo import DemoServer
from tests.browser.harness import open_notebook, run_all_cells
from tests.browser.test_view import luminance, set_theme

TIMEOUT_MS = 60_000
BODY = {"model": "demo", "stream": True, "messages": [{"role": "user", "content": "How does streaming work?"}]}


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=40, ttft=0.3) as server:
        yield server


def url(demo: DemoServer, **params: Any) -> str:
    return f"{demo.chat_url}?{urllib.parse.urlencode(params)}"


def by_label(page: Any, label: str) -> Any:
    return page.locator(".sse-widget").filter(
        has=page.locator(".sse-widget-label", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


def strip_label(widget: Any) -> str:
    return widget.locator(".sse-widget-timing-chart").get_attribute("aria-label") or ""


def test_the_strip_shows_a_healthy_a_stalled_and_a_buffered_stream(
    page: Any, lab_server: Any, demo: DemoServer, screenshots_dir: Path
) -> None:
    cells = [
        "from sse_widget import stream",
        f"healthy = stream({url(demo, tokens_per_second=30)!r}, json={BODY!r}, label='healthy', timing=True)",
        # Silent after 25 tokens: the read timeout ends the run in a stall error.
        f"stalled = stream({url(demo, tokens_per_second=30, fail='stall', fail_after=25)!r}, json={BODY!r}, "
        "label='stalled', timing=True, timeout=2.5)",
        # Held back on the way: nothing for a while, then the whole answer at once.
        f"buffered = stream({url(demo, tokens_per_second=40, fail='burst')!r}, json={BODY!r}, "
        "label='buffered', timing=True)",
    ]
    name = lab_server.write_notebook("timing.ipynb", *cells)
    open_notebook(page, lab_server, name)
    run_all_cells(page)

    healthy, stalled, buffered = (by_label(page, n) for n in ("healthy", "stalled", "buffered"))
    for widget, status in ((healthy, "done"), (stalled, "error"), (buffered, "done")):
        expect(widget).to_have_attribute("data-status", status, timeout=TIMEOUT_MS)
        strip = widget.locator(".sse-widget-timing")
        expect(strip).to_be_visible()
        # The final timeline has come (the line runs to the run's end).
        expect(strip.locator(".sse-widget-timing-line")).to_have_count(1, timeout=TIMEOUT_MS)

    # Healthy: a ramp; the words say first token, mean rate, no stall.
    text = strip_label(healthy)
    assert re.fullmatch(r"Timing: first token after [\d.]+ s; [\d.]+ tokens/s on average; no stalls\.", text), text
    expect(healthy.locator(".sse-widget-timing")).to_have_attribute("data-buffered", "false")
    expect(healthy.locator(".sse-widget-timing-stall")).to_have_count(0)
    expect(healthy.locator(".sse-widget-timing-caption")).to_have_text(text)

    # Stalled: the silence until the timeout is shaded and named.
    stall_strip = stalled.locator(".sse-widget-timing")
    expect(stalled.locator(".sse-widget-timing-stall")).to_have_count(1)
    assert float(stall_strip.get_attribute("data-stall") or 0) >= 2.0
    assert re.search(r"longest stall [\d.]+ s at [\d.]+ s\.$", strip_label(stalled)), strip_label(stalled)

    # Buffered: a long wait, then one cliff; said in words, unlike the healthy one.
    expect(buffered.locator(".sse-widget-timing")).to_have_attribute("data-buffered", "true")
    assert "arrived at once: the stream looks buffered" in strip_label(buffered), strip_label(buffered)
    cliff = buffered.locator(".sse-widget-timing-rug").get_attribute("d") or ""
    ramp = healthy.locator(".sse-widget-timing-rug").get_attribute("d") or ""
    assert cliff.count("M") <= 3 < 20 < ramp.count("M"), (cliff, ramp)  # arrivals: a handful vs many

    for widget, file in ((healthy, "timing-healthy.png"), (stalled, "timing-stalled.png"), (buffered, "timing-buffered.png")):
        widget.scroll_into_view_if_needed()
        widget.locator(".sse-widget-timing").screenshot(path=str(screenshots_dir / file))

    # Themed: the curve stands out from the strip's background in light and in dark.
    light = healthy.evaluate(STRIP_COLORS)
    try:
        set_theme(page, "JupyterLab Dark", light=False)
        page.wait_for_function(
            f"([el, bg]) => ({STRIP_COLORS})(el).bg !== bg", arg=[healthy.element_handle(), light["bg"]], timeout=TIMEOUT_MS
        )
        page.wait_for_timeout(300)  # let the theme's transitions settle
        dark = healthy.evaluate(STRIP_COLORS)
        for colors in (light, dark):
            assert abs(luminance(colors["line"]) - luminance(colors["bg"])) > 60, colors
            assert abs(luminance(colors["label"]) - luminance(colors["bg"])) > 60, colors
        assert luminance(dark["bg"]) < luminance(light["bg"]), (light, dark)
        healthy.locator(".sse-widget-timing").screenshot(path=str(screenshots_dir / "timing-dark.png"))
    finally:
        set_theme(page, "JupyterLab Light", light=True)


# The strip's own colours, as the theme resolves them.
STRIP_COLORS = """
(el) => {
  const style = (sel) => getComputedStyle(el.querySelector(sel));
  return {
    bg: style('.sse-widget-timing-bg').fill,
    line: style('.sse-widget-timing-line').stroke,
    label: style('.sse-widget-timing-label').fill,
  };
}
"""


def test_compare_strips_share_one_time_axis(page: Any, lab_server: Any, demo: DemoServer, screenshots_dir: Path) -> None:
    base = demo.base_url
    name = lab_server.write_notebook(
        "timing-compare.ipynb",
        "from sse_widget import compare\n"
        "view = compare({\n"
        f"    'fast': {{'model': 'fast', 'prompt': 'How does streaming work?', 'base_url': {base!r}, 'api_key': '', 'demo': {{'tokens_per_second': 80, 'ttft': 0.2}}}},\n"
        f"    'slow': {{'model': 'slow', 'prompt': 'How does streaming work?', 'base_url': {base!r}, 'api_key': '', 'demo': {{'tokens_per_second': 25, 'ttft': 0.8}}}},\n"
        "}, timing=True)",
    )
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    grid = page.locator(".sse-compare").first
    grid.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => { const w = [...document.querySelectorAll('.sse-compare .sse-widget')];"
        " return w.length === 2 && w.every(e => e.dataset.status === 'done'); }",
        timeout=TIMEOUT_MS,
    )
    # Once both have ended, both strips span the longer run exactly.
    page.wait_for_function(
        "() => { const s = [...document.querySelectorAll('.sse-compare .sse-widget-timing')].map(e => e.dataset.extent);"
        " return s.length === 2 && s[0] === s[1] && Number(s[0]) > 1; }",
        timeout=TIMEOUT_MS,
    )
    fast, slow = by_label(page, "fast"), by_label(page, "slow")
    # On that shared axis the fast run's curve stops well short of the slow one's.
    fast_box = fast.locator(".sse-widget-timing-area").bounding_box()
    slow_box = slow.locator(".sse-widget-timing-area").bounding_box()
    assert fast_box and slow_box
    assert fast_box["width"] < 0.7 * slow_box["width"], (fast_box, slow_box)
    # And the slow one's first token comes visibly later.
    wait_fast = fast.locator(".sse-widget-timing-wait").bounding_box()
    wait_slow = slow.locator(".sse-widget-timing-wait").bounding_box()
    assert wait_fast and wait_slow and wait_fast["width"] < wait_slow["width"], (wait_fast, wait_slow)
    grid.scroll_into_view_if_needed()
    grid.screenshot(path=str(screenshots_dir / "timing-compare.png"))
