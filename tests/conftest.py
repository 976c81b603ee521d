"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import ScriptedServer


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    Playwright's sync API keeps an event loop running in the main thread for
    as long as the session-scoped browser lives; asyncio tests after it would
    find a running loop and fail.
    """
    items.sort(key=lambda item: "browser" in item.path.parts)


@pytest.fixture(scope="session")
def server() -> Iterator[ScriptedServer]:
    """One scripted streaming server on 127.0.0.1 for the whole session."""
    with ScriptedServer() as running:
        yield running
