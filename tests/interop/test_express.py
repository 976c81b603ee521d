"""Express servers as tutorials and relays write them, alone and behind compression and a proxy."""

from __future__ import annotations

import asyncio
import itertools

import httpx

from sse_widget import StreamWidget
from sse_widget.demo import DemoServer, pick_answer, tokenize
from tests.interop.conftest import NodeServer
from tests.servers import eventually

WORDS = ["Streams", " arrive", " one", " piece", " at", " a", " time", "."]
# `data:${str}`: the one space after the colon belongs to the framing, as the SSE standard says.
TUTORIAL_TEXT = "".join(word.removeprefix(" ") for word in WORDS)
_gates = itertools.count(1)


async def ended(widget: StreamWidget, timeout: float = 10.0) -> StreamWidget:
    await asyncio.wait_for(widget.wait(), timeout)
    return widget


async def test_tutorial_stream_ends_at_its_end_marker_which_is_not_shown(express: NodeServer) -> None:
    w = StreamWidget()
    w.start(f"{express.url}/events", method="GET", end_marker="end")
    await ended(w)
    assert (w.status, w.text) == ("done", TUTORIAL_TEXT), w.error
    assert w.notice == ""


async def test_tutorial_stream_without_its_marker_keeps_it_as_text(express: NodeServer) -> None:
    w = StreamWidget()
    w.start(f"{express.url}/events", method="GET")
    await ended(w)
    assert (w.status, w.text) == ("done", TUTORIAL_TEXT + "end"), w.error


async def test_tutorial_stream_that_drops_is_not_repeated(express: NodeServer) -> None:
    # No id: lines, so a reconnect would get the stream again from the start.
    w = StreamWidget()
    w.start(f"{express.url}/events", method="GET", params={"drop": 3}, end_marker="end")
    await ended(w)
    assert w.status == "error"
    assert w.text == "".join(word.removeprefix(" ") for word in WORDS[:3])
    assert "dropped" in w.error and "cannot be resumed" in w.error


async def test_relay_of_raw_json_chunks_ending_cleanly_is_done(express: NodeServer) -> None:
    w = StreamWidget()
    w.start(f"{express.url}/relay", json={"stream": True})
    await ended(w)
    assert (w.status, w.text) == ("done", "".join(WORDS)), w.error
    assert "without its end marker" in w.notice


async def gated(express: NodeServer, path: str, headers: dict[str, str] | None = None) -> StreamWidget:
    """Stream a gated route: its first word must show before the server sends the rest."""
    gate = f"g{next(_gates)}"
    w = StreamWidget()
    w.start(f"{express.url}{path}", method="GET", params={"id": gate}, headers=headers)
    assert await eventually(lambda: w.text == WORDS[0], timeout=10), (w.status, w.text, w.error)
    async with httpx.AsyncClient() as client:
        assert (await client.post(f"{express.url}/gate/{gate}")).status_code == 204
    return await ended(w)


async def test_compression_middleware_does_not_hold_the_stream_back(express: NodeServer) -> None:
    w = await gated(express, "/compressed/gated")
    assert (w.status, w.text) == ("done", "".join(WORDS)), w.error


async def test_http_proxy_middleware_passes_the_stream_through(express: NodeServer) -> None:
    w = await gated(express, "/self-proxy/gated")
    assert (w.status, w.text) == ("done", "".join(WORDS)), w.error


async def test_http_proxy_middleware_in_front_of_the_demo(express: NodeServer, interop_demo: DemoServer) -> None:
    prompt = "How does streaming work?"
    body = {"model": "demo", "stream": True, "messages": [{"role": "user", "content": prompt}]}
    w = StreamWidget()
    w.start(f"{express.url}/proxy/v1/chat/completions", json={**body, "stream_options": {"include_usage": True}})
    await ended(w, 30)
    assert (w.status, w.text) == ("done", pick_answer(prompt)), w.error
    assert w.stats["tokens"] == len(tokenize(pick_answer(prompt))) and not w.stats["tokens_estimated"]
    assert interop_demo.requests[-1].headers["accept-encoding"] == "identity"


async def test_caller_accept_encoding_is_kept_and_a_short_buffered_answer_gets_the_notice(express: NodeServer) -> None:
    # Asking for gzip lets the compression middleware buffer all ten messages until the end.
    w = StreamWidget()
    w.start(f"{express.url}/compressed/paced", method="GET", params={"count": 10, "interval": 120}, headers={"Accept-Encoding": "gzip"})
    await ended(w)
    assert w.status == "done", w.error
    assert w.text == "".join(f"w{i} " for i in range(10))
    assert "buffering" in w.notice
