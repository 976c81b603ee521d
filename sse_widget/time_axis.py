"""One time axis for several timing strips, so side-by-side runs compare at a glance."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

__all__ = ["SharedTimeAxis", "nice_extent"]


class _Pane(Protocol):
    stats: dict[str, Any]
    timing_axis: float
    running: bool

    def observe(self, handler: Any, names: Any = ...) -> Any: ...


_NICE = (1.0, 2.0, 5.0)


def nice_extent(seconds: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... seconds (and 0.5, 0.2, ...) at least ``seconds``."""
    if not 0 < seconds < 1e9:
        return 0.0
    scale = 0.1
    for _ in range(12):
        for step in _NICE:
            if step * scale >= seconds - 1e-9:
                return round(step * scale, 3)
        scale *= 10
    return seconds


class SharedTimeAxis:
    """Keeps every pane's ``timing_axis`` at the longest of their runs.

    While any run streams the axis goes up in round steps (1, 2, 5, 10 s...),
    so it changes a few times a run rather than with every stats update; once
    all have ended it is the longest run's exact length.
    """

    def __init__(self, panes: Iterable[_Pane]) -> None:
        self.panes: Sequence[_Pane] = list(panes)
        self._pending = False
        for pane in self.panes:
            pane.observe(self._changed, names=["stats", "status"])

    def extent(self) -> float:
        """The axis the panes should share now, in seconds."""
        longest = max((float(p.stats.get("elapsed_ms") or 0) / 1000 for p in self.panes), default=0.0)
        return nice_extent(longest) if any(p.running for p in self.panes) else round(longest, 3)

    def apply(self) -> None:
        """Give every pane the shared axis (only those whose axis differs are sent)."""
        self._pending = False
        extent = self.extent()
        for pane in self.panes:
            if pane.timing_axis != extent:
                pane.timing_axis = extent

    def _changed(self, _change: Any) -> None:
        # A pane's stats change while it keeps its own updates off the wire:
        # the axis is set right after, on the loop, so every pane sends it.
        if self._pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.apply()
            return
        self._pending = True
        loop.call_soon(self.apply)
