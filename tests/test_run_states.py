"""`Run` on its own, watched by a fake observer: states, coalesced deltas, events, a failing observer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from sse_widget.run import Run
from sse_widget.transport import StreamRequest
from tests.servers import Script, ScriptedServer, eventually, openai_chunks


class FakeObserver:
    """Writes down every report, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def run_status(self, run: Run) -> None:
        self.calls.append(("status", run.status))

    def run_delta(self, run: Run, seq: int, text: str, reasoning: str, stats: dict[str, Any] | None) -> None:
        self.calls.append(("delta", seq, text, reasoning, stats))

    def run_events(self, run: Run, start: int) -> None:
        self.calls.append(("events", start, len(run.events)))

    def run_tools(self, run: Run, tool_calls: list[dict[str, str]]) -> None:
        self.calls.append(("tools", tool_calls))

    def run_ended(self, run: Run) -> None:
        self.calls.append(("ended", run.status))

    def of(self, kind: str) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] == kind]


def path(request: pytest.FixtureRequest) -> str:
    return "/" + request.node.name


async def started(url: str, observer: Any, **kwargs: Any) -> Run:
    run = Run(StreamRequest(url), 1, observer, **kwargs)
    run.start()
    return run


async def test_states_in_order_and_deltas_numbered_then_nothing_after_the_end(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    tokens = [f"t{i} " for i in range(300)]
    url = server.add(path(request), Script.of(openai_chunks(tokens), delay=0.001))
    observer = FakeObserver()
    run = await started(url, observer, flush_interval=0.05)
    assert run.status == "connecting" and run.running
    assert await asyncio.wait_for(run.wait(), 10) == "".join(tokens)
    assert observer.calls[0] == ("status", "streaming") and observer.calls[-1] == ("ended", "done")
    deltas = observer.of("delta")
    assert [d[1] for d in deltas] == list(range(1, len(deltas) + 1)) and run.seq == len(deltas)
    assert "".join(d[2] for d in deltas) == run.text
    assert deltas[0][4] is not None  # the first flush carries stats
    elapsed = run.stats()["elapsed_ms"] / 1000
    assert len(deltas) <= elapsed / 0.05 + 3, (len(deltas), elapsed)
    assert run.format_name == "openai" and not run.running


async def test_cancel_ends_stopped_with_the_partial_text(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["partial "], done=False), stall=True))
    observer = FakeObserver()
    run = await started(url, observer)
    assert await eventually(lambda: run.text == "partial ")
    run.cancel()
    await asyncio.wait_for(run.wait(), 5)
    assert observer.calls[-1] == ("ended", "stopped") and run.error == ""
    assert "".join(d[2] for d in observer.of("delta")) == "partial "


async def test_watched_events_are_reported_once_each(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["a", "b", "c"]), delay=0.01))
    observer = FakeObserver()
    run = Run(StreamRequest(url), 1, observer)
    run.watch(True)
    run.start()
    await asyncio.wait_for(run.wait(), 5)
    reports = observer.of("events")
    assert reports[0][1] == 0
    assert [r[1] for r in reports[1:]] == [r[2] for r in reports[:-1]]
    assert reports[-1][2] == len(run.events) == 4


async def test_an_observer_that_raises_is_logged_and_the_run_still_ends(
    server: ScriptedServer, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(FakeObserver):
        def run_delta(self, run: Run, *args: Any) -> None:
            raise RuntimeError("comm closed")

    url = server.add(path(request), Script.of(openai_chunks(["x"])))
    observer = Broken()
    with caplog.at_level(logging.WARNING, logger="sse_widget"):
        run = await started(url, observer)
        await asyncio.wait_for(run.wait(), 5)
    assert observer.calls[-1] == ("ended", "done") and run.text == "x"
    assert "the observer failed" in caplog.text


async def test_a_failure_is_the_error_state_with_one_line(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["half"], done=False), drop=True))
    observer = FakeObserver()
    run = await started(url, observer)
    await asyncio.wait_for(run.wait(), 5)
    assert observer.calls[-1] == ("ended", "error") and run.text == "half"
    assert "dropped the connection" in run.error and "\n" not in run.error
