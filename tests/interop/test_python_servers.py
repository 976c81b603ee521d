"""Starlette with sse-starlette, and aiohttp: event streams as people write them with those libraries."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from sse_widget import Delta, StreamWidget
from sse_widget import ServerSentEvent as ServerSentEvent_
from sse_widget.demo import BackgroundServer

WORDS = ["Every", " event", " arrives", " on", " its", " own", "."]
TEXT = "".join(WORDS)
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.27.0</center>\r\n</body>\r\n</html>\r\n"
)


def chunk(content: str | None, finish: str | None = None) -> str:
    delta = {} if content is None else {"content": content}
    return json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})


class _Cut(Exception):
    """Raised in a generator so that the server aborts the response mid-body."""


# -- Starlette + sse-starlette -------------------------------------------------

connections: dict[str, int] = {}


async def chat(request: Request) -> EventSourceResponse:
    async def events() -> AsyncIterator[dict[str, Any]]:
        for word in WORDS:
            await asyncio.sleep(0.03)  # pings (every 0.01 s) arrive between the chunks
            yield {"data": chunk(word)}
        yield {"data": chunk(None, "stop")}
        yield {"data": "[DONE]"}

    return EventSourceResponse(events(), ping=0.01)


async def numbered(request: Request) -> EventSourceResponse:
    """Events with ids; the first connection is cut after three. ``?resume=1`` honours Last-Event-ID."""
    key = request.query_params["name"]
    connections[key] = connections.get(key, 0) + 1
    first = connections[key] == 1
    honour = request.query_params.get("resume") == "1"
    start = int(request.headers.get("last-event-id", "0")) if honour else 0

    stall = request.query_params.get("stall") == "1"

    async def events() -> AsyncIterator[ServerSentEvent]:
        for index in range(start, len(WORDS)):
            if first and index == 3:
                if stall:
                    await asyncio.sleep(30)  # silent, pings off: only the client's read timeout ends it
                raise _Cut
            yield ServerSentEvent(data=WORDS[index], id=str(index + 1), retry=20)
            await asyncio.sleep(0.005)
        yield ServerSentEvent(data="[DONE]", id="end")

    return EventSourceResponse(events(), ping=None if stall else 0.01)


async def envelope(request: Request) -> EventSourceResponse:
    """Text in a JSON envelope, ending with ``[DONE]`` inside it; then the connection stays open."""

    async def events() -> AsyncIterator[dict[str, Any]]:
        for word in [*WORDS, "[DONE]"]:
            yield {"data": json.dumps({"text": word})}
        await asyncio.sleep(30)

    return EventSourceResponse(events())


async def in_band_error(request: Request) -> EventSourceResponse:
    async def events() -> AsyncIterator[ServerSentEvent]:
        for word in WORDS[:3]:
            yield ServerSentEvent(data=word)
        yield ServerSentEvent(data="the model crashed", event="error")
        await asyncio.sleep(5)  # a server that keeps the connection open after its error

    return EventSourceResponse(events(), ping=1)


async def bad_gateway(request: Request) -> HTMLResponse:
    return HTMLResponse(NGINX_502, status_code=502)


async def whole_reply(request: Request) -> JSONResponse:
    message = {"role": "assistant", "content": TEXT}
    usage = {"prompt_tokens": 3, "completion_tokens": 7, "total_tokens": 10}
    return JSONResponse({"object": "chat.completion", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}], "usage": usage})


@pytest.fixture(scope="module")
def starlette_url() -> Iterator[str]:
    routes = [
        Route("/chat", chat, methods=["POST"]),
        Route("/numbered", numbered),
        Route("/error", in_band_error),
        Route("/envelope", envelope),
        Route("/502", bad_gateway, methods=["GET", "POST"]),
        Route("/whole", whole_reply, methods=["POST"]),
    ]
    with BackgroundServer(Starlette(routes=routes), log_level="critical") as server:
        yield server.url


async def finished(url: str, within: float = 10.0, **kwargs: Any) -> StreamWidget:
    w = StreamWidget()
    w.start(url, **kwargs)
    await asyncio.wait_for(w.wait(), within)
    return w


async def test_sse_starlette_with_pings(starlette_url: str) -> None:
    w = await finished(f"{starlette_url}/chat", json={"stream": True})
    assert (w.status, w.text) == ("done", TEXT), w.error
    assert w.stats["tokens"] == len(WORDS)


async def test_resumable_stream_resumes_once_without_repeating(starlette_url: str) -> None:
    w = await finished(f"{starlette_url}/numbered", method="GET", params={"name": "resume", "resume": "1"})
    assert (w.status, w.text) == ("done", TEXT), w.error
    assert connections["resume"] == 2


async def test_stream_that_starts_over_on_reconnect_ends_in_error_with_the_text_once(starlette_url: str) -> None:
    w = await finished(f"{starlette_url}/numbered", method="GET", params={"name": "restart"})
    assert w.status == "error"
    assert w.text == "".join(WORDS[:3])
    assert "started the stream over" in w.error
    assert connections["restart"] == 2


async def test_stall_ends_within_about_the_read_timeout_even_when_resumable(starlette_url: str) -> None:
    started = time.monotonic()
    w = await finished(f"{starlette_url}/numbered", method="GET", params={"name": "stall", "stall": "1"}, timeout=httpx.Timeout(10, read=1.0))
    took = time.monotonic() - started
    assert w.status == "error" and "stalled" in w.error
    assert w.text == "".join(WORDS[:3])
    assert connections["stall"] == 1 and took < 2 * 1.0 + 1.0, took


async def test_callable_format_ends_the_stream_with_a_done_delta(starlette_url: str) -> None:
    def envelope_text(event: ServerSentEvent_) -> str | Delta:
        text = json.loads(event.data)["text"]
        return Delta(done=True) if text == "[DONE]" else text

    w = await finished(f"{starlette_url}/envelope", method="GET", format=envelope_text, timeout=httpx.Timeout(10, read=5.0))
    assert (w.status, w.text, w.notice) == ("done", TEXT, ""), w.error


async def test_plain_text_event_error_ends_in_error(starlette_url: str) -> None:
    w = await finished(f"{starlette_url}/error", method="GET")
    assert w.status == "error"
    assert w.text == "".join(WORDS[:3])
    assert "the model crashed" in w.error


async def test_html_error_page_becomes_one_readable_line(starlette_url: str) -> None:
    w = await finished(f"{starlette_url}/502", json={"stream": True})
    assert w.status == "error"
    assert w.error.startswith("HTTP 502 Bad Gateway: 502 Bad Gateway — the server failed, not the request: Retry")
    assert "<" not in w.error_detail and "nginx/1.27.0" in w.error_detail


async def test_whole_json_reply_is_shown_done_with_a_notice(starlette_url: str) -> None:
    w = await finished(f"{starlette_url}/whole", json={"stream": True})
    assert (w.status, w.text) == ("done", TEXT), w.error
    assert "not streamed" in w.notice and '"stream": true' not in w.notice
    assert w.stats["tokens"] == 7 and not w.stats["tokens_estimated"]

    asked_for_nothing = await finished(f"{starlette_url}/whole", json={"messages": []})
    assert asked_for_nothing.status == "done" and '"stream": true' in asked_for_nothing.notice


# -- aiohttp ---------------------------------------------------------------------


async def crlf_multiline(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    for part in ("first line\r\nsecond line", "third", "a: colon, not a field"):
        body = "".join(f"data: {line}\r\n" for line in part.split("\r\n"))
        await response.write(f": a comment\r\n{body}\r\n".encode())
        await asyncio.sleep(0.005)
    await response.write(b"data: [DONE]\r\n\r\n")
    await response.write_eof()
    return response


@pytest.fixture(scope="module")
def aiohttp_url() -> Iterator[str]:
    app = web.Application()
    app.router.add_get("/events", crlf_multiline)
    runner = web.AppRunner(app)
    loop = asyncio.new_event_loop()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, name="aiohttp server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def test_aiohttp_crlf_and_multi_line_data(aiohttp_url: str) -> None:
    w = await finished(f"{aiohttp_url}/events", method="GET")
    assert (w.status, w.text) == ("done", "first line\nsecond linethirda: colon, not a field"), w.error
