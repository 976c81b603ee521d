"""How often a run sends what it has: the flush interval, adapted to the stream.

Every message costs the page about the same to receive (the comm path and one
render), whatever it carries, so the number of messages is what a front end
pays for. A slow stream (a few tokens per interval) keeps the shortest
interval, so each token shows promptly; a fast one is coalesced more, up to
``slowest``, since a few more tokens per update do not change how the typing
looks. Several runs streaming at once in one process (``compare()``) share
the page, so each waits longer in proportion.
"""

from __future__ import annotations

import weakref

__all__ = ["FlushPacer"]

#: Below this many characters per second a run keeps the shortest interval.
SLOW_CHARS_PER_S = 400.0
#: From this many characters per second on, a run waits the longest interval.
FAST_CHARS_PER_S = 1600.0
#: How much of the rate's estimate one flush updates.
SMOOTHING = 0.3


class FlushPacer:
    """The flush interval of one run, from the rate its flushes carried and the runs streaming at once."""

    #: Runs streaming now in this process (they share the page's main thread);
    #: weak, so a run dropped without ending does not slow every later one.
    _streaming: weakref.WeakSet[FlushPacer] = weakref.WeakSet()

    def __init__(self, fastest: float = 0.04, slowest: float = 0.1) -> None:
        self.fastest = fastest
        self.slowest = max(slowest, fastest)
        self.chars_per_s = 0.0

    def streaming(self, active: bool) -> None:
        """Count this run among those streaming at once (or no longer)."""
        if active:
            FlushPacer._streaming.add(self)
        else:
            FlushPacer._streaming.discard(self)

    def sent(self, chars: int, elapsed: float) -> None:
        """A flush carried ``chars`` characters gathered over ``elapsed`` seconds."""
        if elapsed <= 0:
            return
        rate = chars / elapsed
        self.chars_per_s = rate if self.chars_per_s == 0 else (1 - SMOOTHING) * self.chars_per_s + SMOOTHING * rate

    @property
    def interval(self) -> float:
        """Seconds to wait after a flush before the next one."""
        span = FAST_CHARS_PER_S - SLOW_CHARS_PER_S
        share = min(max((self.chars_per_s - SLOW_CHARS_PER_S) / span, 0.0), 1.0)
        own = self.fastest + share * (self.slowest - self.fastest)
        others = max(len(FlushPacer._streaming), 1)
        return max(own, min(self.fastest * others, 2 * self.slowest))
