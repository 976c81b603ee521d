"""Main-thread cost and final-DOM latency of sse-widget against the naive floor, in JupyterLab in Chromium.

The demo endpoint (in this process) streams, at a fixed rate, prose (headings,
paragraphs, lists) and one long fenced code block, each at two lengths. Each
answer is shown two ways, interleaved in the same run:

* ``naive``: a minimal anywidget that appends the deltas, coalesced every 40 ms
  (the widget's driver's shortest interval), to a ``<pre>`` (no markdown, no
  cursor, no stats): the floor of getting text from the kernel into the page;
* ``sse-widget``: ``stream(url, json=...)``.

Then ``compare()`` streams four models at once. An idle cell (one that only
waits) gives JupyterLab's own busy time per second.

Reported: main-thread busy ms per 1,000 tokens (Chrome's TaskDuration over the
run, via the DevTools protocol), the final DOM's latency after the server's last
byte (MutationObserver in the page, clocks aligned by round trips), and the
longest task (PerformanceObserver ``longtask``). The machine's load is printed
with the table. Nothing is asserted; the goals are printed next to the ratios.

Usage: ``python bench/render_floor.py [--rate 500] [--short 1500] [--long 6000] [--repeat 2]``;
``--profile [naive:]ANSWER`` instead prints where one run's main-thread time
went (timeline trace events and JavaScript functions, see chrome_profile.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.chrome_profile import profiled  # noqa: E402
from bench.lab_page import lab_page  # noqa: E402
from bench.render import LONG_TASKS, clear_outputs, clock_offset_ms, metrics  # noqa: E402
from sse_widget.demo import DemoServer, tokenize  # noqa: E402
from tests.browser.harness import run_cell_source, wait_kernel_idle  # noqa: E402

WORDS = "stream token server browser kernel message render frame buffer delta answer model".split()


def prose(tokens: int) -> str:
    """Headings, paragraphs and lists, about ``tokens`` demo tokens long."""
    parts: list[str] = []
    i = 0
    while len(tokenize("\n\n".join(parts))) < tokens:
        words = [WORDS[(i * 7 + k) % len(WORDS)] for k in range(40)]
        parts.append(f"## Part {i + 1}")
        parts.append(" ".join(words[:25]).capitalize() + ", with **some bold** and `inline code`.")
        parts.append("\n".join(f"- {w} of the {words[k + 1]} item {k}" for k, w in enumerate(words[:5])))
        i += 1
    return "\n\n".join(parts)


def code(tokens: int) -> str:
    """One fenced Python block, about ``tokens`` demo tokens long."""
    lines = ["Here is the code:", "", "```python"]
    i = 0
    while len(tokenize("\n".join(lines))) < tokens:
        lines.append(f"def step_{i}(value, factor={i % 7}):")
        lines.append(f"    return [v * factor for v in value if v > {i}]  # step {i}")
        i += 1
    lines.append("```")
    return "\n".join(lines)


SETUP = '''
import asyncio, json, time
import anywidget, httpx
from sse_widget import StreamWidget, compare, stream

URL = {url!r}
ANSWERS = {answers!r}

class Naive(anywidget.AnyWidget):
    """Appends custom-message deltas to a <pre>: the floor."""
    _esm = """
    export default {{ render({{ model, el }}) {{
      const pre = document.createElement("pre");
      pre.className = "bench-naive";
      el.append(pre);
      const onMsg = (msg) => {{ pre.append(msg.d); }};
      model.on("msg:custom", onMsg);
      return () => model.off("msg:custom", onMsg);
    }} }}
    """

def body(name, model="demo"):
    return {{"model": model, "stream": True, "messages": [{{"role": "user", "content": name}}]}}

async def naive(widget, name, rate):
    """The same stream, deltas coalesced every 40 ms, sent to the <pre>."""
    pending, last = "", time.monotonic()
    async with httpx.AsyncClient(timeout=None) as client:
        async with client.stream("POST", URL, json=body(name), params={{"tokens_per_second": rate}}) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    choices = json.loads(line[6:]).get("choices") or []
                    piece = choices[0]["delta"].get("content") if choices else None
                    if piece:
                        pending += piece
                        if time.monotonic() - last >= 0.04:
                            widget.send({{"d": pending}})
                            pending, last = "", time.monotonic()
    if pending:
        widget.send({{"d": pending}})

print("ready")
'''

# When the first text shows and every watched element's text first equals its
# expected text, and every long task with its start (all on the page's clock).
OBSERVER = """
([cell, selector, expected, count]) => {
  const clock = () => performance.timeOrigin + performance.now();
  const rec = { firstAt: null, doneAt: {}, longs: [] };
  window.__floor = rec;
  const check = () => {
    const els = cell.querySelectorAll(selector);
    els.forEach((el, i) => {
      // the cursor shows before the first token arrives: it is not text
      const cursor = el.querySelector('.sse-widget-cursor');
      const text = el.textContent.length - (cursor ? cursor.textContent.length : 0);
      if (rec.firstAt === null && text > 0) rec.firstAt = clock();
      if (rec.doneAt[i] === undefined && !cursor && el.textContent === expected) rec.doneAt[i] = clock();
    });
    if (Object.keys(rec.doneAt).length >= count) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(cell, { subtree: true, childList: true, characterData: true, attributes: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) rec.longs.push([performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: false });
  check();
}
"""


def longest_task(rec: dict[str, Any]) -> tuple[float, str]:
    """The longest task's duration, and when it ran: before the first text, while streaming, or at the end."""
    if not rec["longs"]:
        return 0.0, ""
    start, duration = max(rec["longs"], key=lambda long: long[1])
    first, last = rec["firstAt"], max(rec["doneAt"].values(), default=None)
    if first is not None and start + duration <= first:
        return duration, f"{first - start:.0f} ms before the first text"
    if last is not None and start + duration >= last - 100:
        return duration, f"at the end ({start - last:+.0f} ms from the final DOM)"
    return duration, f"mid-stream (+{start - (first or start):.0f} ms)"


@dataclass
class Run:
    case: str
    approach: str
    tokens: int
    busy_ms: float
    stream_s: float
    lags_ms: list[float]
    max_long_ms: float
    max_long_when: str

    def longest_task(self) -> str:
        """The longest task and when it ran, for the per-run lines."""
        return f"longest task {self.max_long_ms:4.0f} ms {self.max_long_when}"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


class Bench:
    def __init__(self, page: Any, demo: DemoServer, rate: int, timeout_s: float) -> None:
        self.page, self.demo, self.rate, self.timeout_s = page, demo, rate, timeout_s
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")

    def expected(self, name: str) -> str:
        """The text of a one-shot sse-widget render of answer ``name``."""
        clear_outputs(self.page)
        cell = run_cell_source(
            self.page, f"ref = StreamWidget(label='ref', text=ANSWERS[{name!r}], status='done'); ref"
        )
        out = cell.locator('.sse-widget[data-status="done"] .sse-widget-output')
        out.wait_for(timeout=60_000)
        self.page.wait_for_timeout(300)
        return out.evaluate("el => el.textContent")

    def measure(self, case: str, approach: str, name: str, tokens: int, expected: str, panes: int = 1) -> Run:
        page = self.page
        wait_kernel_idle(page, timeout=self.timeout_s)
        clear_outputs(page)
        if approach == "naive":
            run_cell_source(page, "nv = Naive(); nv").locator(".bench-naive").wait_for(state="attached", timeout=60_000)
            code, selector = f"await naive(nv, {name!r}, {self.rate})", "pre.bench-naive"
            cell_scope = "document"
        elif approach == "compare":
            specs = [
                f"dict(url=URL, json=body({name!r}, 'm{i}'), params={{'tokens_per_second': {self.rate}}}, label='m{i}')"
                for i in range(panes)
            ]
            code, selector, cell_scope = (
                f"await asyncio.sleep(0.3)\ncmp = compare([{', '.join(specs)}])",
                ".sse-widget-output",
                "cell",
            )
        else:
            code = f"await asyncio.sleep(0.3)\nw = stream(URL, json=body({name!r}), params={{'tokens_per_second': {self.rate}}}, label='bench')"
            selector, cell_scope = ".sse-widget-output", "cell"
        wait_kernel_idle(page, timeout=self.timeout_s)
        page.wait_for_timeout(300)
        offset, _ = clock_offset_ms(page)
        page.evaluate(LONG_TASKS)
        before = len(self.demo.requests)
        m0 = metrics(self.cdp)
        cell = run_cell_source(page, code)
        scope = cell.element_handle() if cell_scope == "cell" else page.evaluate_handle("() => document.body")
        page.evaluate(OBSERVER, [scope, selector, expected, panes])
        page.wait_for_function(
            "(n) => Object.keys(window.__floor.doneAt).length >= n",
            arg=panes,
            timeout=self.timeout_s * 1000,
            polling=100,
        )
        page.wait_for_timeout(300)
        m1 = metrics(self.cdp)
        rec = page.evaluate("() => window.__floor")
        records = self.demo.requests[before:]
        last_bytes = sorted((r.last_byte_at or 0.0) * 1000 + offset for r in records)
        firsts = [r.first_byte_at for r in records if r.first_byte_at]
        done = sorted(rec["doneAt"].values())
        # Pane i's lag: its final DOM against its own server (matched in order of finishing).
        lags = [d - b for d, b in zip(done, last_bytes, strict=False)]
        stream_s = max((r.last_byte_at or 0) for r in records) - min(firsts) if firsts else 0.0
        return Run(
            case,
            approach,
            tokens * panes,
            (m1["TaskDuration"] - m0["TaskDuration"]) * 1000,
            stream_s,
            lags,
            *longest_task(rec),
        )

    def idle_ms_per_s(self, seconds: float) -> float:
        wait_kernel_idle(self.page)
        clear_outputs(self.page)
        self.page.wait_for_timeout(300)
        m0 = metrics(self.cdp)
        run_cell_source(self.page, f"await asyncio.sleep({seconds:.2f})")
        wait_kernel_idle(self.page)
        m1 = metrics(self.cdp)
        return (m1["TaskDuration"] - m0["TaskDuration"]) * 1000 / max(seconds, 0.1)


def profile(bench: Bench, approach: str, name: str, tokens: int, expected: str) -> None:
    """One run of ``name`` under Chrome's sampling profiler and its timeline trace."""
    with profiled(bench.page, bench.cdp, f"one {approach} run of {name}"):
        run = bench.measure(name, approach, name, tokens, expected)
    print(f"\n({per_k(run):.0f} ms busy per 1k tokens)")


def per_k(run: Run) -> float:
    return run.busy_ms / run.tokens * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=500, help="tokens per second of each stream")
    parser.add_argument("--short", type=int, default=1500, help="tokens in a short answer")
    parser.add_argument("--long", type=int, default=6000, help="tokens in a long answer")
    parser.add_argument("--panes", type=int, default=4, help="streams in compare()")
    parser.add_argument("--repeat", type=int, default=2, help="runs per case and approach (medians are printed)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--cases", default="prose-short,prose-long,code-short,code-long,compare", help="rows to run")
    parser.add_argument(
        "--profile",
        metavar="[naive:]ANSWER",
        help="only profile one sse-widget (or naive) run of ANSWER (e.g. prose-long, naive:code-long)",
    )
    args = parser.parse_args()
    answers = {
        "prose-short": prose(args.short),
        "prose-long": prose(args.long),
        "code-short": code(args.short),
        "code-long": code(args.long),
    }
    tokens = {name: len(tokenize(text)) for name, text in answers.items()}
    print(f"before: {load()}", flush=True)
    runs: list[Run] = []
    with DemoServer(answer=lambda prompt: answers[prompt], tokens_per_second=args.rate, ttft=0.02) as demo:
        setup = SETUP.format(url=demo.chat_url, answers=answers)
        with lab_page("render-floor.ipynb", setup) as page:
            bench = Bench(page, demo, args.rate, args.timeout)
            if args.profile:
                approach, _, name = args.profile.rpartition(":")
                expected = answers[name] if approach == "naive" else bench.expected(name)
                profile(bench, approach or "sse-widget", name, tokens[name], expected)
                return
            idle = bench.idle_ms_per_s(3.0)
            cases = args.cases.split(",")
            for name, text in answers.items():
                if name not in cases:
                    continue
                expected = {"naive": text, "sse-widget": bench.expected(name)}
                for _ in range(args.repeat):
                    for approach in ("naive", "sse-widget"):
                        run = bench.measure(name, approach, name, tokens[name], expected[approach])
                        runs.append(run)
                        print(
                            f"  {name:12s} {approach:10s} busy {per_k(run):6.0f} ms/1k tok, final DOM +{max(run.lags_ms):5.0f} ms, {run.longest_task()}",
                            flush=True,
                        )
            expected_short = bench.expected("prose-short")
            for _ in range(args.repeat if "compare" in cases else 0):
                for approach in ("naive", "compare"):
                    if approach == "naive":
                        run = bench.measure(
                            "compare", "naive", "prose-short", tokens["prose-short"], answers["prose-short"]
                        )
                    else:
                        run = bench.measure(
                            "compare", "compare", "prose-short", tokens["prose-short"], expected_short, args.panes
                        )
                    runs.append(run)
                    print(
                        f"  compare x{args.panes if approach == 'compare' else 1} {approach:10s} busy {per_k(run):6.0f} ms/1k tok, lags {[round(x) for x in run.lags_ms]} ms, {run.longest_task()}",
                        flush=True,
                    )
    print(f"after: {load()}")
    print(f"\n{args.rate} tokens/s per stream; idle JupyterLab {idle:.1f} ms/s busy; medians of {args.repeat} runs\n")
    header = f"{'answer':14} {'tokens':>7} {'naive ms/1k':>12} {'ours ms/1k':>11} {'ours/naive':>10} {'naive final':>12} {'ours final':>11} {'ours longest task':>18}"
    print(header)
    print("-" * len(header))
    for case in [c for c in [*answers, "compare"] if c in cases]:
        base = [r for r in runs if r.case == case and r.approach == "naive"]
        ours = [r for r in runs if r.case == case and r.approach != "naive"]
        b, o = statistics.median(per_k(r) for r in base), statistics.median(per_k(r) for r in ours)
        bf = statistics.median(max(r.lags_ms) for r in base)
        of = statistics.median(max(r.lags_ms) for r in ours)
        longest = max(r.max_long_ms for r in ours)
        label = f"compare x{args.panes}" if case == "compare" else case
        print(
            f"{label:14} {ours[0].tokens:>7,} {b:>12.0f} {o:>11.0f} {o / b:>9.2f}x {bf:>10.0f} ms {of:>8.0f} ms {longest:>15.0f} ms"
        )
    print(
        "\nGoals: ours/naive <= 1.00 for prose and code; code-long final <= 150 ms; compare: every pane <= 250 ms, no task > 100 ms."
    )
    print("compare's naive row is one naive stream of the same answer (ms/1k tokens is per token over all panes).")


if __name__ == "__main__":
    main()
