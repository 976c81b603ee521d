"""The HTTP side of a run: the request, one attempt at it, when to reconnect, and error text.

:class:`Transport` sends a :class:`StreamRequest` with httpx and hands each
successful response, with the decoder its content type calls for, to a
``consume`` coroutine (the run's read loop). A broken GET event stream is
requested again as :class:`ReconnectPolicy` allows; any other failure becomes a
:class:`~sse_widget.errors.RunError` with one line of text and no secrets.
"""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from .decoders import Decoder, decoder_for
from .errors import HTTPStatusError, NetworkError
from .failure_text import connection_failure, exception_chain, status_advice
from .formats import FormatSpec, error_message
from .pages import looks_like_html, page_text
from .redact import redact, redact_url, secrets_in
from .sse import SSEDecoder

__all__ = ["DEFAULT_TIMEOUT", "ReconnectPolicy", "StreamRequest", "Transport"]

#: Connect within 10 s; a stream that sends nothing for 120 s has stalled.
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)

_ERROR_BODY_LIMIT = 64 * 1024
_ERROR_TEXT_LIMIT = 300
_NO_IDS = "The server sends no event ids, so the stream cannot be resumed without repeating it."

Consume = Callable[[httpx.Response, Decoder], Awaitable[None]]


@dataclass(frozen=True)
class StreamRequest:
    """Everything needed to (re)issue one streaming request.

    Its repr shows the URL with its secrets masked, and no headers or params.
    """

    url: str
    method: str = "POST"
    json: Any = None
    data: Any = None
    headers: Mapping[str, str] | None = field(default=None, repr=False)
    params: Any = field(default=None, repr=False)
    format: FormatSpec = "auto"
    client: httpx.AsyncClient | None = field(default=None, repr=False)
    timeout: Any = None
    #: Event data that ends the stream (one string or several), whatever the format.
    end_marker: str | Sequence[str] | None = None

    def secrets(self) -> list[str]:
        """Values that must never appear in an error message or a log line."""
        return secrets_in(self.headers, self.params, self.url)

    def __repr__(self) -> str:
        return (
            f"StreamRequest(url={redact_url(self.url)!r}, method={self.method!r}, format={self.format!r}, "
            f"timeout={self.timeout!r})"
        )

    @property
    def end_markers(self) -> frozenset[str]:
        """``end_marker`` as a set of strings (empty when there is none)."""
        if self.end_marker is None:
            return frozenset()
        return frozenset([self.end_marker] if isinstance(self.end_marker, str) else self.end_marker)

    @property
    def asks_for_stream(self) -> bool:
        """Whether the JSON body asks for a stream (``"stream": true``)."""
        return isinstance(self.json, Mapping) and self.json.get("stream") is True


@dataclass(frozen=True)
class ReconnectPolicy:
    """When a broken stream is requested again, and after how long (as EventSource does).

    Only a GET event stream that was already flowing and carried event ids is
    resumed, with ``Last-Event-ID``, after the connection broke; never a POST,
    which could repeat a paid generation, nor a stream without ids (most servers
    send none and would start over), nor a stall, which would only wait again.
    The pause doubles each time, from the stream's ``retry:`` value (or
    ``default_ms``) up to ``max_s``.
    """

    attempts: int = 3
    default_ms: int = 500
    max_s: float = 10.0

    def allows(self, method: str, last_event_id: str, attempt: int, failure: Exception | None = None) -> bool:
        """Whether reconnect number ``attempt + 1`` may happen after ``failure``."""
        if isinstance(failure, httpx.TimeoutException):
            return False
        return method == "GET" and bool(last_event_id) and attempt < self.attempts

    def delay(self, attempt: int, retry_ms: int | None) -> float:
        """Seconds to wait before reconnect number ``attempt`` (1, 2, ...)."""
        base = (retry_ms if retry_ms is not None else self.default_ms) / 1000
        return min(base * 2 ** (attempt - 1), self.max_s)


class Transport:
    """Sends one :class:`StreamRequest`, resuming it while its :class:`ReconnectPolicy` allows."""

    def __init__(self, request: StreamRequest, policy: ReconnectPolicy = ReconnectPolicy()) -> None:
        self.request = request
        self.policy = policy
        #: The decoder of the last event stream read, whose reconnection time a reconnect waits.
        self.event_stream: SSEDecoder | None = None
        #: The last event ID seen on any attempt, sent as ``Last-Event-ID`` by a reconnect.
        self.last_event_id = ""

    async def stream(self, consume: Consume, on_reconnect: Callable[[], None]) -> None:
        """Read the request's response with ``consume``; ``on_reconnect`` runs before each pause."""
        request = self.request
        owns_client = request.client is None
        client = request.client or httpx.AsyncClient(
            timeout=_timeout(request.timeout), follow_redirects=True, verify=_ssl_context()
        )
        try:
            attempt = 0
            while True:
                try:
                    await self._attempt(client, owns_client, consume)
                    return
                except httpx.TransportError as exc:
                    if self.event_stream is not None and self.event_stream.last_event_id:
                        self.last_event_id = self.event_stream.last_event_id
                    if not self.policy.allows(request.method, self.last_event_id, attempt, exc):
                        if self._unresumable(exc):
                            raise NetworkError(f"{self._describe(exc)} {_NO_IDS}", exception_chain(exc)) from None
                        raise exc from None
                    attempt += 1
                    on_reconnect()
                    retry_ms = self.event_stream.reconnection_time if self.event_stream else None
                    await asyncio.sleep(self.policy.delay(attempt, retry_ms))
        except httpx.HTTPError as exc:
            raise NetworkError(self._describe(exc), exception_chain(exc)) from None
        finally:
            if owns_client:
                await client.aclose()

    async def _attempt(self, client: httpx.AsyncClient, owns_client: bool, consume: Consume) -> None:
        """One HTTP request and its response, read to the end or to the end marker."""
        response = await client.send(self._build(client, owns_client), stream=True)
        try:
            if not response.is_success:
                body = await _read_limited(response, _ERROR_BODY_LIMIT)
                message, detail = _http_error_message(response, body, self.request.secrets(), self.request.url)
                raise HTTPStatusError(message, response.status_code, detail)
            decoder = decoder_for(response.headers.get("content-type", ""), self.event_stream)
            if isinstance(decoder, SSEDecoder):
                self.event_stream = decoder
            await consume(response, decoder)
        finally:
            await response.aclose()

    def _describe(self, exc: httpx.HTTPError) -> str:
        return connection_failure(exc, self.request.url, _timeout(self.request.timeout))

    def _unresumable(self, failure: Exception) -> bool:
        """A GET event stream that broke but carried no ids: say why it is not resumed."""
        return (
            self.request.method == "GET"
            and self.event_stream is not None
            and not self.last_event_id
            and isinstance(failure, httpx.TransportError)
            and not isinstance(failure, httpx.TimeoutException)
        )

    def _build(self, client: httpx.AsyncClient, owns_client: bool) -> httpx.Request:
        request = self.request
        headers = dict(request.headers or {})
        if not any(name.lower() == "accept-encoding" for name in headers):
            # Compressing proxies (express's compression, dev servers) buffer a
            # stream the client accepts compressed: ask for it as it is.
            headers["Accept-Encoding"] = "identity"
        if self.last_event_id:
            headers["Last-Event-ID"] = self.last_event_id
        return client.build_request(
            request.method,
            request.url,
            json=request.json,
            data=request.data,
            headers=headers or None,
            params=request.params,
            **({} if owns_client or request.timeout is None else {"timeout": _timeout(request.timeout)}),
        )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~0.1 s: do it once, not once per run.
    return httpx.create_ssl_context()


def _timeout(value: Any) -> httpx.Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(value)


async def _read_limited(response: httpx.Response, limit: int) -> bytes:
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= limit:
                break
    except httpx.HTTPError:
        pass
    return bytes(body[:limit])


def _http_error_message(response: httpx.Response, body: bytes, secrets: list[str], url: str) -> tuple[str, str]:
    """One line for an error response, and its body's whole text as the detail."""
    reason = response.reason_phrase or ""
    head = f"HTTP {response.status_code}{' ' + reason if reason else ''}"
    text = body.decode("utf-8", errors="replace").strip()
    message, detail = "", text
    if looks_like_html(response.headers.get("content-type", ""), text):
        page = page_text(text)
        message, detail = page.headline, page.text
    elif text:
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            message = " ".join(text.split())
        else:
            message = error_message(payload.get("error", payload) if isinstance(payload, Mapping) else payload)
    if len(message) > _ERROR_TEXT_LIMIT:
        message = message[: _ERROR_TEXT_LIMIT - 3] + "..."
    line = f"{head}: {message}" if message else head
    advice = status_advice(response.status_code, response.headers, url)
    if advice:
        line = f"{line.rstrip('.')} — {advice}."
    return redact(line, secrets), redact(detail, secrets)
