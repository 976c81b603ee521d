"""What a run counts (bytes, reads, text and reasoning events, tokens) and the stats made from it."""

from __future__ import annotations

from .formats import Delta
from .protocol import Stats

__all__ = ["Meter"]

#: A stream counts as buffered on the way when its first byte came this late...
_BUFFERED_SILENCE_S = 1.0
#: ...and at least this many text events arrived in at most this many network reads,
#: several events to a read (a short answer held back comes in one or two reads).
_BUFFERED_EVENTS = 6
_BUFFERED_READS = 3
_BUFFERED_EVENTS_PER_READ = 3
_CHARS_PER_TOKEN = 4
#: A rate is measured over at least this long a span of streaming, from tokens in
#: at least two network reads: tokens that came together (a buffered stream) have no rate.
_RATE_MIN_SPAN_S = 0.1


class Meter:
    """Counters of one run. Times are the run's loop clock, in seconds."""

    __slots__ = (
        "bytes",
        "reads",
        "first_byte",
        "text_events",
        "chars",
        "reasoning_events",
        "reasoning_chars",
        "first_token",
        "last_token",
        "token_reads",
        "usage",
        "_read_of_last_token",
    )

    def __init__(self) -> None:
        self.bytes = 0
        self.reads = 0
        self.first_byte: float | None = None
        self.text_events = 0
        self.chars = 0
        #: Reasoning counts as output for time to first token and for rate.
        self.reasoning_events = 0
        self.reasoning_chars = 0
        self.first_token: float | None = None
        self.last_token: float | None = None
        #: How many network reads carried answer or reasoning text.
        self.token_reads = 0
        self._read_of_last_token = 0
        self.usage: dict[str, int] = {}

    def read(self, size: int, now: float) -> None:
        """One network read of ``size`` bytes."""
        if self.first_byte is None:
            self.first_byte = now
        self.bytes += size
        self.reads += 1

    def delta(self, delta: Delta, now: float) -> None:
        """One delta: its usage report, its answer and reasoning text."""
        if delta.usage:
            self.usage.update(delta.usage)
        if delta.reasoning or delta.text:
            if self.first_token is None:
                self.first_token = now
            self.last_token = now
            if self._read_of_last_token != self.reads:
                self._read_of_last_token = self.reads
                self.token_reads += 1
        if delta.reasoning:
            self.reasoning_events += 1
            self.reasoning_chars += len(delta.reasoning)
        if delta.text:
            self.text_events += 1
            self.chars += len(delta.text)

    def stats(self, started: float, now: float, token_events: bool) -> Stats:
        """Time to first token (reasoning or answer), sizes, token count (reported or estimated) and rate.

        ``token_events`` says the format sends one token per event, so events
        count tokens when the server reports no usage; otherwise four
        characters make a token. With no text and no reported usage there is
        no count (``tokens`` is None); the rate needs tokens spread over
        several reads and at least 0.1 s.
        """
        output_tokens = self.usage.get("output_tokens")
        estimated = output_tokens is None
        if output_tokens is None and self.first_token is not None:
            if token_events:
                output_tokens = self.text_events + self.reasoning_events
            else:
                output_tokens = round((self.chars + self.reasoning_chars) / _CHARS_PER_TOKEN)
        rate = None
        if self.first_token is not None and self.last_token is not None and output_tokens is not None:
            span = self.last_token - self.first_token
            if span >= _RATE_MIN_SPAN_S and self.token_reads > 1 and output_tokens > 1:
                rate = round((output_tokens - 1) / span, 1)
        stats = Stats(
            ttft_ms=None if self.first_token is None else round((self.first_token - started) * 1000),
            elapsed_ms=round((now - started) * 1000),
            chunks=self.text_events,
            chars=self.chars,
            bytes=self.bytes,
            reads=self.reads,
            tokens=output_tokens,
            tokens_estimated=estimated,
            tokens_per_s=rate,
        )
        if "input_tokens" in self.usage:
            stats["input_tokens"] = self.usage["input_tokens"]
        return stats

    def buffered_notice(self, started: float) -> str:
        """Advice when many tokens came in a handful of reads after a long silence, else ``""``."""
        if self.first_byte is None or self.first_token is None:
            return ""
        silence = self.first_byte - started
        if silence < _BUFFERED_SILENCE_S or self.text_events < _BUFFERED_EVENTS or self.reads > _BUFFERED_READS:
            return ""
        if self.text_events < _BUFFERED_EVENTS_PER_READ * self.reads:
            return ""
        return (
            f"The whole answer arrived at once after {silence:.1f} s of silence: something between "
            "you and the model (a proxy, or compression) is probably buffering the stream. "
            "Turn buffering off for text/event-stream (nginx: X-Accel-Buffering: no; no gzip)."
        )
