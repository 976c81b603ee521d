"""Decoders for streams that are not Server-Sent Events.

Each decoder turns response bytes into `ServerSentEvent` objects through the
same ``feed(chunk)`` / ``end()`` interface as `SSEDecoder`, so every stream can
be handled as a sequence of events:

* `NDJSONDecoder`: newline-delimited JSON (one event per non-blank line);
* `JSONSequenceDecoder`: JSON values written back to back, with or without
  whitespace between them;
* `TextDecoder`: plain text, one event per decoded chunk;
* `SniffingDecoder`: JSON values or plain text, decided from the first bytes.
"""

from __future__ import annotations

import codecs
import json
import re

from .sse import ServerSentEvent, make_event

__all__ = ["JSONSequenceDecoder", "JSONSequenceError", "NDJSONDecoder", "SniffingDecoder", "TextDecoder"]

_JSON_WHITESPACE = " \t\n\r"
_NUMBER_START = "-0123456789"
_NUMBER_CHARS = "0123456789.eE+-"
_LITERAL_START = "tfnNI"
_LONGEST_SCALAR = len("-Infinity")
_SKIP_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_RUN = re.compile(r"[0-9.eE+-]*")
_STRUCTURAL = re.compile(r'[{}\[\]"]')
_STRING_SPECIAL = re.compile(r'["\\]')
_LEFTOVER_SHOWN = 80
# Only value boundaries are needed: keep numbers as text, so no conversion
# cost and no limit on the number of digits.
_RAW_DECODE = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str).raw_decode


class NDJSONDecoder:
    """Newline-delimited JSON (NDJSON / JSON Lines) framing.

    Every non-blank line becomes one ``"message"`` event whose ``data`` is the
    line itself. Lines end at LF; one CR before the LF is dropped. Lines made
    only of JSON whitespace are skipped. Text is decoded as UTF-8 with
    replacement characters. The line text is not parsed here.
    """

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        """Create a decoder for a new stream."""
        self._pending: list[bytes] = []

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume the next bytes of the stream; return the lines they complete."""
        last = chunk.rfind(b"\n")
        if last < 0:
            if chunk:
                self._pending.append(chunk)
            return []
        pending = self._pending
        if pending:
            pending.append(chunk[:last])
            body = b"".join(pending)
            pending.clear()
        else:
            body = chunk[:last]
        if last + 1 < len(chunk):
            pending.append(chunk[last + 1 :])
        return _lines_to_events(body)

    def end(self) -> list[ServerSentEvent]:
        """Signal the end of the stream; return its unterminated last line, if any."""
        body = b"".join(self._pending)
        self._pending.clear()
        return _lines_to_events(body)


def _lines_to_events(body: bytes) -> list[ServerSentEvent]:
    """Return one event per non-blank LF-separated line of ``body``."""
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
        if body[-1:] == b"\r":
            body = body[:-1]
    return [
        make_event("message", line, "", None)
        for line in body.decode("utf-8", "replace").split("\n")
        if line.strip(_JSON_WHITESPACE)
    ]


class JSONSequenceError(ValueError):
    """The stream given to `JSONSequenceDecoder` ended in text that is not JSON.

    ``events`` holds the values that were completed by the end of the stream
    before the offending text, which `JSONSequenceDecoder.end` could not
    return because it raised.
    """

    def __init__(self, message: str, events: list[ServerSentEvent]) -> None:
        """Store the message and the events decoded before the bad text."""
        super().__init__(message)
        self.events = events


class _ValueScanner:
    """Finds where a JSON object, array or string ends, chunk by chunk.

    It only tracks nesting depth and whether it is inside a string, so every
    character of a long value is looked at once however it is split, and the
    full parse is run once, when the value has closed.
    """

    __slots__ = ("depth", "in_string", "escaped")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def advance(self, text: str) -> int:
        """Scan ``text``; return the index just past the closing character, or -1."""
        pos = 0
        size = len(text)
        if self.escaped and size:
            self.escaped = False
            pos = 1
        while pos < size:
            if self.in_string:
                match = _STRING_SPECIAL.search(text, pos)
                if match is None:
                    return -1
                pos = match.end()
                if text[pos - 1] == "\\":
                    if pos == size:
                        self.escaped = True
                        return -1
                    pos += 1
                    continue
                self.in_string = False
                if self.depth == 0:
                    return pos
            else:
                match = _STRUCTURAL.search(text, pos)
                if match is None:
                    return -1
                pos = match.end()
                char = text[pos - 1]
                if char == '"':
                    self.in_string = True
                elif char in "{[":
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == 0:
                        return pos
        return -1


class JSONSequenceDecoder:
    """JSON values written back to back, as some relays stream them.

    Values may be separated by any JSON whitespace or by nothing at all, as in
    ``{"a":1}{"a":2} {"a":3}``. Each value becomes one ``"message"`` event whose
    ``data`` is the value's exact source text. A top-level number is only
    emitted once a character that cannot continue it follows (or at `end`),
    since ``12`` may still grow into ``123``. Text is decoded as UTF-8 with
    replacement characters.

    Text that is not JSON stops decoding quietly; `end` then raises
    `JSONSequenceError` (a `ValueError`) quoting the start of it.
    """

    __slots__ = ("_utf8", "_pending", "_scanner", "_broken")

    def __init__(self) -> None:
        """Create a decoder for a new stream."""
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []
        self._scanner: _ValueScanner | None = None
        self._broken = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume the next bytes of the stream; return the values they complete."""
        text = self._utf8.decode(chunk)
        pending = self._pending
        if self._broken:
            if len(pending[0]) <= _LEFTOVER_SHOWN:
                pending[0] = (pending[0] + text)[: _LEFTOVER_SHOWN + 1]
            return []
        if not text:
            return []
        if pending:
            scanner = self._scanner
            if scanner is not None:
                if scanner.advance(text) < 0:
                    pending.append(text)
                    return []
            elif pending[0][0] in _NUMBER_START and not text.strip(_NUMBER_CHARS):
                pending.append(text)
                return []
            pending.append(text)
            text = "".join(pending)
            pending.clear()
        return self._values(text, final=False)

    def end(self) -> list[ServerSentEvent]:
        """Signal the end of the stream; return the values it completes.

        Raises `JSONSequenceError` if anything but whitespace is left that is
        not a complete JSON value. The decoder is ready for a new stream
        afterwards either way.
        """
        text = "".join(self._pending) + self._utf8.decode(b"", True)
        broken = self._broken
        self._reset()
        if broken:
            raise JSONSequenceError(_leftover_message(text), [])
        events = self._values(text, final=True)
        leftover = "".join(self._pending)
        self._reset()
        if leftover:
            raise JSONSequenceError(_leftover_message(leftover), events)
        return events

    def _reset(self) -> None:
        """Forget everything about the current stream."""
        self._utf8.reset()
        self._pending.clear()
        self._scanner = None
        self._broken = False

    def _values(self, text: str, final: bool) -> list[ServerSentEvent]:
        """Emit the complete values at the start of ``text``; keep the rest."""
        events: list[ServerSentEvent] = []
        parse = _RAW_DECODE
        number_run = _NUMBER_RUN.match
        skip = _SKIP_WHITESPACE.match
        make = make_event
        size = len(text)
        pos = skip(text).end()
        while pos < size:
            first = text[pos]
            try:
                end = parse(text, pos)[1]
            except (ValueError, RecursionError):
                self._keep(text[pos:], final)
                return events
            if (
                first in _NUMBER_START
                and not final
                and (end == size or (text[end] in _NUMBER_CHARS and number_run(text, end).end() == size))
            ):
                self._pending.append(text[pos:])
                self._scanner = None
                return events
            events.append(make("message", text[pos:end], "", None))
            pos = skip(text, end).end()
        self._scanner = None
        return events

    def _keep(self, rest: str, final: bool) -> None:
        """Hold ``rest``, which does not start with a complete value.

        While the stream goes on, ``rest`` is kept if it may still become a
        value: an object, array or string that has not closed yet (watched by
        a `_ValueScanner`), or a short number or literal. Anything else is not
        JSON: decoding stops and only the start of ``rest`` is kept, to be
        quoted by `end`.
        """
        self._scanner = None
        if not final:
            first = rest[0]
            if first in "{[\"":
                scanner = _ValueScanner()
                if scanner.advance(rest) < 0:
                    self._scanner = scanner
                    self._pending.append(rest)
                    return
            elif (first in _NUMBER_START or first in _LITERAL_START) and len(rest) < _LONGEST_SCALAR:
                self._pending.append(rest)
                return
            self._broken = True
            rest = rest[: _LEFTOVER_SHOWN + 1]
        self._pending.append(rest)


def _leftover_message(leftover: str) -> str:
    """Describe text left at the end of a JSON sequence that is not JSON."""
    shown = leftover.strip(_JSON_WHITESPACE)
    if len(shown) > _LEFTOVER_SHOWN:
        shown = shown[:_LEFTOVER_SHOWN] + "..."
    return f"The JSON stream ended with text that is not a complete JSON value: {shown!r}"


class TextDecoder:
    """Plain text framing: every decoded piece becomes a ``"text"`` event.

    Bytes are decoded incrementally as UTF-8 with replacement characters, so a
    character split between chunks is delivered whole with the later chunk.
    """

    __slots__ = ("_utf8",)

    def __init__(self) -> None:
        """Create a decoder for a new stream."""
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode the next bytes; return them as one event, or none if no text."""
        text = self._utf8.decode(chunk)
        return [make_event("text", text, "", None)] if text else []

    def end(self) -> list[ServerSentEvent]:
        """Flush a trailing incomplete character (as U+FFFD) and reset."""
        text = self._utf8.decode(b"", True)
        self._utf8.reset()
        return [make_event("text", text, "", None)] if text else []


class SniffingDecoder:
    """JSON values or plain text, whichever the stream turns out to be.

    For bodies whose media type does not say which (``application/json``,
    ``text/plain``, none at all). Leading whitespace is held back until the
    first other character arrives: ``{`` or ``[`` starts `JSONSequenceDecoder`
    decoding, anything else `TextDecoder` decoding. A stream that only looked
    like JSON, because it stops being JSON before its first value is complete
    (as in ``[Verse 1]``), is decoded as text from its first byte instead, so
    no text is lost.
    """

    __slots__ = ("_undecided", "_held", "_json", "_text")

    def __init__(self) -> None:
        """Create a decoder for a new stream."""
        self._undecided: list[bytes] = []
        self._held: list[bytes] | None = None
        self._json: JSONSequenceDecoder | None = None
        self._text: TextDecoder | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume the next bytes of the stream; return the events they complete."""
        if self._text is not None:
            return self._text.feed(chunk)
        if self._json is None:
            self._undecided.append(chunk)
            if not chunk.strip(b" \t\r\n"):
                return []
            chunk = b"".join(self._undecided)
            self._undecided.clear()
            if chunk.lstrip(b" \t\r\n")[:1] not in (b"{", b"["):
                self._text = TextDecoder()
                return self._text.feed(chunk)
            self._json = JSONSequenceDecoder()
            self._held = []
        if self._held is None:
            return self._json.feed(chunk)
        self._held.append(chunk)
        events = self._json.feed(chunk)
        if events:
            self._held = None
        elif self._json._broken:
            return self._fall_back_to_text()
        return events

    def end(self) -> list[ServerSentEvent]:
        """Signal the end of the stream; return the events it completes.

        Raises `JSONSequenceError` if the stream was decoded as JSON and ends
        in a truncated value, or in text that is not JSON after a complete
        value. The decoder is ready for a new stream afterwards either way.
        """
        json_decoder, text_decoder = self._json, self._text
        undecided = b"".join(self._undecided)
        self._undecided.clear()
        self._held = None
        self._json = None
        self._text = None
        if json_decoder is not None:
            return json_decoder.end()
        if text_decoder is None:
            text_decoder = TextDecoder()
            return text_decoder.feed(undecided) + text_decoder.end()
        return text_decoder.end()

    def _fall_back_to_text(self) -> list[ServerSentEvent]:
        """Decode everything held for the JSON decoder as text from now on."""
        held = b"".join(self._held or ())
        self._held = None
        self._json = None
        self._text = TextDecoder()
        return self._text.feed(held)
