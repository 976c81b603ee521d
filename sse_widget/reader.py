"""Reading one run's responses: decoded events in, answer and reasoning text out.

A :class:`StreamReader` keeps what a run has received across its attempts: the
raw events (for the inspector and recordings), the format that reads them, the
answer and reasoning text, and a :class:`~sse_widget.meter.Meter`. Whatever the
stream does wrong it reports as a :class:`~sse_widget.errors.StreamError`.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from .buffer import TextBuffer
from .decoders import Decoder
from .errors import CutShortError, DecodeError, NotStreamedError, ServerReportedError
from .formats import Delta, FormatError, FormatSpec, StreamFormat, detect, resolve
from .framing import JSONSequenceError
from .meter import Meter
from .sse import ServerSentEvent

__all__ = ["StreamReader"]


class StreamReader:
    """Applies a stream's events to text buffers; ``on_event`` and ``on_text`` say something arrived."""

    def __init__(
        self,
        spec: FormatSpec,
        clock: Callable[[], float],
        on_event: Callable[[], None],
        on_text: Callable[[], None],
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.on_event = on_event
        self.on_text = on_text
        self.meter = Meter()
        self.answer = TextBuffer()
        self.reasoning = TextBuffer()
        #: Every decoded event, with seconds since ``started``.
        self.events: list[tuple[float, ServerSentEvent]] = []
        #: The clock's time when the run started.
        self.started = 0.0
        #: The format reading the stream; ``None`` until it is known.
        self.format: StreamFormat | None = None

    def prepare(self) -> None:
        """Choose the format asked for, before the first body (raises for an unknown name)."""
        if self.format is None:
            self.format = resolve(self.spec)

    async def read(self, response: httpx.Response, decoder: Decoder) -> None:
        """Read ``response`` to its end or to the stream's end marker."""
        async for chunk in response.aiter_bytes():
            self.meter.read(len(chunk), self.clock())
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
        if self.format is not None and self.format.expects_end and not self.format.complete:
            raise CutShortError(
                f"The stream ended before its end marker, after {self.meter.chars} characters: "
                "the connection was cut short."
            )

    def _handle(self, event: ServerSentEvent) -> bool:
        """Apply one event; True when the stream said it is complete."""
        self.events.append((self.clock() - self.started, event))
        self.on_event()
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
                    raise NotStreamedError(
                        "The server sent one whole reply instead of a stream: "
                        'ask for a stream (for OpenAI-style APIs, "stream": true).'
                    )
                return True
        return False

    def _apply(self, delta: Delta) -> None:
        if delta.error:
            where = f" after {self.meter.chars} characters" if self.meter.chars else ""
            raise ServerReportedError(f"The server reported an error{where}: {delta.error}")
        self.meter.delta(delta, self.clock())
        if delta.reasoning:
            self.reasoning.append(delta.reasoning)
        if delta.text:
            self.answer.append(delta.text)
        if delta.reasoning or delta.text:
            self.on_text()
