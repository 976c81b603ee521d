"""Record a run's raw events with their timing, and replay them later without a network.

A recording is JSON Lines: a header line (with the run's timeline, see
:mod:`sse_widget.timeline`), then one line per event::

    {"recording": "sse-widget", "version": 1, "format": "openai", "status": "done", "timeline": [[0.412, 5, 1]]}
    {"t": 0.412, "event": "message", "data": "{\\"choices\\": ...}", "id": ""}

Replaying serves the events through an httpx transport that never opens a
socket, so the replayed stream goes through exactly the same decoding, format,
coalescing and widget code as a live one, and Stop works the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .sse import ServerSentEvent
from .timeline import Point, as_points

__all__ = ["Recording", "ReplayTransport", "load", "save"]

_MAGIC = "sse-widget"
_VERSION = 1


@dataclass(frozen=True)
class Recording:
    """The events of one run, with seconds since the request started."""

    events: tuple[tuple[float, ServerSentEvent], ...]
    format: str = "auto"
    status: str = ""
    #: The recorded run's output over time: (seconds, characters, tokens) points.
    timeline: tuple[Point, ...] = ()

    @property
    def duration(self) -> float:
        """Seconds from the request to the last event."""
        return self.events[-1][0] if self.events else 0.0


def save(
    path: str | os.PathLike[str],
    events: Iterable[tuple[float, ServerSentEvent]],
    *,
    format: str = "auto",
    status: str = "",
    timeline: Iterable[Point] = (),
) -> Path:
    """Write events (and the run's timeline) to ``path`` as a JSON Lines recording; returns the path."""
    target = Path(path)
    header = {"recording": _MAGIC, "version": _VERSION, "format": format, "status": status}
    header["timeline"] = [[round(t, 4), chars, tokens] for t, chars, tokens in timeline]
    with target.open("w", encoding="utf-8") as out:
        out.write(json.dumps(header) + "\n")
        for t, event in events:
            row = {"t": round(t, 4), "event": event.event, "data": event.data, "id": event.id}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target


def load(path: str | os.PathLike[str]) -> Recording:
    """Read a recording written by :func:`save`."""
    source = Path(path)
    with source.open(encoding="utf-8") as lines:
        try:
            header = json.loads(next(lines))
        except (StopIteration, json.JSONDecodeError):
            raise ValueError(f"{source} is not an sse-widget recording (no header line)") from None
        if not isinstance(header, dict) or header.get("recording") != _MAGIC:
            raise ValueError(f"{source} is not an sse-widget recording")
        if header.get("version") != _VERSION:
            raise ValueError(f"{source} is recording version {header.get('version')}; this sse-widget reads {_VERSION}")
        try:
            timeline = tuple(as_points(header.get("timeline") or ()))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}, line 1: not a recorded timeline ({exc})") from None
        events = []
        for number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                event = ServerSentEvent(event=row["event"], data=row["data"], id=row.get("id", ""))
                events.append((float(row["t"]), event))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{source}, line {number}: not a recorded event ({exc})") from None
    return Recording(
        tuple(events), format=str(header.get("format") or "auto"), status=str(header.get("status") or ""), timeline=timeline
    )


def _encode(event: ServerSentEvent) -> bytes:
    """One event as an SSE block that decodes back to the same event."""
    lines = []
    if event.event != "message":
        lines.append(f"event: {event.event}")
    if event.id:
        lines.append(f"id: {event.id}")
    # Recorded data never holds CR (it ends SSE lines); JSON from other framings
    # may, only as whitespace, where LF means the same.
    data = event.data.replace("\r\n", "\n").replace("\r", "\n")
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


class _TimedBody(httpx.AsyncByteStream):
    def __init__(self, recording: Recording, speed: float, text: bool) -> None:
        self.recording = recording
        self.speed = speed
        self.text = text

    async def __aiter__(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        for t, event in self.recording.events:
            if self.speed > 0:
                delay = started + t / self.speed - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            yield event.data.encode() if self.text else _encode(event)


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers every request with a recording, paced at ``speed`` times the original (0: at once)."""

    def __init__(self, recording: Recording, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be 0 (no pauses) or positive")
        self.recording = recording
        self.speed = speed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        text = bool(self.recording.events) and all(e.event == "text" for _, e in self.recording.events)
        media = "text/plain; charset=utf-8" if text else "text/event-stream"
        return httpx.Response(200, headers={"content-type": media}, stream=_TimedBody(self.recording, self.speed, text), request=request)


def replay_request(recording: Recording, speed: float) -> dict[str, Any]:
    """Keyword arguments for :meth:`StreamWidget.start` that replay ``recording``."""
    client = httpx.AsyncClient(transport=ReplayTransport(recording, speed))
    return {"url": "http://replay.invalid/", "method": "GET", "client": client, "format": recording.format}
