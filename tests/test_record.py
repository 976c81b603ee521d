"""Record a live run's raw events and replay them offline through the same pipeline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sse_widget import StreamWidget, replay
from sse_widget.demo import DemoServer, pick_answer
from sse_widget.record import Recording, load, replay_request, save
from sse_widget.sse import ServerSentEvent
from tests.servers import eventually

MESSAGES = [{"role": "user", "content": "Show me some code"}]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=400, ttft=0.05) as server:
        yield server


async def recorded_run(demo: DemoServer, path: str, body: dict, tmp_path: Path) -> tuple[StreamWidget, Path]:
    w = StreamWidget()
    w.start(demo.url + path, json=body)
    await asyncio.wait_for(w.wait(), 20)
    assert w.status == "done", w.error
    return w, w.save_recording(tmp_path / "run.jsonl")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat/completions", {"model": "demo", "stream": True, "messages": MESSAGES}),
        ("/v1/messages", {"model": "demo", "stream": True, "messages": MESSAGES}),
        ("/api/chat", {"model": "demo", "messages": MESSAGES}),
    ],
    ids=["openai", "anthropic", "ollama-ndjson"],
)
async def test_replay_reproduces_the_run_without_network(demo: DemoServer, tmp_path: Path, path: str, body: dict) -> None:
    live, saved = await recorded_run(demo, path, body, tmp_path)
    recording = load(saved)
    assert [e for _, e in recording.events] == [e for _, e in live.events]
    assert recording.status == "done"
    requests_before = len(demo.requests)
    again = StreamWidget()
    again.start(**replay_request(recording, speed=0))
    assert await asyncio.wait_for(again.wait(), 10) == live.text == pick_answer("Show me some code")
    assert again.status == "done"
    assert len(demo.requests) == requests_before, "a replay must not touch the network"


async def test_replay_follows_the_recorded_timing_scaled(tmp_path: Path) -> None:
    events = tuple((0.1 * i, ServerSentEvent(data=f"t{i} ")) for i in range(1, 6)) + ((0.6, ServerSentEvent(data="[DONE]")),)
    recording = Recording(events, format="text")
    for speed, at_least in ((1.0, 0.6), (3.0, 0.2)):
        w = StreamWidget()
        started = time.monotonic()
        w.start(**replay_request(recording, speed))
        assert await asyncio.wait_for(w.wait(), 10) == "t1 t2 t3 t4 t5 "
        assert time.monotonic() - started >= at_least
        assert w.stats["ttft_ms"] >= 100 / speed * 0.9


async def test_stop_works_during_a_replay(tmp_path: Path) -> None:
    events = tuple((0.05 * i, ServerSentEvent(data=f"w{i} ")) for i in range(200))
    w = StreamWidget()
    w.start(**replay_request(Recording(events, format="text"), 1.0))
    assert await eventually(lambda: len(w.text) >= 8)
    w.stop()
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "stopped" and 8 <= len(w.text) < 200


async def test_raw_text_recordings_replay_as_text(tmp_path: Path) -> None:
    events = ((0.0, ServerSentEvent(event="text", data="line one\r\n")), (0.01, ServerSentEvent(event="text", data="two")))
    saved = save(tmp_path / "text.jsonl", events, format="text")
    w = StreamWidget()
    w.start(**replay_request(load(saved), 0))
    assert await asyncio.wait_for(w.wait(), 5) == "line one\r\ntwo"


def test_replay_helper_starts_and_prints_nothing_in_a_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = save(tmp_path / "r.jsonl", [(0.0, ServerSentEvent(data="hi")), (0.0, ServerSentEvent(data="[DONE]"))], format="text")

    async def main() -> StreamWidget:
        w = replay(saved, speed=0)
        await w.wait()
        return w

    w = asyncio.run(main())
    assert w.text == "hi" and w.status == "done" and w.label == "replay"
    assert capsys.readouterr().out == "", "no front end to display on, so no repr printed"


def test_a_file_that_is_not_a_recording_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"hello": 1}\n')
    with pytest.raises(ValueError, match="not an sse-widget recording"):
        load(bad)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"recording": "sse-widget", "version": 1}\n{"t": 0}\n')
    with pytest.raises(ValueError, match="line 2"):
        load(broken)
