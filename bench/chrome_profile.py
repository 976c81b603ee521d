"""Where a page's main-thread time goes, from Chrome: its sampling profiler and its timeline trace.

JavaScript's samples show little of a streaming page's cost: most of it is the
browser's own work (style, layout, paint), which only the timeline trace names.
``profiled`` records both around a block and prints the top of each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TRACE_CATEGORIES = ["devtools.timeline", "v8.execute", "blink.user_timing"]


def main_thread_self_ms(trace: dict[str, Any]) -> dict[str, float]:
    """Self time of each trace event name on the page's main thread (``CrRendererMain``)."""
    events = trace["traceEvents"]
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    spans = sorted(
        (e["ts"], -e["dur"], e["name"])
        for e in events
        if e.get("ph") == "X" and e.get("dur", 0) > 0 and (e["pid"], e["tid"]) in mains
    )
    self_us: dict[str, float] = {}
    open_spans: list[tuple[float, str]] = []  # (end, name), innermost last
    for start, neg_duration, name in spans:
        while open_spans and open_spans[-1][0] <= start:
            open_spans.pop()
        duration = -neg_duration
        if open_spans:
            parent = open_spans[-1][1]
            self_us[parent] = self_us.get(parent, 0.0) - duration
        self_us[name] = self_us.get(name, 0.0) + duration
        open_spans.append((start + duration, name))
    return {name: us / 1000 for name, us in self_us.items()}


def function_self_ms(profile: dict[str, Any]) -> dict[str, float]:
    """Self time of each function in a CPU profile (``Profiler.stop``), by name, file and line."""
    by_id = {node["id"]: node for node in profile["nodes"]}
    counts: dict[int, int] = {}
    for sample in profile["samples"]:
        counts[sample] = counts.get(sample, 0) + 1
    deltas = profile["timeDeltas"]
    per_sample_ms = sum(deltas) / 1000 / max(len(deltas), 1)
    self_ms: dict[str, float] = {}
    for node_id, count in counts.items():
        frame = by_id[node_id]["callFrame"]
        key = f"{frame['functionName'] or '(anonymous)'} {frame['url'].rsplit('/', 1)[-1][:40]}:{frame['lineNumber']}"
        self_ms[key] = self_ms.get(key, 0.0) + count * per_sample_ms
    return self_ms


def print_top(title: str, times: dict[str, float], top: int) -> None:
    print(f"\n{title}")
    for key, ms in sorted(times.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {ms:8.1f} ms  {key}")


@contextmanager
def profiled(page: Any, cdp: Any, what: str, top: int = 25) -> Iterator[None]:
    """Profile and trace ``page`` (``cdp``: its DevTools session) around the block, then print both."""
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    cdp.send("Profiler.start")
    browser = page.context.browser
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    try:
        yield
    finally:
        trace = json.loads(browser.stop_tracing())
        profile = cdp.send("Profiler.stop")["profile"]
    print_top(f"{what}: main-thread self time by trace event", main_thread_self_ms(trace), top)
    print_top(f"{what}: JavaScript self time by function", function_self_ms(profile), top)
