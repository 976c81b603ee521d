"""The contract between the Python model and the front end, written once.

``js/src/protocol.ts`` mirrors this module, and ``tests/test_protocol.py`` with
``js/test/contract.test.ts`` hold the two to one fixture. Python owns the truth:

* traits: :data:`TRAITS`; ``text`` and ``reasoning`` are sent when a run starts
  (:func:`start_state`, reset to ``""``) and when it ends (:func:`end_state`),
  never per delta;
* Python → view custom messages: :class:`DeltaMessage` (numbered ``seq`` 1, 2,
  3, ... within a run, with the :data:`TimelinePoint` s that arrived since the
  last one), :class:`SnapshotMessage` (the live run's full text and timeline, on
  request) and :class:`EventsMessage` (raw wire events for the inspector);
  ``timeline`` is synced like ``text``: reset when a run starts, whole when it ends;
* view → Python intents: :data:`INTENTS` (``stop``, ``retry``, ``snapshot``,
  ``events``), read by :func:`parse_intent`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

__all__ = [
    "DeltaMessage",
    "ENDED",
    "EventRow",
    "EventsMessage",
    "INTENTS",
    "Intent",
    "RUNNING",
    "STATS_KEYS",
    "STATUSES",
    "SYNCED_AT_END",
    "SYNCED_AT_START",
    "SnapshotMessage",
    "TOOLBAR_INTENTS",
    "TOOLBAR_TRAITS",
    "Stats",
    "Status",
    "TRAITS",
    "TimelinePoint",
    "delta_message",
    "end_state",
    "events_message",
    "parse_intent",
    "parse_toolbar_intent",
    "snapshot_message",
    "start_state",
]

Status = Literal["idle", "connecting", "streaming", "done", "stopped", "error"]
STATUSES: tuple[Status, ...] = ("idle", "connecting", "streaming", "done", "stopped", "error")
RUNNING: frozenset[str] = frozenset({"connecting", "streaming"})
ENDED: frozenset[str] = frozenset({"done", "stopped", "error"})


class _StatsBase(TypedDict):
    ttft_ms: int | None  # to the first token, reasoning included; None before it
    elapsed_ms: int
    chunks: int  # answer text events
    chars: int  # answer characters
    bytes: int  # body bytes read
    reads: int  # network reads
    tokens: int | None  # reported by the provider, else estimated; None with no text and no report
    tokens_estimated: bool
    tokens_per_s: float | None  # None until two tokens arrived apart in time


class Stats(_StatsBase, total=False):
    """A run's numbers, in the ``stats`` trait and in delta and snapshot messages."""

    input_tokens: int  # only when the provider reports it


#: Every key :class:`Stats` may have, in display order.
STATS_KEYS: tuple[str, ...] = tuple(Stats.__annotations__)

#: The synced traits of a StreamWidget.
TRAITS: tuple[str, ...] = (
    "status", "text", "reasoning", "error", "error_detail", "notice", "inspect",
    "stats", "run_id", "markdown", "label", "can_retry", "load_images", "tool_calls", "controls",
    "timeline", "timing", "timing_axis",
)  # fmt: skip

#: [seconds since the request, characters so far, tokens so far] (see :mod:`sse_widget.timeline`)
TimelinePoint = Sequence[float]


def start_state(run_id: int, can_retry: bool = True) -> dict[str, Any]:
    """The traits sent, as one message, when run ``run_id`` starts."""
    return {
        "run_id": run_id, "text": "", "reasoning": "", "tool_calls": [], "status": "connecting", "error": "",
        "error_detail": "", "notice": "", "stats": {}, "can_retry": can_retry, "timeline": [],
    }  # fmt: skip


def end_state(
    text: str, reasoning: str, tool_calls: list[dict[str, str]], status: Status, error: str, error_detail: str,
    notice: str, stats: Stats, timeline: Sequence[TimelinePoint] = (),
) -> dict[str, Any]:
    """The traits sent, as one message, when a run ends (and again from the cell awaiting it)."""
    return {
        "text": text, "reasoning": reasoning, "tool_calls": tool_calls, "status": status, "error": error,
        "error_detail": error_detail, "notice": notice, "stats": stats, "timeline": list(timeline),
    }  # fmt: skip


#: The traits :func:`start_state` sends.
SYNCED_AT_START: tuple[str, ...] = tuple(start_state(0))
#: The traits :func:`end_state` sends.
SYNCED_AT_END: tuple[str, ...] = tuple(end_state("", "", [], "done", "", "", "", {}))  # type: ignore[arg-type]

#: [milliseconds since the request started, event type, data, id]
EventRow = list[Any]


class _TextBase(TypedDict):
    run: int
    seq: int
    text: str


class DeltaMessage(_TextBase, total=False):
    """New text of a run; ``reasoning`` only when some came, ``stats`` a few times a second.

    ``points``: the timeline points since the last delta, when there are any.
    """

    type: Literal["delta"]
    reasoning: str
    stats: Stats
    points: list[TimelinePoint]


class SnapshotMessage(_TextBase, total=False):
    """The live run's full text, sent when a view asks (a gap in ``seq``, a late view)."""

    type: Literal["snapshot"]
    reasoning: str
    stats: Stats
    timeline: list[TimelinePoint]


class EventsMessage(TypedDict):
    """Raw events for the inspector; ``reset`` means they replace every row shown."""

    type: Literal["events"]
    run: int
    reset: bool
    events: list[EventRow]


#: The intents a view sends.
INTENTS: tuple[str, ...] = ("stop", "retry", "snapshot", "events")
#: ``{"type": "stop", "run": n}``, ``{"type": "retry"}``, ``{"type": "snapshot"}``, ``{"type": "events"}``.
Intent = dict[str, Any]


def delta_message(
    run: int, seq: int, text: str, reasoning: str = "", stats: Stats | None = None,
    points: Sequence[TimelinePoint] = (),
) -> DeltaMessage:  # fmt: skip
    """A delta; empty ``reasoning`` and ``points`` and missing ``stats`` are left out."""
    message = DeltaMessage(type="delta", run=run, seq=seq, text=text)
    if reasoning:
        message["reasoning"] = reasoning
    if stats is not None:
        message["stats"] = stats
    if points:
        message["points"] = [list(p) for p in points]
    return message


def snapshot_message(
    run: int, seq: int, text: str, reasoning: str, stats: Stats | Mapping[str, Any],
    timeline: Sequence[TimelinePoint] = (),
) -> SnapshotMessage:  # fmt: skip
    """The full state of the live run."""
    return SnapshotMessage(
        type="snapshot", run=run, seq=seq, text=text, reasoning=reasoning, stats=stats,  # type: ignore[typeddict-item]
        timeline=[list(p) for p in timeline],
    )  # fmt: skip


def events_message(run: int, rows: Sequence[EventRow], reset: bool) -> EventsMessage:
    """Inspector rows; ``reset`` when they start the list afresh."""
    return EventsMessage(type="events", run=run, reset=reset, events=list(rows))


#: The synced traits of a Toolbar (buttons: ``{name, label, title, disabled}`` each).
TOOLBAR_TRAITS: tuple[str, ...] = ("buttons", "input", "placeholder")
#: What a toolbar's view sends: ``{"type": "click", "name": ...}``, ``{"type": "send", "text": ...}``.
TOOLBAR_INTENTS: tuple[str, ...] = ("click", "send")


def parse_toolbar_intent(content: object) -> Intent | None:
    """A toolbar view's message as an intent, or ``None`` when it is not one."""
    if not isinstance(content, Mapping):
        return None
    kind = content.get("type")
    if kind == "click" and isinstance(content.get("name"), str):
        return {"type": "click", "name": content["name"]}
    if kind == "send" and isinstance(content.get("text"), str):
        return {"type": "send", "text": content["text"]}
    return None


def parse_intent(content: object) -> Intent | None:
    """A view's message as an intent, or ``None`` when it is not one."""
    if not isinstance(content, Mapping) or content.get("type") not in INTENTS:
        return None
    return dict(content)
