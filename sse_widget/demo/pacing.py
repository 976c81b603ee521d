"""Pacing a demo answer: tokens at a rate, after a delay, with an injected failure if asked."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .answers import tokenize
from .wire import Wire

__all__ = ["FAILURES", "Pace", "RequestRecord", "paced"]

FAILURES = ("http", "error", "drop", "stall", "burst")


@dataclass
class RequestRecord:
    """What the demo server saw of one streaming request."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    started: float = field(default_factory=time.monotonic)
    tokens_sent: int = 0
    finished: bool = False
    disconnected_at: float | None = None
    #: Wall-clock times (``time.time()``) when the body's first and last bytes left.
    first_byte_at: float | None = None
    last_byte_at: float | None = None
    #: Set once the response has ended, by its last byte or by the client leaving.
    ended: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @property
    def disconnected(self) -> bool:
        """True when the stream ended before its last byte (the client left, or ``fail=drop``)."""
        return self.disconnected_at is not None

    def wait_ended(self, timeout: float = 5.0) -> bool:
        """Block until the response has ended; False if it has not within ``timeout`` seconds.

        The server notices a client leaving a moment after the client closed the
        connection, so read :attr:`disconnected` after this, not straight after Stop.
        """
        return self.ended.wait(timeout)


@dataclass(frozen=True)
class Pace:
    """How a response is paced, and which failure (if any) to inject."""

    tokens_per_second: float
    ttft: float
    fail: str = ""
    fail_after: int | None = None


class _Drop(Exception):
    """Raised in a response body to make the server cut the connection (``fail=drop``)."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        inner = getattr(exc, "exceptions", None) or (exc,)
        return not any(isinstance(e, _Drop) for e in inner)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def paced(answer: str, wire: Wire, pace: Pace, record: RequestRecord) -> AsyncIterator[bytes]:
    """The body bytes of one streamed answer, noting progress and byte times in ``record``."""
    return _timed(_paced(answer, wire, pace, record), record)


async def _timed(pieces: AsyncIterator[bytes], record: RequestRecord) -> AsyncIterator[bytes]:
    async for piece in pieces:
        now = time.time()
        if record.first_byte_at is None:
            record.first_byte_at = now
        record.last_byte_at = now
        yield piece

async def _paced(answer: str, wire: Wire, pace: Pace, record: RequestRecord) -> AsyncIterator[bytes]:
    tokens = tokenize(answer)
    fail_at = pace.fail_after if pace.fail_after is not None else len(tokens) // 2
    interval = 1.0 / pace.tokens_per_second if pace.tokens_per_second > 0 else 0.0
    held: list[bytes] = []  # fail=burst: everything is held back, then sent at once

    def out(data: bytes) -> list[bytes]:
        if pace.fail == "burst":
            held.append(data)
            return []
        return [data]

    try:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(pace.ttft)
        for data in wire.start():
            for piece in out(data):
                yield piece
        next_at = loop.time()
        for index, token in enumerate(tokens):
            if index == fail_at and pace.fail in ("error", "drop", "stall"):
                if pace.fail == "error":
                    yield wire.error("The demo server failed mid-stream, as asked (fail=error).")
                    record.finished = True
                    return
                if pace.fail == "drop":
                    raise _Drop
                await asyncio.Event().wait()  # stall until the client gives up
            for piece in out(wire.token(token)):
                yield piece
            record.tokens_sent += 1
            next_at += interval
            delay = next_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif record.tokens_sent % 64 == 0:
                await asyncio.sleep(0)
        for data in wire.end(len(tokens)):
            for piece in out(data):
                yield piece
        if held:
            yield b"".join(held)
        record.finished = True
    finally:
        if not record.finished:
            record.disconnected_at = time.monotonic()
        record.ended.set()
