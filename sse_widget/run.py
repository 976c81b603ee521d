"""One run of one streaming request: the state machine and the httpx transport it drives.

A :class:`Run` is started as a task on the running event loop, so the caller (a
notebook cell) returns at once and Stop clicks are handled while text flows. It
reads the response with httpx, decodes it into events, turns events into deltas
with a format, and reports to a :class:`RunObserver` in coalesced flushes: at
most one delta message per ``flush_interval``, however fast tokens arrive.

States: ``connecting`` → ``streaming`` → ``done`` | ``stopped`` | ``error``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import ssl
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx

from .formats import FORMATS, Delta, FormatError, FormatSpec, StreamFormat, detect, error_message, resolve
from .framing import JSONSequenceError, NDJSONDecoder, SniffingDecoder
from .sse import ServerSentEvent, SSEDecoder

__all__ = [
    "Status",
    "RUNNING",
    "ENDED",
    "StreamRequest",
    "Run",
    "RunError",
    "RunObserver",
    "DEFAULT_TIMEOUT",
    "call_on_loop",
]

Status = Literal["idle", "connecting", "streaming", "done", "stopped", "error"]
RUNNING: frozenset[str] = frozenset({"connecting", "streaming"})
ENDED: frozenset[str] = frozenset({"done", "stopped", "error"})

#: Connect within 10 s; a stream that sends nothing for 120 s has stalled.
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)

_log = logging.getLogger("sse_widget")
_ERROR_BODY_LIMIT = 64 * 1024
_NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"})
_RECONNECT_ATTEMPTS = 3
_BUFFERED_SILENCE_S = 1.0
_RECONNECT_DEFAULT_MS = 500
_RECONNECT_MAX_S = 10.0

Decoder = SSEDecoder | NDJSONDecoder | SniffingDecoder
_SECRET_HINTS = ("auth", "key", "token", "secret", "password", "cookie")


@dataclass(frozen=True)
class StreamRequest:
    """Everything needed to (re)issue one streaming request. Headers never show in a repr."""

    url: str
    method: str = "POST"
    json: Any = None
    data: Any = None
    headers: Mapping[str, str] | None = field(default=None, repr=False)
    params: Any = field(default=None, repr=False)
    format: FormatSpec = "auto"
    client: httpx.AsyncClient | None = field(default=None, repr=False)
    timeout: Any = None

    def secrets(self) -> list[str]:
        """Values that must never appear in an error message or a log line."""
        found: list[str] = []
        for name, value in (self.headers or {}).items():
            if any(hint in name.lower() for hint in _SECRET_HINTS) and value:
                found.append(value)
                scheme, _, token = value.partition(" ")
                if token and scheme.lower() in ("bearer", "basic", "token"):
                    found.append(token)
        params = self.params.items() if isinstance(self.params, Mapping) else ()
        for name, value in params:
            if any(hint in str(name).lower() for hint in _SECRET_HINTS) and value:
                found.append(str(value))
        return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


class RunError(Exception):
    """A run failed for a reason a user can act on: ``message`` is one line."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class _CutShort(Exception):
    """A stream that ended without its end marker (a GET event stream may resume)."""

    def __init__(self, error: RunError) -> None:
        super().__init__(error.message)
        self.error = error


class RunObserver(Protocol):
    """Receives a run's progress, always on the event loop's thread."""

    def run_status(self, run: Run) -> None:
        """The run moved from connecting to streaming."""

    def run_delta(self, run: Run, seq: int, text: str, reasoning: str, stats: dict[str, Any] | None) -> None:
        """New answer and reasoning text, coalesced; ``seq`` counts 1, 2, 3, ... within the run."""

    def run_events(self, run: Run, start: int) -> None:
        """``run.events[start:]`` arrived (only while ``run.watch_events`` is true)."""

    def run_ended(self, run: Run) -> None:
        """The run reached done, stopped or error; it reports nothing after this."""


class Run:
    """One attempt at one :class:`StreamRequest`."""

    def __init__(
        self,
        request: StreamRequest,
        run_id: int,
        observer: RunObserver,
        *,
        flush_interval: float = 0.04,
        stats_interval: float = 0.25,
    ) -> None:
        self.request = request
        self.id = run_id
        self.observer = observer
        self.flush_interval = flush_interval
        self.stats_interval = stats_interval
        self.status: Status = "connecting"
        self.error = ""
        self.error_detail = ""
        self.seq = 0
        self._parts: list[str] = []
        self._pending: list[str] = []
        self._reasoning: list[str] = []
        self._pending_reasoning: list[str] = []
        self._chars = 0
        self._text_events = 0
        #: Reasoning counts as output for time to first token and for rate.
        self._reasoning_chars = 0
        self._reasoning_events = 0
        self._bytes = 0
        self._reads = 0
        self._first_byte: float | None = None
        self._last_byte: float | None = None
        #: Every decoded event, with seconds since the run started: for the
        #: event inspector and for recordings.
        self.events: list[tuple[float, ServerSentEvent]] = []
        #: While true, new events are reported to the observer on the flush timer.
        self.watch_events = False
        self._events_reported = 0
        #: One line of advice that is not an error (set when the run ends).
        self.notice = ""
        self._usage: dict[str, int] = {}
        self._format: StreamFormat | None = None
        self._last_event_stream: SSEDecoder | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        self._last_stats = float("-inf")
        self._started = 0.0
        self._first_token: float | None = None
        self._last_token: float | None = None
        self._ended_at: float | None = None

    # -- control ------------------------------------------------------------

    def start(self) -> None:
        """Start the run as a task on the running loop; returns at once."""
        self._loop = asyncio.get_running_loop()
        self._started = self._loop.time()
        self._task = self._loop.create_task(self._main(), name=f"sse-widget run {self.id}")

    def cancel(self) -> None:
        """Stop the run and close its connection. Safe to call from any thread."""
        task = self._task
        if task is not None and not task.done():
            call_on_loop(self._loop, task.cancel)

    def watch(self, enabled: bool) -> None:
        """Report new events to the observer from now on (or stop reporting them)."""
        self.watch_events = enabled
        self._events_reported = len(self.events)

    async def wait(self) -> str:
        """Wait until the run ends (done, stopped or error) and return its text."""
        if self._task is not None:
            await asyncio.shield(self._task)
        return self.text

    @property
    def running(self) -> bool:
        """True while connecting or streaming."""
        return self.status in RUNNING

    @property
    def text(self) -> str:
        """Everything received so far, including text not yet flushed."""
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    @property
    def format_name(self) -> str:
        """The name of the format the run used (``"auto"`` before it knows, or for a callable)."""
        name = self._format.name if self._format is not None else "auto"
        return name if name in FORMATS else "auto"

    @property
    def reasoning(self) -> str:
        """Reasoning text the provider streamed next to the answer, if any."""
        return "".join(self._reasoning)

    # -- the task -----------------------------------------------------------

    async def _main(self) -> None:
        try:
            await self._stream()
        except asyncio.CancelledError:
            self._end("stopped")
        except RunError as exc:
            self._end("error", exc.message, exc.detail)
        except Exception as exc:  # noqa: BLE001 - a background task must never raise at the user
            self._end("error", _describe(exc, self.request), traceback.format_exc())
        else:
            self._end("done")

    async def _stream(self) -> None:
        request = self.request
        owns_client = request.client is None
        client = request.client or httpx.AsyncClient(
            timeout=_timeout(request.timeout), follow_redirects=True, verify=_ssl_context()
        )
        try:
            attempt = 0
            while True:
                try:
                    await self._attempt(client, owns_client)
                    return
                except (httpx.TransportError, _CutShort) as exc:
                    if not self._may_reconnect(attempt):
                        raise exc.error if isinstance(exc, _CutShort) else exc from None
                    attempt += 1
                    wait_ms = self._last_event_stream.reconnection_time if self._last_event_stream else None
                    await self._reconnect_pause(attempt, wait_ms)
        finally:
            if owns_client:
                await client.aclose()

    async def _attempt(self, client: httpx.AsyncClient, owns_client: bool) -> None:
        """One HTTP request and its response, read to the end or to the end marker."""
        request = self.request
        headers = dict(request.headers or {})
        if self._last_event_stream is not None and self._last_event_stream.last_event_id:
            headers["Last-Event-ID"] = self._last_event_stream.last_event_id
        http_request = client.build_request(
            request.method,
            request.url,
            json=request.json,
            data=request.data,
            headers=headers or None,
            params=request.params,
            **({} if owns_client or request.timeout is None else {"timeout": _timeout(request.timeout)}),
        )
        response = await client.send(http_request, stream=True)
        try:
            await self._consume(response)
        finally:
            await response.aclose()

    def _may_reconnect(self, attempt: int) -> bool:
        # Like EventSource: only a GET event stream that was already flowing is
        # resumed, and never a POST, which could repeat a paid generation.
        return (
            self.request.method == "GET"
            and self._last_event_stream is not None
            and attempt < _RECONNECT_ATTEMPTS
        )

    async def _reconnect_pause(self, attempt: int, wait_ms: int | None) -> None:
        self._set_status("connecting")
        base = (wait_ms if wait_ms is not None else _RECONNECT_DEFAULT_MS) / 1000
        await asyncio.sleep(min(base * 2 ** (attempt - 1), _RECONNECT_MAX_S))

    async def _consume(self, response: httpx.Response) -> None:
        if not response.is_success:
            body = await _read_limited(response, _ERROR_BODY_LIMIT)
            raise RunError(_http_error_message(response, body, self.request.secrets()))
        decoder = self._decoder_for(response.headers.get("content-type", ""))
        if self._format is None:
            self._format = resolve(self.request.format)
        self._set_status("streaming")
        async for chunk in response.aiter_bytes():
            self._count_read(len(chunk))
            for event in decoder.feed(chunk):
                if self._handle(event):
                    return
        try:
            tail = decoder.end()
        except JSONSequenceError as exc:
            for event in exc.events:
                if self._handle(event):
                    return
            raise RunError(f"The stream ended with malformed JSON: {exc}") from None
        for event in tail:
            if self._handle(event):
                return
        if self._format is not None and self._format.expects_end and not self._format.complete:
            raise _CutShort(
                RunError(
                    f"The stream ended before its end marker, after {self._chars} characters: "
                    "the connection was cut short."
                )
            )

    def _decoder_for(self, content_type: str) -> Decoder:
        media = content_type.split(";", 1)[0].strip().lower()
        if media == "text/event-stream":
            previous = self._last_event_stream
            decoder = SSEDecoder(last_event_id=previous.last_event_id if previous else "")
            if previous is not None:
                decoder.reconnection_time = previous.reconnection_time
            self._last_event_stream = decoder
            return decoder
        if media in _NDJSON_TYPES:
            return NDJSONDecoder()
        if media in ("text/html", "application/xhtml+xml"):
            raise RunError(
                f"The server answered with an HTML page ({media}), not a stream: check the URL.",
            )
        if media.startswith("text/") or media in ("application/json", "application/octet-stream", ""):
            return SniffingDecoder()
        raise RunError(
            f"The server answered with {media!r}, which is not a stream this widget can read "
            "(expected text/event-stream, NDJSON, JSON or text)."
        )

    def _count_read(self, size: int) -> None:
        assert self._loop is not None
        now = self._loop.time()
        if self._first_byte is None:
            self._first_byte = now
        self._last_byte = now
        self._bytes += size
        self._reads += 1

    def _handle(self, event: ServerSentEvent) -> bool:
        """Apply one event; True when the stream said it is complete."""
        self.events.append((self._loop.time() - self._started if self._loop else 0.0, event))
        if self.watch_events:
            self._schedule_flush()
        if self._format is None:
            self._format = detect(event)
        try:
            deltas = self._format.parse(event)
        except FormatError as exc:
            raise RunError(str(exc), event.data) from None
        for delta in deltas:
            self._apply(delta)
            if delta.done:
                if delta.not_streamed:
                    raise RunError(
                        "The server sent one whole reply instead of a stream: "
                        'ask for a stream (for OpenAI-style APIs, "stream": true).'
                    )
                return True
        return False

    def _apply(self, delta: Delta) -> None:
        if delta.error:
            where = f" after {self._chars} characters" if self._chars else ""
            raise RunError(f"The server reported an error{where}: {delta.error}")
        if delta.usage:
            self._usage.update(delta.usage)
        if delta.reasoning or delta.text:
            now = time.monotonic() if self._loop is None else self._loop.time()
            if self._first_token is None:
                self._first_token = now
            self._last_token = now
        if delta.reasoning:
            self._reasoning_events += 1
            self._reasoning_chars += len(delta.reasoning)
            self._reasoning.append(delta.reasoning)
            self._pending_reasoning.append(delta.reasoning)
            self._schedule_flush()
        if delta.text:
            self._text_events += 1
            self._chars += len(delta.text)
            self._parts.append(delta.text)
            self._pending.append(delta.text)
            self._schedule_flush()

    # -- coalesced flushes --------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._flush_handle is not None or self._loop is None:
            return
        delay = max(0.0, self._last_flush + self.flush_interval - self._loop.time())
        self._flush_handle = self._loop.call_later(delay, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        if self.watch_events and self._events_reported < len(self.events):
            start, self._events_reported = self._events_reported, len(self.events)
            self._notify(self.observer.run_events, self, start)
        if not self._pending and not self._pending_reasoning:
            return
        assert self._loop is not None
        now = self._loop.time()
        self._last_flush = now
        chunk = "".join(self._pending)
        self._pending.clear()
        reasoning = "".join(self._pending_reasoning)
        self._pending_reasoning.clear()
        self.seq += 1
        stats = None
        if now - self._last_stats >= self.stats_interval:
            self._last_stats = now
            stats = self.stats()
        self._notify(self.observer.run_delta, self, self.seq, chunk, reasoning, stats)

    def _set_status(self, status: Status) -> None:
        self.status = status
        self._notify(self.observer.run_status, self)

    def _end(self, status: Status, error: str = "", detail: str = "") -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        self._flush()
        self._ended_at = self._loop.time() if self._loop else time.monotonic()
        secrets = self.request.secrets()
        self.status = status
        self.error = _redact(error, secrets)
        self.error_detail = _redact(detail, secrets)
        if status == "done" and self._looks_buffered():
            silence = (self._first_byte or 0.0) - self._started
            self.notice = (
                f"The whole answer arrived at once after {silence:.1f} s of silence: something between "
                "you and the model (a proxy, or compression) is probably buffering the stream. "
                "Turn buffering off for text/event-stream (nginx: X-Accel-Buffering: no; no gzip)."
            )
        self._notify(self.observer.run_ended, self)

    def _looks_buffered(self) -> bool:
        """Many tokens in a handful of network reads, after a long silence."""
        if self._first_byte is None or self._first_token is None:
            return False
        silence = self._first_byte - self._started
        return silence >= _BUFFERED_SILENCE_S and self._text_events >= 20 and self._reads <= 3

    def _notify(self, callback: Any, *args: Any) -> None:
        # The observer's failure (say, a widget whose comm has closed) must not
        # surface as a traceback from a background task; it is logged instead.
        try:
            callback(*args)
        except Exception:  # noqa: BLE001
            _log.warning("sse-widget run %s: the observer failed", self.id, exc_info=True)

    # -- stats --------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Time to first token (reasoning or answer), sizes, token count (reported or estimated) and rate."""
        now = self._ended_at if self._ended_at is not None else (
            self._loop.time() if self._loop else self._started
        )
        output_tokens = self._usage.get("output_tokens")
        estimated = output_tokens is None
        if estimated:
            token_events = self._format is not None and self._format.token_events
            if token_events:
                output_tokens = self._text_events + self._reasoning_events
            else:
                output_tokens = round((self._chars + self._reasoning_chars) / 4)
        rate = None
        if self._first_token is not None and self._last_token is not None:
            span = self._last_token - self._first_token
            if span > 0 and output_tokens > 1:
                rate = round((output_tokens - 1) / span, 1)
        return {
            "ttft_ms": None if self._first_token is None else round((self._first_token - self._started) * 1000),
            "elapsed_ms": round((now - self._started) * 1000),
            "chunks": self._text_events,
            "chars": self._chars,
            "bytes": self._bytes,
            "reads": self._reads,
            "tokens": output_tokens,
            "tokens_estimated": estimated,
            "tokens_per_s": rate,
            **({"input_tokens": self._usage["input_tokens"]} if "input_tokens" in self._usage else {}),
        }


# -- helpers --------------------------------------------------------------


def call_on_loop(loop: asyncio.AbstractEventLoop | None, callback: Any, *args: Any) -> None:
    """Run ``callback`` on ``loop``'s thread: now if this is it, else as soon as the loop can.

    ipykernel may deliver comm messages (Stop clicks) on another thread, and
    every change to a run or a widget must happen on the loop's thread. With
    no loop, or a closed one, the callback runs here.
    """
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if loop is None or running is loop:
        callback(*args)
        return
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the loop has closed: nothing runs there any more
        callback(*args)


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


def _http_error_message(response: httpx.Response, body: bytes, secrets: list[str]) -> str:
    reason = response.reason_phrase or ""
    head = f"HTTP {response.status_code}{' ' + reason if reason else ''}"
    text = body.decode("utf-8", errors="replace").strip()
    message = ""
    if text:
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            message = " ".join(text.split())
        else:
            message = error_message(payload.get("error", payload) if isinstance(payload, Mapping) else payload)
    if len(message) > 300:
        message = message[:297] + "..."
    return _redact(f"{head}: {message}" if message else head, secrets)


def _describe(exc: Exception, request: StreamRequest) -> str:
    """One line that says what went wrong with the connection, never a traceback."""
    url = httpx.URL(request.url)
    where = f"{url.scheme}://{url.netloc.decode()}"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"Could not connect to {where}: no answer within the connect timeout."
    if isinstance(exc, httpx.ConnectError):
        return f"Could not connect to {where}: {exc or 'connection failed'}."
    if isinstance(exc, httpx.ReadTimeout):
        return "The stream stalled: no data arrived within the read timeout."
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"The server dropped the connection mid-stream ({exc})."
    if isinstance(exc, httpx.ReadError):
        return f"The connection broke mid-stream ({exc or type(exc).__name__})."
    if isinstance(exc, httpx.TimeoutException):
        return f"Timed out talking to {where} ({type(exc).__name__})."
    return f"{type(exc).__name__}: {exc}"


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
