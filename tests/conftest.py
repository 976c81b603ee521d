"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import ScriptedServer


@pytest.fixture(scope="session")
def server() -> Iterator[ScriptedServer]:
    """One scripted streaming server on 127.0.0.1 for the whole session."""
    with ScriptedServer() as running:
        yield running
