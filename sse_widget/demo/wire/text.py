"""Plain streams with no provider envelope: SSE ``data:`` text, and raw chunked text."""

from __future__ import annotations

from . import Wire, sse

__all__ = ["RATE_LIMIT", "event_stream", "raw"]

RATE_LIMIT = {"error": "demo failure"}


def event_stream(end_marker: str = "[DONE]") -> Wire:
    """One ``data:`` event per token (multi-line where the text is), then ``end_marker``; errors as ``event: error``."""
    return Wire(
        "text/event-stream; charset=utf-8",
        lambda: [],
        sse,
        lambda tokens: [sse(end_marker)],
        lambda message: sse(message, "error"),
    )


def raw() -> Wire:
    """The text itself, chunk by chunk, as ``text/plain``."""
    return Wire(
        "text/plain; charset=utf-8",
        lambda: [],
        lambda text: text.encode(),
        lambda tokens: [],
        lambda message: f"\n[error: {message}]".encode(),
    )
