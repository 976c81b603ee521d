"""Reading one run's responses: decoded events in, answer and reasoning text out.

A :class:`StreamReader` keeps what a run has received across its attempts: the
raw events (for the inspector and recordings), the format that reads them, the
answer and reasoning text, and a :class:`~sse_widget.meter.Meter`. Whatever the
stream does wrong it reports as a :class:`~sse_widget.errors.StreamError`; what
is odd but not wrong (no end marker, one whole reply) it says in ``notice``.

A resumed event stream is read once: events whose id came on an earlier
attempt are skipped, and a stream that goes back to an earlier id than the one
it was resumed from has started over, which ends the run in error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable

import httpx

from .buffer import TextBuffer
from .decoders import Decoder
from .errors import DecodeError, RestartedError, ServerReportedError
from .formats import Delta, FormatError, FormatSpec, StreamFormat, ToolCallDelta, detect, resolve
from .framing import JSONSequenceError
from .meter import Meter
from .sse import ServerSentEvent
from .timeline import Timeline

__all__ = ["StreamReader"]


class StreamReader:
    """Applies a stream's events to text buffers; ``on_event`` and ``on_text`` say something arrived."""

    def __init__(
        self,
        spec: FormatSpec,
        clock: Callable[[], float],
        on_event: Callable[[], None],
        on_text: Callable[[], None],
        *,
        end_markers: Iterable[str] = (),
        asked_for_stream: bool = False,
    ) -> None:
        self.spec = spec
        #: Event data that ends the stream, whatever the format.
        self.end_markers = frozenset(end_markers)
        #: Whether the request asked for a stream (``"stream": true``).
        self.asked_for_stream = asked_for_stream
        #: One line about the stream that is not an error.
        self.notice = ""
        self._earlier_ids: set[str] = set()
        self._ids: set[str] = set()
        self._resumed_from = ""
        self._checking_resume = False
        self.clock = clock
        self.on_event = on_event
        self.on_text = on_text
        self.meter = Meter()
        #: Output over time, by when the bytes that carried it were read.
        self.timeline = Timeline()
        self._read_at = 0.0
        self.answer = TextBuffer()
        self.reasoning = TextBuffer()
        #: Every decoded event, with seconds since ``started``.
        self.events: list[tuple[float, ServerSentEvent]] = []
        #: The clock's time when the run started.
        self.started = 0.0
        #: The format reading the stream; ``None`` until it is known.
        self.format: StreamFormat | None = None
        #: The tool calls streamed so far: ``{"id", "name", "arguments"}`` each, in order.
        self.tool_calls: list[dict[str, str]] = []
        #: True when ``tool_calls`` changed since the last :meth:`take_tool_calls`.
        self.tools_pending = False
        self._tool_index: dict[str, int] = {}

    def prepare(self) -> None:
        """Choose the format asked for, before the first body (raises for an unknown name)."""
        if self.format is None:
            self.format = resolve(self.spec)

    async def read(self, response: httpx.Response, decoder: Decoder) -> None:
        """Read ``response`` to its end or to the stream's end marker."""
        if self._ids:  # a reconnect: what came before must not come again
            self._earlier_ids |= self._ids
            self._ids = set()
            self._resumed_from = self.events[-1][1].id if self.events else ""
            self._checking_resume = True
        async for chunk in response.aiter_bytes():
            self._read_at = self.clock()
            self.meter.read(len(chunk), self._read_at)
            for event in decoder.feed(chunk):
                if self._handle(event):
                    return
        try:
            tail = decoder.end()
        except JSONSequenceError as exc:
            for event in exc.events:
                if self._handle(event):
                    return
            raise DecodeError(f"The stream ended with malformed JSON: {exc}") from None
        for event in tail:
            if self._handle(event):
                return
        self._check_end()

    async def read_events(self, events: AsyncIterator[ServerSentEvent]) -> None:
        """Read the events a Python source made, to their end or to the stream's end marker."""
        async for event in events:
            self._read_at = self.clock()
            self.meter.read(len(event.data), self._read_at)
            if self._handle(event):
                return
        self._check_end()

    def _check_end(self) -> None:
        """Note (not an error) a stream that ended properly but without the end marker its format sends."""
        expected = self.end_markers or (self.format is not None and self.format.expects_end)
        if expected and not (self.format is not None and self.format.complete):
            self.notice = (
                f"The stream ended without its end marker, after {self.meter.chars} characters: "
                "the body ended properly, but the answer may be incomplete."
            )

    def _handle(self, event: ServerSentEvent) -> bool:
        """Apply one event; True when the stream said it is complete."""
        self.events.append((self.clock() - self.started, event))
        self.on_event()
        if event.id and self._seen_before(event.id):
            return False
        if self.end_markers and event.data.strip() in self.end_markers:
            if self.format is not None:
                self.format.complete = True
            return True
        if self.format is None:
            self.format = detect(event)
        try:
            deltas = self.format.parse(event)
        except FormatError as exc:
            raise DecodeError(str(exc), event.data) from None
        for delta in deltas:
            self._apply(delta)
            if delta.done:
                if delta.not_streamed:
                    self.notice = "The server sent one whole reply: it was not streamed." + (
                        "" if self.asked_for_stream else ' Ask for a stream (for OpenAI-style APIs, "stream": true).'
                    )
                return True
        return False

    def _seen_before(self, event_id: str) -> bool:
        """True for an event a resumed stream repeats; raises if the stream started over."""
        self._ids.add(event_id)
        if event_id not in self._earlier_ids:
            self._checking_resume = False
            return False
        if self._checking_resume and event_id != self._resumed_from:
            raise RestartedError(
                f"The server started the stream over instead of resuming it after event {self._resumed_from!r}: "
                "the text so far is kept, once."
            )
        return True

    def take_tool_calls(self) -> list[dict[str, str]]:
        """A copy of the tool calls, marking them reported."""
        self.tools_pending = False
        return [dict(call) for call in self.tool_calls]

    def _apply_tool_call(self, piece: ToolCallDelta) -> None:
        index = self._tool_index.setdefault(piece.key, len(self.tool_calls))
        if index == len(self.tool_calls):
            self.tool_calls.append({"id": "", "name": "", "arguments": ""})
        call = self.tool_calls[index]
        call["id"] = call["id"] or piece.id
        call["name"] = call["name"] or piece.name
        call["arguments"] += piece.arguments
        self.tools_pending = True
        self.on_text()

    def _apply(self, delta: Delta) -> None:
        if delta.tool_call is not None:
            self._apply_tool_call(delta.tool_call)
        if delta.error:
            where = f" after {self.meter.chars} characters" if self.meter.chars else ""
            raise ServerReportedError(f"The server reported an error{where}: {delta.error}")
        self.meter.delta(delta, self.clock())
        if delta.reasoning:
            self.reasoning.append(delta.reasoning)
        if delta.text:
            self.answer.append(delta.text)
        if delta.reasoning or delta.text:
            self.timeline.add(self._read_at - self.started, len(delta.reasoning) + len(delta.text))
            self.on_text()
