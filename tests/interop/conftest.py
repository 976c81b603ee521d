"""Third-party servers for the interop tests, started on 127.0.0.1 and ended in teardown."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sse_widget.demo import DemoServer

HERE = Path(__file__).resolve().parent
STARTUP_TIMEOUT = 30.0


@pytest.fixture(scope="session")
def interop_demo() -> Iterator[DemoServer]:
    """The demo endpoint, as the upstream of the proxies."""
    with DemoServer(tokens_per_second=200, ttft=0.01) as server:
        yield server


@dataclass(frozen=True)
class NodeServer:
    """The express servers of servers.js, at ``url``."""

    url: str


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first line ``process`` prints, waiting at most ``timeout`` seconds."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                return process.stdout.readline()
            if process.poll() is not None:
                break
    return ""


@pytest.fixture(scope="session")
def express(interop_demo: DemoServer) -> Iterator[NodeServer]:
    """servers.js under node, proxying /proxy to the demo endpoint."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "express").is_dir():
        pytest.fail("The interop servers need node and `npm ci --prefix tests/interop` (scripts/setup.sh runs it).")
    process = subprocess.Popen(
        [node, str(HERE / "servers.js"), interop_demo.url],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NODE_ENV": "production"},
    )
    try:
        line = _read_line(process, STARTUP_TIMEOUT)
        if not line:
            process.kill()
            _, errors = process.communicate(timeout=10)
            pytest.fail(f"servers.js did not start within {STARTUP_TIMEOUT} s: {errors[-2000:]}")
        yield NodeServer(f"http://127.0.0.1:{json.loads(line)['port']}")
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
