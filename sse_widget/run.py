"""One run of one streaming request: the state machine, and coalescing of what it reports.

A :class:`Run` is started as a task on the running event loop, so the caller (a
notebook cell) returns at once and Stop clicks are handled while text flows. Its
:class:`~sse_widget.transport.Transport` fetches the response and its
:class:`~sse_widget.reader.StreamReader` turns it into text; the run reports to
a :class:`RunObserver` in coalesced flushes: at most one delta message per
interval, however fast tokens arrive; the interval grows from ``flush_interval``
towards ``max_flush_interval`` as the stream gets faster (see
:mod:`sse_widget.flush_pacer`).

States: ``connecting`` → ``streaming`` → ``done`` | ``stopped`` | ``error``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import AsyncIterator
from typing import Any, Protocol

import httpx

from .decoders import Decoder
from .errors import RunError
from .flush_pacer import FlushPacer
from .formats import FORMATS
from .loop import call_on_loop
from .protocol import RUNNING, Stats, Status
from .reader import StreamReader
from .redact import redact
from .sources import Source, SourceTransport
from .sse import ServerSentEvent
from .timeline import Point
from .transport import StreamRequest, Transport

__all__ = ["Run", "RunObserver"]

_log = logging.getLogger("sse_widget")


class RunObserver(Protocol):
    """Receives a run's progress, always on the event loop's thread."""

    def run_status(self, run: Run) -> None:
        """The run moved from connecting to streaming (or back, to reconnect)."""

    def run_delta(self, run: Run, seq: int, text: str, reasoning: str, stats: Stats | None) -> None:
        """New answer and reasoning text, coalesced; ``seq`` counts 1, 2, 3, ... within the run."""

    def run_events(self, run: Run, start: int) -> None:
        """``run.events[start:]`` arrived (only while ``run.watch_events`` is true)."""

    def run_tools(self, run: Run, tool_calls: list[dict[str, str]]) -> None:
        """The run's tool calls (all of them, as they stand) changed; coalesced like the text."""

    def run_ended(self, run: Run) -> None:
        """The run reached done, stopped or error; it reports nothing after this."""


class Run:
    """One attempt at one :class:`StreamRequest` (or one read of a :class:`Source`), reported to one :class:`RunObserver`."""

    def __init__(
        self,
        request: StreamRequest | Source,
        run_id: int,
        observer: RunObserver,
        *,
        flush_interval: float = 0.04,
        max_flush_interval: float = 0.1,
        stats_interval: float = 0.25,
    ) -> None:
        self.request = request
        self.id = run_id
        self.observer = observer
        self.pacer = FlushPacer(flush_interval, max_flush_interval)
        self.stats_interval = stats_interval
        self.status: Status = "connecting"
        self.error = ""
        self.error_detail = ""
        #: One line of advice that is not an error (set when the run ends).
        self.notice = ""
        self.seq = 0
        #: While true, new events are reported to the observer on the flush timer.
        self.watch_events = False
        self._events_reported = 0
        self._reader = StreamReader(
            request.format,
            self._now,
            self._event_arrived,
            self._schedule_flush,
            end_markers=request.end_markers,
            asked_for_stream=request.asks_for_stream,
        )
        self._transport = SourceTransport(request) if isinstance(request, Source) else Transport(request)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        self._last_stats = float("-inf")
        self._started = 0.0
        self._ended_at: float | None = None

    # -- control ------------------------------------------------------------

    def start(self) -> None:
        """Start the run as a task on the running loop; returns at once."""
        self._loop = asyncio.get_running_loop()
        self._started = self._reader.started = self._loop.time()
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
        """Wait until the run ends (done, stopped or error) and return its text.

        Cancelling the wait stops the run: that is what interrupting the kernel
        does to a cell blocked in ``await w.wait()``, the one Stop that reaches
        Python when the kernel queues comm messages until the cell ends.
        """
        if self._task is not None:
            try:
                await asyncio.shield(self._task)
            except asyncio.CancelledError:
                self.cancel()
                # Close the connection now, before the caller (IPython showing
                # the interrupted cell's traceback) holds the loop for a while.
                await asyncio.wait({self._task}, timeout=1.0)
                raise
        return self.text

    @property
    def running(self) -> bool:
        """True while connecting or streaming."""
        return self.status in RUNNING

    @property
    def text(self) -> str:
        """Everything received so far, including text not yet flushed."""
        return self._reader.answer.value

    @property
    def reasoning(self) -> str:
        """Reasoning text the provider streamed next to the answer, if any."""
        return self._reader.reasoning.value

    @property
    def tool_calls(self) -> list[dict[str, str]]:
        """The tool calls the model made so far: ``{"id", "name", "arguments"}`` each (arguments as streamed JSON text)."""
        return [dict(call) for call in self._reader.tool_calls]

    @property
    def events(self) -> list[tuple[float, ServerSentEvent]]:
        """Every decoded event, with seconds since the run started (for the inspector, recordings)."""
        return self._reader.events

    @property
    def format_name(self) -> str:
        """The name of the format the run used (``"auto"`` before it knows, or for a callable)."""
        found = self._reader.format
        name = found.name if found is not None else "auto"
        return name if name in FORMATS else "auto"

    def stats(self) -> Stats:
        """The run's stats so far (final once it has ended): see :meth:`~sse_widget.meter.Meter.stats`."""
        now = self._ended_at if self._ended_at is not None else self._now(self._started)
        return self._reader.meter.stats(self._started, now, self._token_events())

    def timeline(self) -> list[Point]:
        """The run's output over time so far: see :class:`~sse_widget.timeline.Timeline`."""
        usage = self._reader.meter.usage
        return self._reader.timeline.points(self._token_events(), usage.get("output_tokens"))

    def take_timeline(self) -> list[Point]:
        """The timeline points that arrived since the last call (they travel with the next delta)."""
        return self._reader.timeline.take(self._token_events())

    def sent_timeline(self) -> list[Point]:
        """The points :meth:`take_timeline` handed over so far, as few as the timeline keeps."""
        return self._reader.timeline.sent(self._token_events())

    def _token_events(self) -> bool:
        found = self._reader.format
        return found is not None and found.token_events

    # -- the task -----------------------------------------------------------

    async def _main(self) -> None:
        try:
            if isinstance(self._transport, SourceTransport):
                await self._transport.stream(self._consume_events)
            else:
                await self._transport.stream(self._consume, lambda: self._set_status("connecting"))
        except asyncio.CancelledError:
            self._end("stopped")
        except RunError as exc:
            self._end("error", exc.message, exc.detail)
        except Exception as exc:  # noqa: BLE001 - a background task must never raise at the user
            self._end("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        else:
            self._end("done")

    async def _consume(self, response: httpx.Response, decoder: Decoder) -> None:
        self._reader.prepare()
        self._set_status("streaming")
        await self._reader.read(response, decoder)

    async def _consume_events(self, events: AsyncIterator[ServerSentEvent]) -> None:
        self._reader.prepare()
        self._set_status("streaming")
        await self._reader.read_events(events)

    def _event_arrived(self) -> None:
        if self.watch_events:
            self._schedule_flush()

    def _now(self, default: float | None = None) -> float:
        """The loop's clock; before the run started, ``default`` (or the monotonic clock)."""
        if self._loop is not None:
            return self._loop.time()
        return time.monotonic() if default is None else default

    # -- coalesced flushes --------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._flush_handle is not None or self._loop is None:
            return
        delay = max(0.0, self._last_flush + self.pacer.interval - self._loop.time())
        self._flush_handle = self._loop.call_later(delay, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        if self.watch_events and self._events_reported < len(self.events):
            start, self._events_reported = self._events_reported, len(self.events)
            self._notify(self.observer.run_events, self, start)
        if self._reader.tools_pending:
            self._notify(self.observer.run_tools, self, self._reader.take_tool_calls())
        answer, reasoning = self._reader.answer, self._reader.reasoning
        if not answer.pending and not reasoning.pending:
            return
        now = self._now()
        text, thought = answer.take(), reasoning.take()
        self.pacer.sent(len(text) + len(thought), now - self._last_flush)
        self._last_flush = now
        self.seq += 1
        stats = None
        if now - self._last_stats >= self.stats_interval:
            self._last_stats = now
            stats = self.stats()
        self._notify(self.observer.run_delta, self, self.seq, text, thought, stats)

    def _set_status(self, status: Status) -> None:
        self.status = status
        self.pacer.streaming(status == "streaming")
        self._notify(self.observer.run_status, self)

    def _end(self, status: Status, error: str = "", detail: str = "") -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        self._flush()
        self._ended_at = self._now()
        self.pacer.streaming(False)
        secrets = self.request.secrets()
        self.status = status
        self.error = redact(error, secrets)
        self.error_detail = redact(detail, secrets)
        if status == "done":
            notices = (self._reader.notice, self._reader.meter.buffered_notice(self._started))
            self.notice = " ".join(notice for notice in notices if notice)
        self._notify(self.observer.run_ended, self)

    def _notify(self, callback: Any, *args: Any) -> None:
        # The observer's failure (say, a widget whose comm has closed) must not
        # surface as a traceback from a background task; it is logged instead.
        try:
            callback(*args)
        except Exception:  # noqa: BLE001
            # Logged as redacted text: a traceback's values may hold the request's secrets.
            trace = redact(traceback.format_exc(), self.request.secrets())
            _log.warning("sse-widget run %s: the observer failed\n%s", self.id, trace)

