"""A run's timeline: points by arrival time, from real HTTP streams, kept in recordings, shared by compare()."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sse_widget import StreamWidget, compare, replay
from sse_widget.record import load
from sse_widget.time_axis import nice_extent
from sse_widget.timeline import MAX_POINTS, Timeline
from tests.servers import Script, ScriptedServer, eventually, openai_chunks


def test_points_are_cumulative_and_merge_within_ten_milliseconds_but_keep_the_first() -> None:
    line = Timeline()
    line.add(0.500, 4)
    line.add(0.501, 4)  # kept apart: the first point says when output began
    line.add(0.503, 4)  # same 20 ms step as the one before: merged into it
    line.add(0.900, 8)
    assert line.points(token_events=True) == [(0.5, 4, 1), (0.503, 12, 3), (0.9, 20, 4)]
    assert line.points(token_events=False) == [(0.5, 4, 1), (0.503, 12, 3), (0.9, 20, 5)]
    # The provider's count, once reported, scales the estimate to what the stats say.
    assert line.points(token_events=True, reported_tokens=8)[-1] == (0.9, 20, 8)


def test_take_hands_over_the_last_new_point_for_each_delta_and_the_first_point_once() -> None:
    line = Timeline()
    line.add(0.1, 3)
    line.add(0.2, 3)
    line.add(0.3, 3)
    assert line.take(token_events=True) == [(0.1, 3, 1), (0.3, 9, 3)]
    line.add(0.301, 3)  # same step as a point already sent: a new point
    line.add(0.4, 3)
    assert line.take(token_events=True) == [(0.4, 15, 5)]
    assert line.take(token_events=True) == []
    assert [p[0] for p in line.points(token_events=True)] == [0.1, 0.2, 0.3, 0.301, 0.4]
    line.add(0.5, 3)
    assert line.sent(token_events=True)[-1] == (0.4, 15, 5) and len(line.sent(token_events=True)) == 5


def test_a_long_run_is_merged_to_coarser_steps_and_stays_bounded() -> None:
    line = Timeline()
    for i in range(MAX_POINTS * 3):
        line.add(0.05 * i, 1)
    points = line.points(token_events=True)
    assert len(points) <= MAX_POINTS
    assert points[-1] == (round(0.05 * (MAX_POINTS * 3 - 1), 3), MAX_POINTS * 3, MAX_POINTS * 3)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(points, points[1:], strict=False))


def test_the_shared_axis_goes_up_in_round_steps() -> None:
    assert [nice_extent(s) for s in (0, 0.3, 1.0, 1.2, 2.5, 7, 11)] == [0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]


async def run(url: str) -> StreamWidget:
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 20)
    assert w.status == "done", w.error
    return w


async def test_points_follow_the_network_a_pause_shows_as_a_gap(server: ScriptedServer) -> None:
    tokens = [f"t{i} " for i in range(12)]
    chunks = openai_chunks(tokens)
    script = Script(chunks=[(0.3 if i == 0 else 0.6 if i == 6 else 0.02, c) for i, c in enumerate(chunks)])
    w = await run(server.add("/timeline-pause", script))
    points = w.timeline
    assert points == [tuple(p) for p in points] and all(len(p) == 3 for p in points)
    times = [t for t, _, _ in points]
    assert times == sorted(times)
    assert points[-1][1] == len(w.text) and points[-1][2] == w.stats["tokens"]
    assert points[0][0] == pytest.approx(w.stats["ttft_ms"] / 1000, abs=0.02)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) >= 0.5, gaps  # the 0.6 s pause, where the bytes paused
    assert sorted(gaps)[-2] < 0.3, gaps  # and nowhere else


async def test_a_buffered_answer_is_one_point_after_the_silence(server: ScriptedServer) -> None:
    body = b"".join(openai_chunks([f"b{i} " for i in range(40)]))
    w = await run(server.add("/timeline-buffered", Script(chunks=[(1.0, body)])))
    assert len(w.timeline) <= 2, w.timeline  # one read: the first event, then the rest
    assert w.timeline[0][0] >= 0.9 and w.timeline[-1][1] == len(w.text)
    assert "buffering" in w.notice


async def test_a_recording_keeps_the_timeline_and_replay_shows_it_whatever_the_speed(
    server: ScriptedServer, tmp_path: Path
) -> None:
    script = Script.of(openai_chunks([f"r{i} " for i in range(10)]), delay=0.05)
    live = await run(server.add("/timeline-record", script))
    saved = live.save_recording(tmp_path / "run.jsonl")
    assert list(load(saved).timeline) == live.timeline
    again = replay(saved, speed=0, timing=True)
    assert again.timing is True
    await asyncio.wait_for(again.wait(), 10)
    assert again.timeline == live.timeline  # not the replay's own, all at once
    assert again.save_recording(tmp_path / "again.jsonl") and list(load(tmp_path / "again.jsonl").timeline) == live.timeline


def test_a_recording_without_a_timeline_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text('{"recording": "sse-widget", "version": 1, "format": "text"}\n{"t": 0.1, "event": "message", "data": "hi"}\n')
    assert load(path).timeline == ()
    path.write_text('{"recording": "sse-widget", "version": 1, "timeline": [[0.1, "x"]]}\n')
    with pytest.raises(ValueError, match="line 1: not a recorded timeline"):
        load(path)


async def test_compare_gives_every_pane_the_longest_run_as_its_time_axis(server: ScriptedServer) -> None:
    fast = server.add("/timeline-fast", Script.of(openai_chunks(["a ", "b "]), delay=0.01))
    slow = server.add("/timeline-slow", Script.of(openai_chunks(["c ", "d ", "e "]), delay=0.3))
    grid = compare([{"url": fast, "label": "fast"}, {"url": slow, "label": "slow"}])
    await asyncio.wait_for(grid.wait(), 20)
    longest = max(w.stats["elapsed_ms"] for w in grid.widgets) / 1000
    # The axis is set right after the last stats, on the loop.
    assert await eventually(lambda: all(abs(w.timing_axis - longest) <= 0.001 for w in grid.widgets), 5)
    assert longest >= 1.0 > grid.widgets[0].stats["elapsed_ms"] / 1000
