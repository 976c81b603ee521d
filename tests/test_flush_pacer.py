"""The flush interval: short for slow streams, longer for fast ones and for several at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from sse_widget.flush_pacer import FAST_CHARS_PER_S, SLOW_CHARS_PER_S, FlushPacer
from tests.servers import Script, ScriptedServer, openai_chunks
from tests.test_run_states import FakeObserver, path, started


@pytest.fixture
def pacers() -> Iterator[list[FlushPacer]]:
    made: list[FlushPacer] = []
    yield made
    for pacer in made:
        pacer.streaming(False)


def feed(pacer: FlushPacer, chars_per_s: float, flushes: int = 20) -> None:
    for _ in range(flushes):
        pacer.sent(round(chars_per_s * pacer.interval), pacer.interval)


def test_slow_streams_keep_the_shortest_interval_and_fast_ones_wait_the_longest() -> None:
    slow, fast, middle = FlushPacer(0.04, 0.1), FlushPacer(0.04, 0.1), FlushPacer(0.04, 0.1)
    feed(slow, SLOW_CHARS_PER_S / 2)
    feed(fast, FAST_CHARS_PER_S * 2)
    feed(middle, (SLOW_CHARS_PER_S + FAST_CHARS_PER_S) / 2)
    assert slow.interval == pytest.approx(0.04)
    assert fast.interval == pytest.approx(0.1)
    assert middle.interval == pytest.approx(0.07, abs=0.005)
    feed(fast, SLOW_CHARS_PER_S / 4)
    assert fast.interval == pytest.approx(0.04, abs=0.002), "a stream that slows down gets the short interval back"


def test_runs_streaming_at_once_each_wait_longer(pacers: list[FlushPacer]) -> None:
    pacers.extend(FlushPacer(0.04, 0.1) for _ in range(4))
    for pacer in pacers:
        feed(pacer, SLOW_CHARS_PER_S / 2)
    pacers[0].streaming(True)
    assert pacers[0].interval == pytest.approx(0.04)
    for pacer in pacers[1:]:
        pacer.streaming(True)
    assert [p.interval for p in pacers] == pytest.approx([0.16] * 4)
    for pacer in pacers[1:]:
        pacer.streaming(False)
    assert pacers[0].interval == pytest.approx(0.04)


async def test_a_fast_stream_is_sent_in_fewer_messages(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    # 100 characters every 10 ms: far above FAST_CHARS_PER_S even on a slow machine.
    tokens = ["x" * 99 + " " for _ in range(150)]
    url = server.add(path(request), Script.of(openai_chunks(tokens), delay=0.01))
    observer = FakeObserver()
    run = await started(url, observer)
    assert await asyncio.wait_for(run.wait(), 20) == "".join(tokens)
    deltas = observer.of("delta")
    elapsed = run.stats()["elapsed_ms"] / 1000
    assert run.pacer.interval == pytest.approx(0.1)
    # At the shortest interval there would be about elapsed / 0.04 of them.
    assert len(deltas) <= elapsed / 0.08 + 4, (len(deltas), elapsed)


async def test_a_slow_stream_sends_each_token_as_it_comes(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    tokens = [f"t{i} " for i in range(12)]
    url = server.add(path(request), Script.of(openai_chunks(tokens), delay=0.06))
    observer = FakeObserver()
    run = await started(url, observer)
    assert await asyncio.wait_for(run.wait(), 20) == "".join(tokens)
    assert run.pacer.interval == pytest.approx(0.04)
    # Tokens 60 ms apart, flushed at most every 40 ms: nearly one message each.
    assert len(observer.of("delta")) >= len(tokens) - 2
