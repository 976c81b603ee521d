"""Each common failure ends in one line that says what happened and what to check (real servers on 127.0.0.1)."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from sse_widget.errors import ContentTypeError, HTTPStatusError, NetworkError
from sse_widget.failure_text import status_advice
from sse_widget.transport import StreamRequest, Transport
from tests.servers import Script, ScriptedServer
from tests.test_transport import fails_with, path


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_one_line(message: str) -> None:
    assert "\n" not in message and "Traceback" not in message and len(message) < 420, message


async def test_a_refused_connection_asks_whether_the_server_runs() -> None:
    port = closed_port()
    error = await fails_with(Transport(StreamRequest(f"http://127.0.0.1:{port}/v1/chat")))
    assert isinstance(error, NetworkError)
    assert error.message == f"Connection refused by 127.0.0.1:{port} — is the server running and the port right?"
    assert "Traceback" not in error.detail and "ConnectionRefusedError" in error.detail


async def test_a_host_that_does_not_resolve_names_the_host() -> None:
    error = await fails_with(Transport(StreamRequest("http://no-such-host.invalid/v1/chat")))
    assert isinstance(error, NetworkError)
    assert error.message.startswith("Cannot resolve the host name 'no-such-host.invalid' — check the URL's host")


async def test_https_to_a_plain_http_server_says_to_check_the_scheme(
    server: ScriptedServer, request: pytest.FixtureRequest
) -> None:
    url = server.add(path(request), Script.of([b"data: x\n\n"])).replace("http://", "https://")
    error = await fails_with(Transport(StreamRequest(url)))
    assert isinstance(error, NetworkError) and error.message.startswith(f"TLS with {httpx.URL(url).netloc.decode()} failed")
    assert "Check http:// versus https://" in error.message
    assert_one_line(error.message)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, b'{"error": {"message": "Incorrect API key provided."}}', "HTTP 401 Unauthorized: Incorrect API key provided — check the API key"),
        (403, b'{"error": {"message": "Forbidden"}}', "HTTP 403 Forbidden: Forbidden — the key is not allowed"),
        (404, b"", "HTTP 404 Not Found — check the URL path /{name}"),
        (500, b"oops", "HTTP 500 Internal Server Error: oops — the server failed, not the request: Retry"),
        (503, b"<html><title>Service Unavailable</title></html>", "HTTP 503 Service Unavailable: Service Unavailable — the server failed"),
    ],
)
async def test_an_error_status_ends_in_what_to_check(
    server: ScriptedServer, request: pytest.FixtureRequest, status: int, body: bytes, expected: str
) -> None:
    url = server.add(path(request), Script.of([body], status=status, content_type="application/json" if body.startswith(b"{") else "text/html"))
    error = await fails_with(Transport(StreamRequest(url)))
    assert isinstance(error, HTTPStatusError) and error.status_code == status
    assert error.message.startswith(expected.format(name=request.node.name)), error.message
    assert_one_line(error.message)


async def test_a_429_says_when_to_retry_from_retry_after(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    body = b'{"error": {"message": "Rate limit reached."}}'
    url = server.add(path(request), Script.of([body], status=429, content_type="application/json", headers=[("retry-after", "20")]))
    error = await fails_with(Transport(StreamRequest(url)))
    assert error.message == (
        "HTTP 429 Too Many Requests: Rate limit reached — retry in 20 s, or check the account's rate limits and quota."
    )


def test_retry_after_as_a_date_or_missing() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    soon = httpx.Headers({"retry-after": format_datetime(now + timedelta(seconds=90), usegmt=True)})
    later = httpx.Headers({"retry-after": format_datetime(now + timedelta(hours=3), usegmt=True)})
    assert status_advice(429, soon, "http://h/", now=now.timestamp()).startswith("retry in 90 s")
    assert status_advice(429, later, "http://h/", now=now.timestamp()).startswith("retry after 15:00:00 UTC")
    assert status_advice(429, httpx.Headers(), "http://h/").startswith("retry in a moment")


async def test_a_stall_names_the_read_timeout(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of([b"data: partial\n\n"], stall=True))
    error = await fails_with(Transport(StreamRequest(url, timeout=httpx.Timeout(5.0, read=0.3))))
    assert isinstance(error, NetworkError)
    assert error.message.startswith("The stream stalled: no data for 0.3 s (the read timeout) — ")
    assert "timeout=" in error.message


async def test_a_body_that_is_not_a_stream_names_its_type(server: ScriptedServer, request: pytest.FixtureRequest) -> None:
    url = server.add(path(request), Script.of([b"\x89PNG"], content_type="image/png"))
    error = await fails_with(Transport(StreamRequest(url)))
    assert isinstance(error, ContentTypeError) and "'image/png'" in error.message
    assert_one_line(error.message)
