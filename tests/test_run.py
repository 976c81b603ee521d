"""Runs against a real streaming server on 127.0.0.1: text, stop, retry, errors, coalescing."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest

from sse_widget import StreamWidget, stop_all
from tests.servers import Script, ScriptedServer, eventually, openai_chunks, sse


class Recorder(StreamWidget):
    """A StreamWidget that keeps the custom messages it sends to the front end."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sent: list[dict[str, Any]] = []

    def send(self, content: Any, buffers: Any = None) -> None:
        self.sent.append(content)
        super().send(content, buffers)

    def deltas(self, run: int | None = None) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["type"] == "delta" and (run is None or m["run"] == run)]


def path(request: pytest.FixtureRequest) -> str:
    return "/" + request.node.name


async def test_openai_stream_arrives_whole_and_in_order(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    tokens = [f"tok{i} " for i in range(50)]
    url = server.add(path(request), Script.of(openai_chunks(tokens), delay=0.002))
    w = Recorder()
    assert w.start(url, json={"stream": True}) is w
    assert w.status == "connecting"
    text = await asyncio.wait_for(w.wait(), 10)
    assert text == "".join(tokens)
    assert w.status == "done" and w.error == ""
    deltas = w.deltas()
    assert [d["seq"] for d in deltas] == list(range(1, len(deltas) + 1))
    assert "".join(d["text"] for d in deltas) == text
    assert {d["run"] for d in deltas} == {1}
    stats = w.stats
    assert stats["chars"] == len(text) and stats["chunks"] == 50
    assert stats["tokens"] == 50 and stats["tokens_estimated"] is True
    assert stats["ttft_ms"] is not None and stats["ttft_ms"] <= stats["elapsed_ms"]
    assert json.loads(server.connections[-1].body) == {"stream": True}


async def test_plain_data_text_until_done_marker(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(sse("Hello", ",", " world", "[DONE]"), delay=0.001))
    w = StreamWidget()
    w.start(url, method="GET")
    assert await asyncio.wait_for(w.wait(), 10) == "Hello, world"
    assert w.status == "done"


async def test_fast_stream_is_coalesced_into_few_messages(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    tokens = [f"t{i} " for i in range(5000)]
    body = b"".join(openai_chunks(tokens))
    # 5000 tokens in ~100 network chunks over ~0.5 s: far more tokens per second than flushes.
    pieces = [body[i : i + len(body) // 100 + 1] for i in range(0, len(body), len(body) // 100 + 1)]
    url = server.add(path(request), Script.of(pieces, delay=0.005))
    w = Recorder()
    w.start(url)
    text = await asyncio.wait_for(w.wait(), 20)
    assert text == "".join(tokens)
    deltas = w.deltas()
    elapsed = w.stats["elapsed_ms"] / 1000
    assert len(deltas) <= elapsed / 0.04 + 3, (len(deltas), elapsed)
    assert "".join(d["text"] for d in deltas) == text


@pytest.mark.parametrize("where", ["flowing", "stalled", "before_headers"])
async def test_stop_closes_the_connection(server: ScriptedServer, request: pytest.FixtureRequest, where: str) -> None:
    if where == "flowing":
        script = Script.of(openai_chunks(f"w{i} " for i in range(10_000)), delay=0.01)
    elif where == "stalled":
        script = Script.of(openai_chunks(["partial ", "text"], done=False), stall=True)
    else:
        script = Script(header_delay=30)
    url = server.add(path(request) + where, script)
    w = StreamWidget()
    w.start(url)
    if where == "before_headers":
        assert await eventually(lambda: any(c.path.endswith(where) for c in server.connections))
        await asyncio.sleep(0.05)
    else:
        assert await eventually(lambda: len(w.text) >= 6)
    partial = w.text
    connection = [c for c in server.connections if c.path.endswith(where)][-1]
    stopped_at = time.monotonic()
    w.stop()
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "stopped" and w.error == ""
    assert w.text.startswith(partial)
    assert await eventually(lambda: connection.disconnected_at is not None, timeout=2)
    assert connection.disconnected_at - stopped_at < 1.0
    assert not connection.completed


async def test_stop_from_another_thread(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["a "], done=False), stall=True))
    w = StreamWidget()
    w.start(url)
    assert await eventually(lambda: w.text != "")
    thread = threading.Thread(target=w.stop)
    thread.start()
    thread.join(2)
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "stopped" and w.text == "a "


async def test_retry_starts_a_fresh_run_and_drops_the_old_one(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks([f"x{i} " for i in range(400)]), delay=0.005))
    w = Recorder()
    w.start(url)
    assert await eventually(lambda: len(w.text) >= 10)
    w.retry()
    assert w.run_id == 2 and w.text == ""
    text = await asyncio.wait_for(w.wait(), 20)
    assert text == "".join(f"x{i} " for i in range(400))
    # After run 2 began, nothing from run 1 was sent.
    begin = next(i for i, m in enumerate(w.sent) if m["run"] == 2)
    assert all(m["run"] == 2 for m in w.sent[begin:])
    assert len(server.connections) >= 2


async def test_http_error_shows_status_and_provider_message_without_the_key(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    key = "sk-test-1234567890abcdef"
    body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}.", "type": "invalid_request_error", "code": "invalid_api_key"}})
    url = server.add(path(request), Script.of([body], status=401, content_type="application/json"))
    w = StreamWidget()
    w.start(url, headers={"Authorization": f"Bearer {key}"})
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error"
    assert w.error.startswith("HTTP 401 Unauthorized: Incorrect API key provided")
    assert key not in w.error and key not in w.error_detail and key not in repr(w)
    assert "invalid_api_key" in w.error


async def test_dropped_connection_keeps_partial_text(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["kept ", "text"], done=False), drop=True))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error" and w.text == "kept text"
    assert "dropped" in w.error or "cut short" in w.error


async def test_stream_ending_cleanly_without_done_marker_is_done_with_a_notice(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["half ", "an answer"], done=False)))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "done" and w.text == "half an answer" and w.error == ""
    assert "without its end marker" in w.notice


async def test_stall_times_out_with_a_clear_message(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["waiting"], done=False), stall=True))
    w = StreamWidget()
    w.start(url, timeout=httpx.Timeout(5.0, read=0.3))
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error" and w.text == "waiting"
    assert "stalled" in w.error


async def test_in_band_error_under_http_200(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    parts = openai_chunks(["so far"], done=False) + sse(json.dumps({"error": {"message": "The server is overloaded", "type": "server_error"}}))
    url = server.add(path(request), Script.of(parts))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error" and w.text == "so far"
    assert "The server is overloaded" in w.error


async def test_connection_refused_is_one_clear_line() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    w = StreamWidget()
    w.start(f"http://127.0.0.1:{port}/v1/chat/completions")
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error"
    assert w.error.startswith(f"Connection refused by 127.0.0.1:{port}")
    assert "\n" not in w.error


async def test_stop_all_stops_every_running_widget(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["x"], done=False), stall=True))
    widgets = [StreamWidget().start(url) for _ in range(5)]
    assert await eventually(lambda: all(w.text for w in widgets))
    assert stop_all() == 5
    await asyncio.wait_for(asyncio.gather(*(w.wait() for w in widgets)), 5)
    assert {w.status for w in widgets} == {"stopped"}


def test_start_without_a_running_loop_says_what_to_do() -> None:
    w = StreamWidget()
    with pytest.raises(RuntimeError, match=r"asyncio\.run"):
        w.start("http://127.0.0.1:9/")
    assert w.status == "idle"


def test_script_style_use_under_asyncio_run(server: ScriptedServer) -> None:
    url = server.add("/script-style", Script.of(openai_chunks(["from ", "a script"])))

    async def main() -> str:
        return await StreamWidget().start(url).wait()

    assert asyncio.run(main()) == "from a script"


def open_sockets() -> int:
    import os

    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return count


async def test_a_thousand_start_stop_cycles_leave_no_sockets_or_tasks(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    url = server.add(path(request), Script.of(openai_chunks(["x "], done=False), stall=True))
    before = open_sockets()
    w = StreamWidget()
    for cycle in range(1000):
        w.start(url)
        # Stop at every stage: before connecting, while connecting, once text flows.
        for _ in range(cycle % 4):
            await asyncio.sleep(0)
        if cycle % 50 == 0:
            await eventually(lambda: w.text == "x ", timeout=5)
        w.stop()
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "stopped" and w.run_id == 1000
    assert await eventually(lambda: open_sockets() <= before, timeout=10), (open_sockets(), before)
    leftover = [t for t in asyncio.all_tasks() if t.get_name().startswith("sse-widget") and not t.done()]
    assert leftover == []


async def test_inspector_receives_every_raw_event_once(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    tokens = [f"e{i} " for i in range(40)]
    url = server.add(path(request), Script.of(openai_chunks(tokens), delay=0.003))
    w = Recorder()
    w.start(url)
    await eventually(lambda: len(w.text) > 20)
    w.inspect = True
    await asyncio.wait_for(w.wait(), 10)
    batches = [m for m in w.sent if m["type"] == "events"]
    assert batches[0]["reset"] is True and not any(b["reset"] for b in batches[1:])
    rows = [row for b in batches for row in b["events"]]
    assert len(rows) == len(tokens) + 1  # every chunk, then [DONE]
    assert rows[-1][2] == "[DONE]" and all(row[1] == "message" for row in rows)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


async def test_a_front_end_opening_with_the_inspector_on_gets_the_events_so_far(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    tokens = [f"k{i} " for i in range(10)]
    url = server.add(path(request), Script.of(openai_chunks(tokens), delay=0.002))
    w = Recorder(inspect=True)
    w.start(url)
    await asyncio.wait_for(w.wait(), 10)
    w.sent.clear()
    w._on_front_end_msg(w, {"type": "events"}, [])  # what a new browser tab sends
    assert await eventually(lambda: w.sent != [])
    (batch,) = w.sent
    assert batch["type"] == "events" and batch["reset"] is True and batch["run"] == 1
    assert len(batch["events"]) == len(tokens) + 1

    w.inspect = False
    w.sent.clear()
    w._on_front_end_msg(w, {"type": "events"}, [])
    await asyncio.sleep(0.05)
    assert w.sent == [], "no events while the inspector is closed"


async def test_reasoning_is_the_first_token_and_counts_in_the_rate(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    def chunk(**delta: str) -> str:
        return json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]})

    think, more, answer, done = sse(chunk(reasoning_content="Let me"), chunk(reasoning_content=" think."), chunk(content="Hi"), "[DONE]")
    url = server.add(path(request), Script(chunks=[(0.0, think), (0.0, more), (0.6, answer), (0.0, done)]))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 10)
    assert (w.text, w.reasoning) == ("Hi", "Let me think.")
    assert w.stats["ttft_ms"] < 400, w.stats  # the answer itself came 600 ms later
    assert w.stats["tokens"] == 3 and w.stats["tokens_estimated"] is True
    assert w.stats["tokens_per_s"] is not None


async def test_buffered_stream_gets_a_notice(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    body = b"".join(openai_chunks([f"b{i} " for i in range(30)]))
    url = server.add(path(request), Script(chunks=[(1.2, body)]))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == "done"
    assert "buffering" in w.notice and w.stats["reads"] <= 3


async def test_a_flowing_stream_gets_no_notice(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(openai_chunks([f"f{i} " for i in range(30)]), delay=0.01))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == "done" and w.notice == ""


async def test_cancelling_the_wait_stops_the_run_and_closes_its_connection(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    url = server.add(path(request), Script.of(openai_chunks(f"c{i} " for i in range(2000)), delay=0.01))
    w = StreamWidget()
    w.start(url)
    waiter = asyncio.ensure_future(w.wait())
    assert await eventually(lambda: len(w.text) > 10)
    connection = [c for c in server.connections if c.path == path(request)][-1]
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    # The connection is closed by the time the cancelled wait returns.
    assert w.status == "stopped" and len(w.text) > 10
    assert await eventually(lambda: connection.disconnected_at is not None, timeout=2)
    assert not connection.completed
