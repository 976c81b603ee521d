"""Running code on the event loop's thread, wherever the call comes from."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["LoopBound", "call_on_loop"]


def call_on_loop(loop: asyncio.AbstractEventLoop | None, callback: Any, *args: Any) -> None:
    """Run ``callback`` on ``loop``'s thread: now if this is it, else as soon as the loop can.

    ipykernel may deliver comm messages (Stop clicks) on another thread, and
    every change to a run or a widget must happen on the loop's thread. With
    no loop, or a closed one, the callback runs here.
    """
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if loop is None or running is loop:
        callback(*args)
        return
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the loop has closed: nothing runs there any more
        callback(*args)


class LoopBound:
    """Mixin for widgets whose front-end callbacks (clicks, comm messages) must run on their loop.

    ipykernel may deliver those on another thread; :meth:`on_loop` hops to the
    loop :meth:`bind_loop` recorded, where every widget change happens.
    """

    #: The event loop this widget's work happens on; ``None`` outside any loop.
    loop: asyncio.AbstractEventLoop | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Record ``loop``, or the running loop (if any) when none is given."""
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        self.loop = loop

    def on_loop(self, callback: Any, *args: Any) -> None:
        """Run ``callback`` on :attr:`loop`'s thread (right here when there is no open loop)."""
        loop = self.loop
        call_on_loop(loop if loop is not None and not loop.is_closed() else None, callback, *args)
