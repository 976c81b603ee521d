"""Running code on the event loop's thread, wherever the call comes from."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["call_on_loop"]


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
