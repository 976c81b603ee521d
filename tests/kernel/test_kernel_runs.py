"""Run engine guarantees, seen from a front end of a real ipykernel."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.kernel.frontend import KernelFrontend, running_kernel
from tests.servers import Script, ScriptedServer, openai_chunks

pytestmark = pytest.mark.kernel



def test_stop_then_retry_a_hundred_times_never_shows_a_stale_chunk(
    kernel: KernelFrontend, server: ScriptedServer
) -> None:
    tokens = [f"s{i} " for i in range(200)]
    url = server.add("/kernel-stop-retry", Script.of(openai_chunks(tokens), delay=0.002))
    model_id = kernel.execute(f"sr = StreamWidget(); sr.start({url!r}); print(sr.model_id)").strip()
    view = kernel.widget(model_id)
    for _ in range(100):
        kernel.send_custom(model_id, {"type": "stop", "run": view.state.get("run_id", 1)})
        kernel.send_custom(model_id, {"type": "retry"})
        kernel.pump(0.01)
    assert kernel.pump(30, until=lambda: view.state.get("status") == "done" and view.run >= 2), view.state
    assert view.stale == 0 and view.gaps == 0
    assert view.text == "".join(tokens)
    assert kernel.evaluate("sr.text") == view.text


def test_burst_of_ten_thousand_tokens_per_second_stays_under_sixty_messages_per_second(
    kernel: KernelFrontend, server: ScriptedServer
) -> None:
    tokens = [f"b{i} " for i in range(20_000)]
    body = b"".join(openai_chunks(tokens))
    # 20k tokens over ~2 s: 10k tokens/s, in network-sized pieces.
    step = len(body) // 400 + 1
    pieces = [body[i : i + step] for i in range(0, len(body), step)]
    url = server.add("/kernel-burst", Script.of(pieces, delay=0.005))
    model_id = kernel.execute(f"bw = StreamWidget(); bw.start({url!r}); print(bw.model_id)").strip()
    view = kernel.widget(model_id)
    arrivals: list[float] = []
    before = view.messages
    deadline = time.monotonic() + 60
    while view.state.get("status") != "done" and time.monotonic() < deadline:
        count = view.messages
        kernel.pump(0.02)
        arrivals.extend([time.monotonic()] * (view.messages - count))
    assert view.state.get("status") == "done", view.state
    assert view.text == "".join(tokens)
    assert view.gaps == 0
    # The busiest one-second window of comm messages for this widget.
    peak = max(sum(1 for t in arrivals if start <= t < start + 1) for start in arrivals)
    assert peak <= 60, peak
    text_bytes = len(view.text.encode())
    # The timeline synced when the run ends is its own, bounded cost (one point
    # per 20 ms of streaming at most): counted apart from the text's overhead.
    timeline_bytes = len(json.dumps(view.state.get("timeline"), ensure_ascii=False).encode())
    assert 0 < timeline_bytes < 0.05 * text_bytes, (timeline_bytes, text_bytes)
    assert view.payload_bytes - timeline_bytes < 2.2 * text_bytes, (view.payload_bytes, timeline_bytes, text_bytes)
    assert view.messages - before >= 2


def test_fifty_streams_at_once_all_complete(kernel: KernelFrontend, server: ScriptedServer) -> None:
    tokens = [f"c{i} " for i in range(100)]
    url = server.add("/kernel-fifty", Script.of(openai_chunks(tokens), delay=0.01))
    ids = json.loads(
        kernel.execute(
            "import json\n"
            f"many = [StreamWidget().start({url!r}) for _ in range(50)]\n"
            "print(json.dumps([w.model_id for w in many]))"
        )
    )
    views = [kernel.widget(i) for i in ids]
    assert kernel.pump(60, until=lambda: all(v.state.get("status") == "done" for v in views)), [
        v.state.get("status") for v in views
    ]
    expected = "".join(tokens)
    assert all(v.text == expected for v in views)
    assert kernel.evaluate("sorted({w.status for w in many})") == ["done"]


def stalled(server: ScriptedServer) -> list[Any]:
    return [c for c in server.connections if c.path == "/kernel-stall"]


def test_stop_all_and_closing_a_widget_stop_their_runs(kernel: KernelFrontend, server: ScriptedServer) -> None:
    url = server.add("/kernel-stall", Script.of(openai_chunks(["hold "], done=False), stall=True))
    kernel.execute(f"held = [StreamWidget().start({url!r}) for _ in range(3)]")
    assert kernel.pump(10, until=lambda: len(stalled(server)) == 3)
    assert server.wait_for(lambda: all(c.chunks_sent == 1 for c in stalled(server)))
    assert kernel.evaluate("stop_all()") == 3
    kernel.execute(f"closing = StreamWidget().start({url!r})")
    assert kernel.pump(10, until=lambda: len(stalled(server)) == 4)
    assert server.wait_for(lambda: all(c.chunks_sent == 1 for c in stalled(server)))
    kernel.execute("closing.close()")
    connections = stalled(server)
    assert server.wait_for(lambda: all(c.disconnected_at is not None for c in connections), timeout=3)
    assert kernel.evaluate("[w.status for w in held]") == ["stopped"] * 3


def test_kernel_shutdown_does_not_hang_on_a_live_stream(server: ScriptedServer) -> None:
    url = server.add("/kernel-shutdown", Script.of(openai_chunks(["live "], done=False), stall=True))
    with running_kernel() as frontend:
        frontend.execute(f"from sse_widget import StreamWidget\nlive = StreamWidget().start({url!r})")
        assert server.wait_for(lambda: any(c.path == "/kernel-shutdown" for c in server.connections))
        started = time.monotonic()
        frontend.km.shutdown_kernel(now=False)
        assert time.monotonic() - started < 10
        assert not frontend.km.is_alive()
    connection = [c for c in server.connections if c.path == "/kernel-shutdown"][-1]
    assert server.wait_for(lambda: connection.disconnected_at is not None, timeout=3)


def test_a_view_that_mounts_mid_run_gets_a_snapshot_and_continues(kernel: KernelFrontend, server: ScriptedServer) -> None:
    tokens = [f"m{i} " for i in range(300)]
    url = server.add("/kernel-snapshot", Script.of(openai_chunks(tokens), delay=0.005))
    model_id = kernel.execute(f"sn = StreamWidget().start({url!r}); print(sn.model_id)").strip()
    first = kernel.widget(model_id)
    assert kernel.pump(10, until=lambda: len(first.text) > 100)
    # A second front end appears: it knows nothing but the traits, and asks for a snapshot.
    late = kernel.views[model_id] = type(first)(model_id, state=dict(first.state))
    late.run = first.state["run_id"]
    kernel.send_custom(model_id, {"type": "snapshot"})
    assert kernel.pump(20, until=lambda: late.state.get("status") == "done" or first.state.get("status") == "done")
    kernel.pump(0.5)
    assert late.text == "".join(tokens), "the late view continued from its snapshot to the full text"
    assert late.gaps <= 1  # deltas before the snapshot arrived are superseded by it
