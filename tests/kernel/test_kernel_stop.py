"""A real ipykernel runs a stream while the Stop intent arrives as a comm message."""

from __future__ import annotations

import time

import pytest

from tests.kernel.frontend import CellError, KernelFrontend
from tests.servers import Connection, Script, ScriptedServer, openai_chunks

pytestmark = pytest.mark.kernel


def send_stop_and_see_the_connection_close(
    kernel: KernelFrontend, server: ScriptedServer, model_id: str, connection: Connection
) -> None:
    """Send what the Stop button sends; the run stops and the server sees the close within 1 s."""
    view = kernel.widget(model_id)
    sent_at = time.monotonic()
    kernel.send_custom(model_id, {"type": "stop", "run": 1})
    assert kernel.pump(5, until=lambda: view.state.get("status") == "stopped"), view.state
    assert server.wait_for(lambda: connection.disconnected_at is not None, timeout=2)
    assert connection.disconnected_at - sent_at < 1.0


def test_cell_returns_at_once_and_stop_message_closes_the_connection(
    kernel: KernelFrontend, server: ScriptedServer
) -> None:
    url = server.add("/kernel-slow", Script.of(openai_chunks(f"word{i} " for i in range(2000)), delay=0.02))
    before = time.monotonic()
    model_id = kernel.execute(f"w = StreamWidget(); w.start({url!r}); print(w.model_id)").strip()
    assert time.monotonic() - before < 5, "the cell must not wait for the stream"
    view = kernel.widget(model_id)
    assert kernel.pump(10, until=lambda: len(view.text) > 30), view
    connection = [c for c in server.connections if c.path == "/kernel-slow"][-1]
    assert connection.disconnected_at is None

    send_stop_and_see_the_connection_close(kernel, server, model_id, connection)
    assert not connection.completed

    python_text = kernel.evaluate("w.text")
    assert view.text == python_text and len(python_text) > 30
    assert python_text == "".join(f"word{i} " for i in range(len(python_text.split())))
    assert view.gaps == 0 and view.stale == 0
    assert kernel.evaluate("w.status") == "stopped"


def test_stop_for_an_older_run_is_ignored(kernel: KernelFrontend, server: ScriptedServer) -> None:
    url = server.add("/kernel-retry", Script.of(openai_chunks(f"r{i} " for i in range(300)), delay=0.005))
    model_id = kernel.execute(f"w2 = StreamWidget(); w2.start({url!r}); w2.retry(); print(w2.model_id)").strip()
    view = kernel.widget(model_id)
    kernel.send_custom(model_id, {"type": "stop", "run": 1})
    assert kernel.pump(20, until=lambda: view.state.get("status") == "done"), view.state
    assert view.state["run_id"] == 2
    assert view.text == "".join(f"r{i} " for i in range(300))


@pytest.mark.parametrize("where", ["stalled", "before_headers"])
def test_stop_message_closes_a_stalled_or_unanswered_request(
    kernel: KernelFrontend, server: ScriptedServer, where: str
) -> None:
    path = f"/kernel-stop-{where}"
    if where == "stalled":
        script = Script.of(openai_chunks(["partial ", "text"], done=False), stall=True)
    else:
        script = Script(header_delay=30)
    url = server.add(path, script)
    model_id = kernel.execute(f"w3 = StreamWidget(); w3.start({url!r}); print(w3.model_id)").strip()
    view = kernel.widget(model_id)
    assert server.wait_for(lambda: any(c.path == path for c in server.connections), timeout=5)
    expected = "partial text" if where == "stalled" else ""
    if where == "stalled":
        assert kernel.pump(10, until=lambda: view.text == expected), view
    else:
        assert kernel.pump(2, until=lambda: view.state.get("status") == "connecting"), view.state
    connection = [c for c in server.connections if c.path == path][-1]
    assert connection.disconnected_at is None

    send_stop_and_see_the_connection_close(kernel, server, model_id, connection)
    assert kernel.evaluate("w3.text") == expected and view.text == expected
    assert kernel.evaluate("w3.error") == ""


def test_interrupting_a_cell_blocked_in_wait_stops_the_run(kernel: KernelFrontend, server: ScriptedServer) -> None:
    """Before ipykernel 7.4 a Stop click waits behind ``await w.wait()``; the kernel interrupt does not."""
    url = server.add("/kernel-await", Script.of(openai_chunks(f"a{i} " for i in range(3000)), delay=0.01))
    model_id = kernel.execute("w4 = StreamWidget(); print(w4.model_id)").strip()
    cell = kernel.submit(f"w4.start({url!r}); await w4.wait()")
    view = kernel.widget(model_id)
    assert kernel.pump(10, until=lambda: len(view.text) > 30), view
    connection = [c for c in server.connections if c.path == "/kernel-await"][-1]
    assert connection.disconnected_at is None

    interrupted_at = time.monotonic()
    kernel.km.interrupt_kernel()
    assert server.wait_for(lambda: connection.disconnected_at is not None, timeout=3)
    took_ms = (connection.disconnected_at - interrupted_at) * 1000
    print(f"\ninterrupt -> server saw the close: {took_ms:.0f} ms")
    assert took_ms < 1000
    with pytest.raises(CellError, match="CancelledError|KeyboardInterrupt"):
        kernel.finish(cell, 10)
    assert not connection.completed
    assert kernel.pump(5, until=lambda: view.state.get("status") == "stopped"), view.state
    assert kernel.evaluate("w4.status") == "stopped"
    assert kernel.evaluate("w4.text") == view.text and len(view.text) > 30
