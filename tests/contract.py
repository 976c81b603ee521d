"""One of each message and state of the Python <-> front-end contract, as the fixture the vitest suite reads.

``js/test/fixtures/protocol.json`` is this module's output, committed;
``tests/test_protocol.py`` fails when it is not current. Update it with::

    python -m tests.contract
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sse_widget import StreamWidget, protocol
from sse_widget.formats import Delta
from sse_widget.meter import Meter
from sse_widget.toolbar import Toolbar

FIXTURE = Path(__file__).resolve().parents[1] / "js" / "test" / "fixtures" / "protocol.json"


def full_stats() -> protocol.Stats:
    """Stats with every key, as a run with reported usage has them."""
    meter = Meter()
    meter.read(60, now=1.1)
    meter.delta(Delta(text="Hello"), now=1.2)
    meter.read(60, now=1.3)
    meter.delta(Delta(text=" world", usage={"output_tokens": 2, "input_tokens": 7}), now=1.3)
    return meter.stats(started=1.0, now=1.5, token_events=True)


#: Two timeline points, as the run of :func:`full_stats` has them.
TIMELINE = [(0.1, 5, 1), (0.2, 11, 2)]


def synced_traits(widget: Any = None) -> list[str]:
    """The traits a StreamWidget (or ``widget``) syncs for its own state."""
    widget = widget if widget is not None else StreamWidget()
    try:
        # Without the ones every anywidget has (the bundle, its styles).
        return sorted(k for k in set(widget.keys) - set(_base_keys()) if k not in ("_esm", "_css"))
    finally:
        widget.close()


def _base_keys() -> list[str]:
    import anywidget

    class Bare(anywidget.AnyWidget):
        _esm = "export default {}"

    bare = Bare()
    try:
        return list(bare.keys)
    finally:
        bare.close()


def contract() -> dict[str, Any]:
    """The fixture's content."""
    stats = full_stats()
    return {
        "statuses": list(protocol.STATUSES),
        "stats_keys": list(protocol.STATS_KEYS),
        "traits": synced_traits(),
        "synced_at_start": list(protocol.SYNCED_AT_START),
        "synced_at_end": list(protocol.SYNCED_AT_END),
        "start_state": protocol.start_state(3),
        "end_state": protocol.end_state("Hello world", "thinking", [{"name": "search", "arguments": "{}"}], "done", "", "", "", stats, TIMELINE),
        "kernel_messages": [
            protocol.delta_message(3, 1, "Hello", "thinking", stats, TIMELINE[:1]),
            protocol.snapshot_message(3, 2, "Hello world", "thinking", stats, TIMELINE),
            protocol.events_message(3, [[12, "message", '{"choices": []}', "7"]], reset=True),
        ],
        "intents": [{"type": "stop", "run": 3}, {"type": "retry"}, {"type": "snapshot"}, {"type": "events"}],
        "toolbar_traits": synced_traits(Toolbar([("stop", "Stop all", "")])),
        "toolbar_intents": [{"type": "click", "name": "stop"}, {"type": "send", "text": "Hello"}],
    }


def render() -> str:
    """The fixture's text."""
    return json.dumps(contract(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(render(), encoding="utf-8")
    print(f"wrote {FIXTURE.name}")
