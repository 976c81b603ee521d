"""A run's output over time: when its text arrived, as (seconds, characters, tokens) points.

Each point is taken when the bytes that carried the text came off the network
(the read's time on the run's clock), not when a flush sent them on, so a
stream held back by a proxy shows as one jump after a silence, and a steady
one as a ramp. The first point is the first output's; after it, output of the
same :data:`STEP` (20 ms, finer than a person sees in a strip) is one point,
at its last arrival. Each delta message carries only its last point (the
run's first one too, once), and the whole timeline is synced when the run
ends, which keeps what crosses Jupyter's pipe small. A long
run is merged to coarser steps so the timeline stays under :data:`MAX_POINTS`.
The front end draws it as the timing strip.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MAX_POINTS", "STEP", "Point", "Timeline", "as_points"]

#: The most points a timeline keeps; past this, its step doubles.
MAX_POINTS = 4000
#: Seconds: output this close together is one point.
STEP = 0.02
_CHARS_PER_TOKEN = 4

#: (seconds since the request, characters so far, tokens so far)
Point = tuple[float, int, int]


class Timeline:
    """Cumulative output (answer and reasoning) of one run, by arrival time."""

    __slots__ = ("_step", "_times", "_chars", "_events", "_sent_until")

    def __init__(self) -> None:
        self._step = STEP
        self._times: list[float] = []
        self._chars: list[int] = []
        self._events: list[int] = []
        self._sent_until = float("-inf")

    def __len__(self) -> int:
        return len(self._times)

    def add(self, t: float, chars: int) -> None:
        """``chars`` more characters of output arrived at ``t`` seconds (one text or reasoning event)."""
        total = (self._chars[-1] if self._chars else 0) + chars
        events = (self._events[-1] if self._events else 0) + 1
        if (
            len(self._times) > 1
            and self._bucket(t) == self._bucket(self._times[-1])
            and self._times[-1] > self._sent_until
        ):
            self._times[-1], self._chars[-1], self._events[-1] = t, total, events
        else:
            self._times.append(t)
            self._chars.append(total)
            self._events.append(events)
        while len(self._times) > MAX_POINTS:
            self._coarsen()

    def points(self, token_events: bool, reported_tokens: int | None = None) -> list[Point]:
        """Every point, tokens counted as the run's stats count them.

        ``token_events``: one event is one token; otherwise four characters
        make a token. ``reported_tokens`` (the provider's count, once known)
        scales the estimate so the last point says what the stats say.
        """
        return self._points(0, token_events, reported_tokens)

    def sent(self, token_events: bool) -> list[Point]:
        """The points up to the last one :meth:`take` handed over (merged as the timeline is now)."""
        end = len(self._times)
        while end > 0 and self._times[end - 1] > self._sent_until:
            end -= 1
        return self._points(0, token_events, None)[:end]

    def take(self, token_events: bool) -> list[Point]:
        """What the next delta message carries: the last point added since the last call.

        The run's first point comes too, the first time, so the first token's
        time is exact; the points in between reach the front end with the
        whole timeline when the run ends. Empty when nothing was added.
        """
        start = len(self._times)
        while start > 0 and self._times[start - 1] > self._sent_until:
            start -= 1
        if start == len(self._times):
            return []
        first = self._sent_until == float("-inf")
        self._sent_until = self._times[-1]
        points = self._points(start, token_events, None)
        return points[:1] + points[-1:] if first and len(points) > 1 else points[-1:]

    def _points(self, start: int, token_events: bool, reported: int | None) -> list[Point]:
        counts = self._events if token_events else [round(c / _CHARS_PER_TOKEN) for c in self._chars]
        scale = 1.0
        if reported is not None and counts and counts[-1] > 0:
            scale = reported / counts[-1]
        return [
            (round(self._times[i], 3), self._chars[i], round(counts[i] * scale)) for i in range(start, len(self._times))
        ]

    def _bucket(self, t: float) -> int:
        return int(t / self._step)

    def _coarsen(self) -> None:
        """Double the step and keep the last point of each step."""
        self._step *= 2
        times: list[float] = []
        chars: list[int] = []
        events: list[int] = []
        for t, c, e in zip(self._times, self._chars, self._events, strict=True):
            if len(times) > 1 and self._bucket(t) == self._bucket(times[-1]):
                times[-1], chars[-1], events[-1] = t, c, e
            else:
                times.append(t)
                chars.append(c)
                events.append(e)
        self._times, self._chars, self._events = times, chars, events


def as_points(rows: Iterable[Iterable[object]]) -> list[Point]:
    """Rows read back from JSON (a recording) as points; malformed rows raise ``ValueError``."""
    points: list[Point] = []
    for row in rows:
        t, chars, tokens = row  # type: ignore[misc]
        points.append((float(t), int(chars), int(tokens)))  # type: ignore[arg-type]
    return points
