"""Incremental decoder for ``text/event-stream`` (Server-Sent Events) bodies.

The decoder follows the WHATWG HTML standard, "Server-sent events",
sections 9.2.5 (parsing an event stream) and 9.2.6 (interpreting an event
stream). It works on raw bytes and does no I/O, so it can be fed from any
transport, in chunks of any size, split at any byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import repeat
from typing import Any, NamedTuple

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"


class ServerSentEvent(NamedTuple):
    """One dispatched Server-Sent Event (immutable).

    ``event`` is the event type (``"message"`` unless the stream named one),
    ``data`` the data lines joined with ``"\\n"``, ``id`` the stream's last
    event ID at dispatch time, and ``retry`` the reconnection time in
    milliseconds given in the same block as the event, if any.
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        """Parse ``data`` as JSON and return the result."""
        return json.loads(self.data)


_new_tuple = tuple.__new__


def make_event(event: str, data: str, id: str, retry: int | None) -> ServerSentEvent:
    """Build an event fast, skipping the argument handling of the generated ``__new__`` (for decoders)."""
    return _new_tuple(ServerSentEvent, (event, data, id, retry))


def _parse_retry(value: str) -> int | None:
    """Return ``value`` as a base-10 integer if it is only ASCII digits.

    Values too long for Python's integer conversion limit (thousands of
    digits) are ignored like invalid ones.
    """
    if not (value.isascii() and value.isdigit()):
        return None
    try:
        return int(value.lstrip("0") or "0")
    except ValueError:
        return None


class SSEDecoder:
    """Incremental, I/O-free decoder from event-stream bytes to events.

    Feed the body with `feed` as bytes arrive and call `end` when the stream
    closes. Line ends are CR, LF or CRLF (also when a CRLF is split between
    chunks), a leading UTF-8 byte order mark is dropped, and text is always
    decoded as UTF-8 with replacement characters.

    ``last_event_id`` holds the stream's last event ID string and
    ``reconnection_time`` the latest valid ``retry:`` value in milliseconds
    (``None`` until the stream sends one). Both survive `end`, so a decoder can
    be reused for the next connection of the same event source; pass the ID to
    the constructor to seed a fresh decoder instead.
    """

    __slots__ = (
        "last_event_id",
        "reconnection_time",
        "_at_start",
        "_head",
        "_skip_lf",
        "_pending",
        "_data",
        "_event",
        "_id",
        "_retry",
    )

    def __init__(self, last_event_id: str = "") -> None:
        """Create a decoder, optionally seeded with a known last event ID."""
        self.last_event_id: str = last_event_id
        self.reconnection_time: int | None = None
        self._at_start = True
        self._head = b""
        self._skip_lf = False
        self._pending: list[bytes] = []
        self._data: list[str] = []
        self._event = ""
        self._id = last_event_id
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume the next bytes of the stream; return the events they complete."""
        if self._at_start:
            head = self._head + chunk
            if len(head) < 3 and _BOM.startswith(head):
                self._head = head
                return []
            self._at_start = False
            self._head = b""
            chunk = head[3:] if head[:3] == _BOM else head
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[0] == 10:
                chunk = chunk[1:]
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n")
            self._skip_lf = chunk[-1] == 13
            chunk = chunk.replace(b"\r", b"\n")
        stop = chunk.rfind(b"\n") + 1
        if not stop:
            if chunk:
                self._pending.append(chunk)
            return []
        pending = self._pending
        if pending:
            stop += sum(map(len, pending))
            pending.append(chunk)
            chunk = b"".join(pending)
            pending.clear()
        if stop < len(chunk):
            pending.append(chunk[stop:])
        return self._interpret(chunk, stop)

    def end(self) -> list[ServerSentEvent]:
        """Signal the end of the stream and return the events it completes.

        A block not closed by a blank line is never dispatched, so this always
        returns an empty list. It discards the unfinished block and readies the
        decoder for a new stream (whose byte order mark is again dropped),
        keeping ``last_event_id`` and ``reconnection_time``.
        """
        self._at_start = True
        self._head = b""
        self._skip_lf = False
        self._pending.clear()
        self._data.clear()
        self._event = ""
        self._id = self.last_event_id
        self._retry = None
        return []

    def _interpret(self, buffer: bytes, stop: int) -> list[ServerSentEvent]:
        """Apply ``buffer[:stop]``, complete lines each ending in LF, to the state.

        Once no block is half-read, the complete blocks that follow are tried
        in bulk by `_bulk`; anything else goes through the line-by-line rules.
        """
        events: list[ServerSentEvent] = []
        start = 0
        if buffer[0] == 10:
            self._dispatch(events)
            start = 1
        elif self._data or self._event or self._retry is not None or self._id != self.last_event_id:
            first = buffer.find(b"\n\n", 0, stop)
            if first < 0:
                self._lines(buffer[: stop - 1], events)
                return events
            self._lines(buffer[:first], events)
            self._dispatch(events)
            start = first + 2
        last = buffer.rfind(b"\n\n", start, stop)
        if last >= 0 and self._bulk(buffer[start : last + 2], events):
            start = last + 2
        if start < stop:
            self._lines(buffer[start : stop - 1], events)
        return events

    def _bulk(self, blocks: bytes, events: list[ServerSentEvent]) -> bool:
        """Turn ``blocks`` into events at once if they all have a simple shape.

        ``blocks`` ends with a blank line and the state is clean. Handled are
        runs of ``data: D`` blocks (or of ``data:D`` blocks) and runs of
        ``event: E`` / ``data: D`` blocks (E not empty), which are dispatched
        with the current last event ID. Returns False, doing nothing, if any
        block is more complex.
        """
        if blocks[:5] == b"data:":
            spaced = blocks[5:6] == b" "
            if not spaced and b"\n\ndata: " in blocks:
                return False
            lines = blocks.split(b"\n\ndata: " if spaced else b"\n\ndata:")
            lines[0] = lines[0][6 if spaced else 5 :]
            lines[-1] = lines[-1][:-2]
            if b"\n" in b"".join(lines):
                return False
            types: Iterable[str] = repeat("message")
            values: Iterable[bytes] = lines
        elif blocks[:7] == b"event: ":
            pairs = blocks.split(b"\n\nevent: ")
            pairs[0] = pairs[0][7:]
            pairs[-1] = pairs[-1][:-2]
            names, found, values = zip(*map(bytes.partition, pairs, repeat(b"\ndata: ")), strict=True)
            if not (all(names) and all(found)) or b"\n" in b"".join(names) + b"".join(values):
                return False
            types = map(bytes.decode, names, repeat("utf-8"), repeat("replace"))
        else:
            return False
        try:
            texts = list(map(bytes.decode, values))
        except UnicodeDecodeError:
            texts = list(map(bytes.decode, values, repeat("utf-8"), repeat("replace")))
        events.extend(
            map(
                _new_tuple,
                repeat(ServerSentEvent),
                zip(types, texts, repeat(self.last_event_id), repeat(None)),
            )
        )
        return True

    def _lines(self, text: bytes, events: list[ServerSentEvent]) -> None:
        """Apply the LF-separated lines of ``text``, appending dispatched events."""
        data = self._data
        for line in text.decode("utf-8", "replace").split("\n"):
            if line[:6] == "data: ":
                data.append(line[6:])
                continue
            if not line:
                self._dispatch(events)
                continue
            name, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                self._event = value
            elif name == "id":
                if "\x00" not in value:
                    self._id = value
            elif name == "retry":
                retry = _parse_retry(value)
                if retry is not None:
                    self._retry = self.reconnection_time = retry

    def _dispatch(self, events: list[ServerSentEvent]) -> None:
        """Handle a blank line: dispatch the buffered event, if any."""
        last_id = self.last_event_id = self._id
        if self._data:
            events.append(
                make_event(self._event or "message", "\n".join(self._data), last_id, self._retry)
            )
            self._data.clear()
        self._event = ""
        self._retry = None
