"""Wire encoders: how each provider frames a streamed answer, a whole reply and an error.

Each module follows one provider's documented format. A :class:`Wire` is made
fresh for one response and gives the bytes for its start, each token, its end
and an in-band error; ``reply()`` builds the non-streamed answer and
``RATE_LIMIT`` the body of an HTTP 429.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Wire", "sse", "typed_event"]


@dataclass(frozen=True)
class Wire:
    """One provider's framing of one streamed answer."""

    media_type: str
    #: Bytes sent before the first token.
    start: Callable[[], list[bytes]]
    #: The bytes carrying one token of text.
    token: Callable[[str], bytes]
    #: Bytes that end a complete answer, given how many tokens it had.
    end: Callable[[int], list[bytes]]
    #: The bytes of an error reported mid-stream.
    error: Callable[[str], bytes]


def sse(data: Any, event: str | None = None) -> bytes:
    """One Server-Sent Event: ``data`` is text or a JSON value."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    lines = "".join(f"data: {line}\n" for line in payload.split("\n"))
    return f"{head}{lines}\n".encode()


def typed_event(kind: str, **fields: Any) -> bytes:
    """An SSE event whose name is also its data's ``type`` (Responses API, Anthropic)."""
    return sse({"type": kind, **fields}, kind)
