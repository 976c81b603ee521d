"""Render latency and main-thread cost in a real browser, against the naive display-and-update approach.

JupyterLab and Chromium run as in the browser tests (``tests/browser/harness.py``).
The demo endpoint, in this process, streams a long markdown-rich answer (headings,
bold, lists, fenced code, tables) at each rate, and the same stream is shown two
ways in the same run:

* ``sse-widget``: ``stream(url, json=...)``;
* ``baseline``: ``h = display(Markdown(""), display_id=True)`` and
  ``h.update(Markdown(text))`` on every token, the common hand-written approach.

For each it reports

* how long after the server's last byte the final DOM is complete: the server
  notes when it yielded its last byte; in the page a MutationObserver notes
  (``performance.now()``) when the output's text first equals a one-shot render
  of the whole answer; the two clocks are aligned through round trips. On the
  way it notes when the kernel was done with the stream and when the page got
  the kernel's last message of the run, to tell the kernel, the transport and
  the browser's share apart;
* the main thread's busy time over the run: Chrome's ``Performance.getMetrics``
  TaskDuration and ScriptDuration (CDP), and the long tasks (> 50 ms) a
  ``PerformanceObserver`` saw. For scale, the same is measured for a cell that
  only waits as long as a run lasts (JupyterLab's own work for a running cell).

The Jupyter server runs without its IOPub message rate limit, so the baseline gets
every update; with the limit (``--jupyter-rate-limit``) it drops updates above
1,000 messages/s and may never show the whole answer (see bench/transport.py).
Nothing is asserted: the numbers are printed. The goal for sse-widget is a
final DOM within 100 ms of the last byte at 5,000 tokens/s.

Usage: ``python bench/render.py [--rates 1000,5000] [--sections 12] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lab_page import NO_RATE_LIMIT, lab_page  # noqa: E402
from sse_widget.demo import ANSWERS, DemoServer, tokenize  # noqa: E402
from tests.browser.harness import (  # noqa: E402
    run_cell_source,
    wait_kernel_idle,
)

PROMPT = "bench: a long answer"
GOAL_MS = 100.0


def long_answer(sections: int) -> str:
    """Markdown-rich text: the demo's answers, one after another, each under a heading."""
    return "\n\n".join(f"### Part {i + 1}\n\n{ANSWERS[i % len(ANSWERS)]}" for i in range(sections))


SETUP = '''
import asyncio, json, time
import httpx
from IPython.display import Markdown, display
from sse_widget import StreamWidget, stream

URL = {url!r}
BODY = {body!r}
ANSWER = {answer!r}

async def naive(tokens_per_second):
    """The hand-written approach: update a Markdown display on every token."""
    handle = display(Markdown(""), display_id=True)
    text = ""
    async with httpx.AsyncClient(timeout=None) as client:
        async with client.stream("POST", URL, json=BODY, params={{"tokens_per_second": tokens_per_second}}) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    choices = json.loads(line[6:]).get("choices") or []
                    piece = choices[0]["delta"].get("content") if choices else None
                    if piece:
                        text += piece
                        handle.update(Markdown(text))
    return text

print("ready")
'''

# The measured cells wait a moment, so the observer is on the cell before any
# output. Each notes (in `ended`) when the kernel was done with the stream.
WIDGET_RUN = (
    "await asyncio.sleep(0.3)\n"
    "ended = None\n"
    "w = stream(URL, json=BODY, params={{'tokens_per_second': {rate}}}, label='bench')\n"
    "def note_end(change):\n"
    "    global ended\n"
    "    if change['new'] in ('done', 'stopped', 'error'):\n"
    "        ended = time.time()\n"
    "w.observe(note_end, 'status')"
)
NAIVE_RUN = "await asyncio.sleep(0.3)\nended = None\ntext = await naive({rate})\nended = time.time()"

REFERENCES = (
    "ref = StreamWidget(label='reference')\nref.text = ANSWER\nref.status = 'done'\ndisplay(ref)\n"
    "display(Markdown(ANSWER))"
)

# Watches one cell: when its output's text first equals the expected text
# (ignoring the streaming cursor), and when it is exactly the final DOM.
OBSERVER = """
([cell, kind, expected]) => {
  const clock = () => performance.timeOrigin + performance.now();
  const rec = { kind, textAt: null, finalAt: null, frameAt: null, checks: 0, chars: 0 };
  window.__bench = rec;
  const target = () => kind === 'widget'
    ? cell.querySelector('.sse-widget-output')
    : cell.querySelector('.jp-OutputArea-output.jp-RenderedMarkdown');
  const check = () => {
    if (rec.finalAt !== null) return;
    rec.checks++;
    const el = target();
    if (!el) return;
    const text = el.textContent;
    rec.chars = text.length;
    if (rec.textAt === null && text.length <= expected.length + 1) {
      // The streaming cursor is the last '\\u258b' (the text may hold that character too).
      const at = el.querySelector('.sse-widget-cursor') ? text.lastIndexOf('\\u258b') : -1;
      if ((at < 0 ? text : text.slice(0, at) + text.slice(at + 1)) === expected) rec.textAt = clock();
    }
    if (text === expected) {
      rec.finalAt = clock();
      requestAnimationFrame(() => { rec.frameAt = clock(); });
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(cell, { subtree: true, childList: true, characterData: true, attributes: true });
  check();
  return true;
}
"""

# Notes when the page gets the kernel's last message of a run: the widget's
# final state ("done"), or the baseline's latest display update.
KERNEL_TAP = """
(kind) => {
  const kernel = window.__jupyterHarness.panel().sessionContext.session.kernel;
  if (window.__benchTap) window.__benchTap.kernel.anyMessage.disconnect(window.__benchTap.handler);
  const tap = { kernel, lastAt: null };
  tap.handler = (_, args) => {
    if (args.direction !== 'recv') return;
    const msg = args.msg;
    const type = msg.header.msg_type;
    const data = type === 'comm_msg' ? msg.content.data : null;
    const final = kind === 'widget'
      ? data && data.method === 'update' && data.state && ['done', 'stopped', 'error'].includes(data.state.status)
      : type === 'update_display_data';
    if (final) tap.lastAt = performance.timeOrigin + performance.now();
  };
  kernel.anyMessage.connect(tap.handler);
  window.__benchTap = tap;
}
"""

LONG_TASKS = """
() => {
  if (window.__benchLong) { window.__benchLong.count = 0; window.__benchLong.total = 0; return; }
  const acc = { count: 0, total: 0 };
  window.__benchLong = acc;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) { acc.count++; acc.total += entry.duration; }
  }).observe({ type: 'longtask', buffered: false });
}
"""


@dataclass
class Result:
    approach: str
    rate: int
    kernel_ms: float | None = None  # last byte -> the kernel is done with the stream
    message_ms: float | None = None  # last byte -> the page has the kernel's last message
    text_ms: float | None = None  # last byte -> text complete (cursor aside)
    final_ms: float | None = None  # last byte -> final DOM
    frame_ms: float | None = None  # last byte -> the frame after the final DOM
    stream_s: float = 0.0  # the server's first byte -> last byte
    task_ms: float = 0.0
    script_ms: float = 0.0
    layout_ms: float = 0.0
    long_count: int = 0
    long_ms: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def clock_offset_ms(page: Any, rounds: int = 7) -> tuple[float, float]:
    """(page clock - this process's clock, half the best round trip), in ms."""
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        t0 = time.time()
        page_ms = page.evaluate("() => performance.timeOrigin + performance.now()")
        t1 = time.time()
        rtt = (t1 - t0) * 1000
        offset = page_ms - (t0 + t1) * 500
        if best is None or rtt / 2 < best[1]:
            best = (offset, rtt / 2)
    assert best is not None
    return best


def metrics(cdp: Any) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def clear_outputs(page: Any) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function("() => document.querySelectorAll('.jp-OutputArea-output').length === 0", timeout=30_000)


def measure(page: Any, cdp: Any, demo: DemoServer, approach: str, rate: int, expected: str, timeout_s: float) -> Result:
    result = Result(approach, rate)
    wait_kernel_idle(page, timeout=timeout_s)
    clear_outputs(page)
    page.wait_for_timeout(300)
    offset, uncertainty = clock_offset_ms(page)
    page.evaluate(LONG_TASKS)
    page.evaluate(KERNEL_TAP, "widget" if approach == "sse-widget" else "naive")
    before_requests = len(demo.requests)
    m0 = metrics(cdp)
    code = (WIDGET_RUN if approach == "sse-widget" else NAIVE_RUN).format(rate=rate)
    cell = run_cell_source(page, code)
    page.evaluate(OBSERVER, [cell.element_handle(), "widget" if approach == "sse-widget" else "naive", expected])
    try:
        page.wait_for_function("() => window.__bench.finalAt !== null", timeout=timeout_s * 1000, polling=100)
        page.wait_for_function("() => window.__bench.frameAt !== null", timeout=5_000, polling=50)
    except Exception:
        chars = page.evaluate("() => window.__bench.chars")
        result.note = f"final DOM not reached within {timeout_s:.0f} s ({chars:,} of {len(expected):,} chars shown)"
        result.extra["stuck"] = True
    page.wait_for_timeout(300)
    m1 = metrics(cdp)
    rec = page.evaluate("() => window.__bench")
    long_tasks = page.evaluate("() => window.__benchLong")
    record = demo.requests[-1] if len(demo.requests) > before_requests else None
    if record is None or record.last_byte_at is None:
        result.note = result.note or "the server saw no request"
        result.extra["stuck"] = True
        return result
    last_byte_ms = record.last_byte_at * 1000 + offset
    result.stream_s = record.last_byte_at - record.first_byte_at
    message_at = page.evaluate("() => window.__benchTap.lastAt")
    for key, at in (
        ("message_ms", message_at),
        ("text_ms", rec["textAt"]),
        ("final_ms", rec["finalAt"]),
        ("frame_ms", rec["frameAt"]),
    ):
        if at is not None:
            setattr(result, key, at - last_byte_ms)
    if not result.extra.get("stuck"):
        # When the kernel was done: the rest of the latency is transport and the browser.
        ended = run_cell_source(page, "print(repr(ended))").locator(".jp-OutputArea-output")
        ended.wait_for(timeout=timeout_s * 1000)
        try:
            result.kernel_ms = (float(ended.inner_text()) - record.last_byte_at) * 1000
        except ValueError:
            pass
    result.task_ms = (m1["TaskDuration"] - m0["TaskDuration"]) * 1000
    result.script_ms = (m1["ScriptDuration"] - m0["ScriptDuration"]) * 1000
    result.layout_ms = (m1["LayoutDuration"] - m0["LayoutDuration"] + m1["RecalcStyleDuration"] - m0["RecalcStyleDuration"]) * 1000
    result.long_count = long_tasks["count"]
    result.long_ms = long_tasks["total"]
    result.extra.update(clock_uncertainty_ms=uncertainty, checks=rec["checks"])
    return result


def measure_idle(page: Any, cdp: Any, rate: int, seconds: float) -> Result:
    """Busy time of JupyterLab's own work: a cell that only waits as long as a run lasts."""
    result = Result("idle cell", rate)
    wait_kernel_idle(page)
    clear_outputs(page)
    page.wait_for_timeout(300)
    page.evaluate(LONG_TASKS)
    m0 = metrics(cdp)
    run_cell_source(page, f"await asyncio.sleep({0.3 + seconds:.3f})")
    wait_kernel_idle(page)
    page.wait_for_timeout(300)
    m1 = metrics(cdp)
    long_tasks = page.evaluate("() => window.__benchLong")
    result.stream_s = seconds
    result.task_ms = (m1["TaskDuration"] - m0["TaskDuration"]) * 1000
    result.script_ms = (m1["ScriptDuration"] - m0["ScriptDuration"]) * 1000
    result.layout_ms = (m1["LayoutDuration"] - m0["LayoutDuration"] + m1["RecalcStyleDuration"] - m0["RecalcStyleDuration"]) * 1000
    result.long_count = long_tasks["count"]
    result.long_ms = long_tasks["total"]
    for key in ("kernel_ms", "message_ms", "text_ms", "final_ms", "frame_ms"):
        setattr(result, key, None)
    return result


def recover(page: Any) -> None:
    """Drop a page that is still working through a backlog: reload it (the kernel lives on)."""
    page.reload(wait_until="domcontentloaded")
    page.locator(".jp-Notebook").first.wait_for(timeout=120_000)
    wait_kernel_idle(page, timeout=300)


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present and len(present) == len(values) else None


def fmt(value: float | None, unit: str = "ms") -> str:
    return "never" if value is None else f"{value:,.0f} {unit}"


def ratio(base: float | None, ours: float | None) -> str:
    if base is None:
        return "baseline never completes"
    if ours is None:
        return "n/a"
    return f"{base / max(ours, 1.0):,.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="1000,5000", help="tokens per second, comma separated")
    parser.add_argument("--sections", type=int, default=12, help="length of the answer: sections of demo text")
    parser.add_argument("--repeat", type=int, default=3, help="runs per approach and rate (medians are printed)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for a final DOM")
    parser.add_argument("--jupyter-rate-limit", action="store_true", help="keep Jupyter's IOPub message rate limit")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",") if r.strip()]
    answer = long_answer(args.sections)
    n_tokens = len(tokenize(answer))

    extra_args = [] if args.jupyter_rate_limit else NO_RATE_LIMIT
    results: list[Result] = []
    with DemoServer(answer=lambda prompt: answer, tokens_per_second=1000, ttft=0.02) as demo:
        body = {"model": "demo", "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
        setup = SETUP.format(url=demo.chat_url, body=body, answer=answer)
        with lab_page("render-bench.ipynb", setup, extra_args) as page:
            wait_kernel_idle(page)

            # What the final DOM must be: one-shot renders of the whole answer.
            cell = run_cell_source(page, REFERENCES)
            cell.locator('.sse-widget[data-status="done"] .sse-widget-markdown').wait_for()
            cell.locator(".jp-RenderedMarkdown").wait_for()
            page.wait_for_timeout(500)
            expected = {
                "sse-widget": cell.locator(".sse-widget-output").evaluate("el => el.textContent"),
                "baseline": cell.locator(".jp-RenderedMarkdown").first.evaluate("el => el.textContent"),
            }

            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            for rate in rates:
                results.append(measure_idle(page, cdp, rate, n_tokens / rate))
                for _ in range(args.repeat):
                    for approach in ("sse-widget", "baseline"):
                        result = measure(page, cdp, demo, approach, rate, expected[approach], args.timeout)
                        results.append(result)
                        if result.extra.get("stuck"):
                            recover(page)
                            cdp = page.context.new_cdp_session(page)
                            cdp.send("Performance.enable")
                        print(
                            f"  {approach:10s} {rate:5d} tok/s: kernel done {fmt(result.kernel_ms)}, last message in the page "
                            f"{fmt(result.message_ms)}, final DOM {fmt(result.final_ms)} after the last byte, "
                            f"busy {fmt(result.task_ms)} (stream {result.stream_s:.2f} s) {result.note}",
                            flush=True,
                        )

    print()
    print(
        f"{n_tokens:,} tokens, {len(answer):,} characters of markdown per answer; "
        f"Jupyter IOPub rate limit {'on' if args.jupyter_rate_limit else 'off'}; medians of {args.repeat} runs"
    )
    header = (
        f"{'rate':>10}  {'approach':10}  {'stream':>7}  {'kernel end':>10}  {'last msg':>10}  {'text ready':>10}  {'final DOM':>10}  {'next frame':>10}  "
        f"{'busy':>9}  {'script':>9}  {'style+layout':>12}  {'long tasks':>16}"
    )
    print(header)
    print("-" * len(header))
    summary: dict[tuple[int, str], dict[str, float | None]] = {}
    for rate in rates:
        for approach in ("sse-widget", "baseline", "idle cell"):
            runs = [r for r in results if r.rate == rate and r.approach == approach]
            row = {
                "stream": median([r.stream_s for r in runs]),
                "kernel": median([r.kernel_ms for r in runs]),
                "message": median([r.message_ms for r in runs]),
                "text": median([r.text_ms for r in runs]),
                "final": median([r.final_ms for r in runs]),
                "frame": median([r.frame_ms for r in runs]),
                "task": median([r.task_ms for r in runs]),
                "script": median([r.script_ms for r in runs]),
                "layout": median([r.layout_ms for r in runs]),
                "long_n": median([float(r.long_count) for r in runs]),
                "long_ms": median([r.long_ms for r in runs]),
            }
            summary[(rate, approach)] = row
            stream = "-" if row["stream"] is None else f"{row['stream']:.2f} s"
            if approach == "idle cell":
                print(
                    f"{rate:>6} t/s  {approach:10}  {'(waits)':>7}  {'':>10}  {'':>10}  {'':>10}  {'':>10}  {'':>10}  "
                    f"{fmt(row['task']):>9}  {fmt(row['script']):>9}  {fmt(row['layout']):>12}  "
                    f"{row['long_n'] or 0:>4.0f} / {fmt(row['long_ms'])}"
                )
                continue
            long_tasks = f"{row['long_n'] or 0:.0f} / {fmt(row['long_ms'])}"
            print(
                f"{rate:>6} t/s  {approach:10}  {stream:>7}  {fmt(row['kernel']):>10}  {fmt(row['message']):>10}  {fmt(row['text']):>10}  {fmt(row['final']):>10}  "
                f"{fmt(row['frame']):>10}  {fmt(row['task']):>9}  {fmt(row['script']):>9}  {fmt(row['layout']):>12}  "
                f"{long_tasks:>16}"
            )
    print()
    for rate in rates:
        ours, base = summary[(rate, "sse-widget")], summary[(rate, "baseline")]
        goal = ""
        if rate == 5000 and ours["final"] is not None:
            goal = f"  (goal: final DOM within {GOAL_MS:.0f} ms: {'met' if ours['final'] <= GOAL_MS else 'missed'})"
        idle = summary[(rate, "idle cell")]["task"] or 0.0
        own = ratio(
            None if base["task"] is None else base["task"] - idle, None if ours["task"] is None else ours["task"] - idle
        )
        print(
            f"{rate} tok/s: baseline / sse-widget: final DOM after the last byte {ratio(base['final'], ours['final'])}, "
            f"main-thread busy time {ratio(base['task'], ours['task'])} ({own} without the idle cell's){goal}"
        )


if __name__ == "__main__":
    main()
