"""Text that arrives in pieces: all of it so far, and the part not yet flushed."""

from __future__ import annotations

__all__ = ["TextBuffer"]


class TextBuffer:
    """Appends in O(1); ``value`` joins lazily, ``take()`` hands over what is pending."""

    __slots__ = ("_parts", "_pending")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pending: list[str] = []

    def append(self, piece: str) -> None:
        """Add ``piece`` to the text and to what is pending."""
        self._parts.append(piece)
        self._pending.append(piece)

    @property
    def value(self) -> str:
        """All the text so far."""
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    @property
    def pending(self) -> bool:
        """True when text arrived since the last :meth:`take`."""
        return bool(self._pending)

    def take(self) -> str:
        """The text that arrived since the last call, which is then no longer pending."""
        chunk = "".join(self._pending)
        self._pending.clear()
        return chunk
