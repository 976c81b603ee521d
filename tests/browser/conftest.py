"""Fixtures for the browser tests: Chromium through Playwright, and real
JupyterLab / Notebook 7 servers (see ``harness.py`` beside this file).

Every test collected from this folder is marked ``browser``, so
``pytest -m "not browser"`` leaves them out; those that take the README's
screenshots are also marked ``screenshots``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import harness

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1200, "height": 900}

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_LOCAL_HOST_ALTERNATIVES = "|".join(re.escape(h) for h in LOCAL_HOSTS)

#: Every URL with a network scheme whose host is not this machine. A pattern,
#: not a Python predicate: Playwright matches a pattern in the browser's
#: driver, but it must hold each request for a predicate until the sync API's
#: thread next calls into Playwright, so a test polling a server in plain
#: Python (``wait_until``) would wait for a request the fixture itself stalled.
REMOTE_URL = re.compile(rf"^(?:https?|wss?)://(?!(?:{_LOCAL_HOST_ALTERNATIVES})(?::\d+)?(?:[/?#]|$))")

#: Console errors that the front ends themselves log on every page load;
#: left out of ``console_errors`` so tests can assert it stays empty.
KNOWN_CONSOLE_NOISE = [
    # Notebook 7.6: its shortcuts settings handler reads the schema of a
    # plugin the page never loaded (seen on /tree as well, with no extension)
    re.compile(r"^pageerror: Cannot read properties of undefined \(reading 'schema'\)$"),
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _missing(reason: str) -> None:
    """Skip locally; fail in CI, where a missing browser is a setup bug."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


# -- marking -------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            item.path.resolve().relative_to(HERE)
        except ValueError:
            continue
        item.add_marker(pytest.mark.browser)
        if "screenshots_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.screenshots)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # remember each phase's outcome so the page fixture can keep a screenshot
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


# -- browser -------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        _missing("no 'chromium' on PATH: the browser tests need Debian's chromium package")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package 'playwright' is not installed")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        pw.stop()
        raise
    try:
        yield browser
    finally:
        try:
            browser.close()
        finally:
            pw.stop()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions (``"pageerror: ..."``) of ``page``.

    Known noise of the front ends (``KNOWN_CONSOLE_NOISE``) is left out.
    """
    return []


def _record(errors: list[str], text: str) -> None:
    if not any(p.search(text) for p in KNOWN_CONSOLE_NOISE):
        errors.append(text)


@pytest.fixture
def page(
    browser: Any, console_errors: list[str], request: pytest.FixtureRequest
) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    # Tests talk only to this machine. Host pages (Voila's, for one) ask
    # outside hosts for fonts and scripts; refuse those at once rather than
    # wait on DNS, so a page never depends on the network.
    context.route(REMOTE_URL, lambda route: route.abort("blockedbyclient"))
    pg = context.new_page()
    pg.on(
        "console",
        lambda msg: _record(console_errors, msg.text) if msg.type == "error" else None,
    )
    pg.on("pageerror", lambda exc: _record(console_errors, f"pageerror: {exc}"))
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            _keep_failure_screenshot(pg, request.node.nodeid)
        context.close()
        harness.shutdown_page_kernels(pg)


def _keep_failure_screenshot(pg: Any, nodeid: str) -> None:
    out = REPO_ROOT / "test-results"
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_") + ".png"
    try:
        out.mkdir(exist_ok=True)
        pg.screenshot(path=str(out / name), full_page=True, timeout=5_000)
        print(f"screenshot of the failed page: {out / name}")
    except Exception as exc:  # the page may be gone; the failure matters more
        print(f"no screenshot of the failed page: {exc}")


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """Where tests save the screenshots they take: a git-ignored build folder.

    ``scripts/refresh-screenshots.sh`` points ``SSE_WIDGET_SCREENSHOTS`` at
    ``docs/screenshots`` to refresh the README's images on purpose.
    """
    path = Path(os.environ.get("SSE_WIDGET_SCREENSHOTS") or REPO_ROOT / "build" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- servers -------------------------------------------------------------------
# Session-scoped, and so started only when a test asks for one.


@pytest.fixture(scope="session")
def lab_server() -> Iterator[Any]:
    with harness.JupyterServer("lab") as server:
        yield server


@pytest.fixture(scope="session")
def notebook_server() -> Iterator[Any]:
    with harness.JupyterServer("notebook") as server:
        yield server


@pytest.fixture(params=["lab", "notebook"])
def jupyter_server(request: pytest.FixtureRequest) -> Any:
    """The Lab server, then the Notebook 7 server: one test run per front end."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture(scope="module")
def slow_demo() -> Iterator[Any]:
    """A demo endpoint in the test process, slow enough to click Stop mid-stream."""
    from sse_widget.demo import DemoServer

    with DemoServer(tokens_per_second=8, ttft=0.2) as server:
        yield server
