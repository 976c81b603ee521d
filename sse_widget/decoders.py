"""Which decoder reads a response: chosen from its ``Content-Type``.

* ``text/event-stream``: `SSEDecoder`, carrying the last event ID and
  reconnection time over from the stream it resumes;
* NDJSON / JSON Lines media types: `NDJSONDecoder`;
* other text, JSON, ``application/octet-stream`` or no type at all:
  `SniffingDecoder` (back-to-back JSON values or plain text);
* an HTML page or any other type: a :class:`ContentTypeError` saying what came.
"""

from __future__ import annotations

from .errors import ContentTypeError
from .framing import NDJSONDecoder, SniffingDecoder
from .sse import SSEDecoder

__all__ = ["Decoder", "NDJSON_TYPES", "decoder_for"]

Decoder = SSEDecoder | NDJSONDecoder | SniffingDecoder

#: Media types of newline-delimited JSON.
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"})
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFFED_TYPES = ("application/json", "application/octet-stream", "")


def decoder_for(content_type: str, resumes: SSEDecoder | None = None) -> Decoder:
    """A fresh decoder for a body of ``content_type``.

    ``resumes`` is the event-stream decoder of the previous attempt, if any: a
    new event-stream decoder starts from its last event ID and reconnection time.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "text/event-stream":
        decoder = SSEDecoder(last_event_id=resumes.last_event_id if resumes else "")
        if resumes is not None:
            decoder.reconnection_time = resumes.reconnection_time
        return decoder
    if media in NDJSON_TYPES:
        return NDJSONDecoder()
    if media in _HTML_TYPES:
        raise ContentTypeError(f"The server answered with an HTML page ({media}), not a stream: check the URL.")
    if media.startswith("text/") or media in _SNIFFED_TYPES:
        return SniffingDecoder()
    raise ContentTypeError(
        f"The server answered with {media!r}, which is not a stream this widget can read "
        "(expected text/event-stream, NDJSON, JSON or text)."
    )
