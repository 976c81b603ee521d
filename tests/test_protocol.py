"""The Python half of the contract: the committed fixture is current, and the widget keeps to it."""

from __future__ import annotations

import re
from pathlib import Path

from sse_widget import protocol
from tests.contract import FIXTURE, contract, render

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_fixture_the_front_end_tests_read_is_current() -> None:
    assert FIXTURE.read_text(encoding="utf-8") == render(), "the contract changed: run `python -m tests.contract`"


def test_the_synced_traits_are_the_protocol_s() -> None:
    assert contract()["traits"] == sorted(protocol.TRAITS)
    assert set(protocol.SYNCED_AT_START) <= set(protocol.TRAITS)
    assert set(protocol.SYNCED_AT_END) <= set(protocol.SYNCED_AT_START)


def test_full_stats_have_exactly_the_typed_keys() -> None:
    assert list(contract()["end_state"]["stats"]) == list(protocol.STATS_KEYS)


def test_every_intent_a_view_sends_is_understood() -> None:
    for intent in contract()["intents"]:
        assert protocol.parse_intent(intent) == intent
    assert protocol.parse_intent({"type": "launch"}) is None and protocol.parse_intent("stop") is None


def test_the_readme_quotes_the_stats_definition() -> None:
    line = next(row for row in README.read_text(encoding="utf-8").splitlines() if "stats has" in row)
    quoted = re.findall(r"`([a-z_]+)`", line.split("stats has", 1)[1])
    assert [k for k in quoted if k in protocol.STATS_KEYS] == list(protocol.STATS_KEYS)


def test_every_toolbar_intent_is_understood() -> None:
    assert contract()["toolbar_traits"] == sorted(protocol.TOOLBAR_TRAITS)
    for intent in contract()["toolbar_intents"]:
        assert protocol.parse_toolbar_intent(intent) == intent
    assert [i["type"] for i in contract()["toolbar_intents"]] == list(protocol.TOOLBAR_INTENTS)
    assert protocol.parse_toolbar_intent({"type": "click"}) is None
    assert protocol.parse_toolbar_intent({"type": "send", "text": 3}) is None
