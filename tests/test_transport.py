"""The transport against a real server on 127.0.0.1: typed errors, reconnecting a GET event stream."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from sse_widget.decoders import Decoder
from sse_widget.errors import ContentTypeError, HTTPStatusError, NetworkError, RunError
from sse_widget.transport import ReconnectPolicy, StreamRequest, Transport
from tests.servers import Script, ScriptedServer, sse


def path(request: pytest.FixtureRequest) -> str:
    return "/" + request.node.name


async def read_all(response: httpx.Response, decoder: Decoder) -> None:
    async for chunk in response.aiter_bytes():
        decoder.feed(chunk)


async def fails_with(transport: Transport) -> RunError:
    reconnects: list[int] = []
    with pytest.raises(RunError) as caught:
        await asyncio.wait_for(transport.stream(read_all, lambda: reconnects.append(1)), 10)
    assert reconnects == []
    return caught.value


async def test_a_broken_get_event_stream_is_resumed_with_its_last_event_id(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    body = [b"retry: 5\n\n", b"id: 7\ndata: part\n\n"]
    url = server.add(path(request), Script.of(body, drop=True))
    transport = Transport(StreamRequest(url, method="GET"), ReconnectPolicy(attempts=2))
    statuses: list[str] = []
    with pytest.raises(NetworkError) as caught:
        await asyncio.wait_for(transport.stream(read_all, lambda: statuses.append("connecting")), 10)
    seen = [c for c in server.connections if c.path == path(request)]
    assert len(seen) == 3 and statuses == ["connecting", "connecting"]
    assert "Last-event-id" not in {k.capitalize() for k in seen[0].headers}
    assert [c.headers.get("last-event-id") for c in seen[1:]] == ["7", "7"]
    assert "dropped" in caught.value.message or "broke" in caught.value.message


async def test_a_post_is_never_sent_twice(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of(sse("part"), drop=True))
    error = await fails_with(Transport(StreamRequest(url)))
    assert isinstance(error, NetworkError)
    assert len([c for c in server.connections if c.path == path(request)]) == 1


async def test_an_error_status_is_one_line_without_the_key(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    key = "sk-transport-secret-1234"
    body = b'{"error": {"message": "Rate limit for sk-transport-secret-1234 reached"}}'
    url = server.add(path(request), Script.of([body], status=429, content_type="application/json"))
    error = await fails_with(Transport(StreamRequest(url, headers={"Authorization": f"Bearer {key}"})))
    assert isinstance(error, HTTPStatusError) and error.status_code == 429
    assert error.message.startswith("HTTP 429") and "Rate limit" in error.message
    assert key not in error.message


async def test_an_html_page_is_not_a_stream(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of([b"<html></html>"], content_type="text/html; charset=utf-8"))
    error = await fails_with(Transport(StreamRequest(url)))
    assert isinstance(error, ContentTypeError) and "HTML page" in error.message


async def test_a_refused_connection_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await fails_with(Transport(StreamRequest(f"http://127.0.0.1:{port}/")))
    assert isinstance(error, NetworkError) and error.message.startswith(f"Connection refused by 127.0.0.1:{port}")
    assert "ConnectionRefusedError" in error.detail and "Traceback" not in error.detail


def test_the_reconnect_pause_doubles_from_the_stream_retry_value_up_to_a_cap() -> None:
    policy = ReconnectPolicy(attempts=5, default_ms=500, max_s=3.0)
    assert [policy.delay(n, None) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert policy.delay(2, 100) == 0.2
    assert not policy.allows("POST", None, 0)


async def test_a_key_in_the_url_is_masked_in_an_error_that_echoes_it(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    key = "AIzaSy-url-key-0123456789"
    body = f'{{"error": {{"message": "API key not valid: {key} (from /v1?key={key})"}}}}'.encode()
    url = server.add(path(request), Script.of([body], status=400, content_type="application/json"))
    error = await fails_with(Transport(StreamRequest(f"{url}?alt=sse&key={key}")))
    assert isinstance(error, HTTPStatusError) and error.message.startswith("HTTP 400")
    assert "API key not valid: ***" in error.message and key not in error.message
    assert key not in repr(StreamRequest(f"{url}?key={key}"))
