"""A minimal widget front end over jupyter_client, for tests against a real ipykernel.

It executes code, records every comm message the kernel sends on IOPub, and can
send the same custom comm messages the browser view sends (Stop, Retry,
snapshot requests). It rebuilds each widget's text from the delta messages the
way the view does, so tests can check what a browser would show.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager, start_new_kernel


class CellError(AssertionError):
    """The executed code raised; carries the kernel's traceback text."""


@dataclass
class WidgetView:
    """What a front end knows of one widget model."""

    comm_id: str
    state: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    run: int = 0
    seq: int = 0
    deltas: int = 0
    gaps: int = 0
    stale: int = 0
    messages: int = 0
    payload_bytes: int = 0

    def apply_state(self, state: dict[str, Any]) -> None:
        self.state.update(state)
        if "run_id" in state and state["run_id"] != self.run:
            self.run, self.seq, self.text = state["run_id"], 0, ""
        if "text" in state:
            self.text = state["text"]

    def apply_custom(self, content: dict[str, Any]) -> None:
        if content.get("run", self.run) < self.state.get("run_id", 0):
            self.stale += 1
            return
        if content["type"] == "delta":
            self.deltas += 1
            if content["seq"] != self.seq + 1:
                self.gaps += 1
            self.seq = content["seq"]
            self.text += content["text"]
        elif content["type"] == "snapshot":
            self.seq, self.text = content["seq"], content["text"]


class KernelFrontend:
    """Drives one real ipykernel: execute cells, watch comms, send intents."""

    def __init__(self, km: KernelManager, kc: BlockingKernelClient) -> None:
        self.km = km
        self.kc = kc
        self.views: dict[str, WidgetView] = {}
        self.outputs: list[dict[str, Any]] = []
        #: Called with every IOPub message, for measurements.
        self.listeners: list[Callable[[dict[str, Any]], None]] = []

    # -- IOPub ---------------------------------------------------------------

    def _handle(self, msg: dict[str, Any]) -> None:
        for listener in self.listeners:
            listener(msg)
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "comm_open":
            view = self.views.setdefault(content["comm_id"], WidgetView(content["comm_id"]))
            view.apply_state(content["data"].get("state", {}))
        elif kind == "comm_msg":
            view = self.views.setdefault(content["comm_id"], WidgetView(content["comm_id"]))
            data = content["data"]
            view.messages += 1
            view.payload_bytes += len(json.dumps(data, ensure_ascii=False).encode())
            if data.get("method") == "update":
                view.apply_state(data.get("state", {}))
            elif data.get("method") == "custom":
                view.apply_custom(data["content"])
        elif kind in ("display_data", "update_display_data", "execute_result", "stream", "error"):
            self.outputs.append(msg)

    def pump(self, seconds: float = 0.0, until: Callable[[], bool] | None = None) -> bool:
        """Read IOPub for up to ``seconds``, or until ``until()`` holds; returns whether it held."""
        deadline = time.monotonic() + seconds
        while True:
            if until is not None and until():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return until() if until is not None else True
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.05))
            except Exception:  # queue.Empty: nothing yet
                continue
            self._handle(msg)

    # -- shell ---------------------------------------------------------------

    def execute(self, code: str, timeout: float = 30.0) -> str:
        """Run ``code`` as a cell; returns its result's text/plain (or printed output)."""
        return self.finish(self.kc.execute(code), timeout, code)

    def submit(self, code: str) -> str:
        """Send ``code`` as a cell and return at once; pass the id to :meth:`finish`."""
        return self.kc.execute(code)

    def finish(self, msg_id: str, timeout: float = 30.0, code: str = "") -> str:
        """Wait for a submitted cell to end; returns its result's text/plain (or printed output)."""
        deadline = time.monotonic() + timeout
        result = ""
        printed = ""
        error: str | None = None
        idle = False
        while not idle:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"cell did not finish within {timeout} s: {code[:80]!r}")
            try:
                msg = self.kc.get_iopub_msg(timeout=remaining)
            except Exception:
                continue
            self._handle(msg)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "execute_result":
                result = msg["content"]["data"].get("text/plain", "")
            elif kind == "stream":
                printed += msg["content"]["text"]
            elif kind == "error":
                error = "\n".join(msg["content"]["traceback"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        # Raised only once the kernel is idle again: a request sent while it
        # still handles the error would be aborted unrun.
        if error is not None:
            raise CellError(error)
        return result or printed

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of a Python expression in the kernel, through JSON."""
        out = self.execute(f"import json as _j; print(_j.dumps({expression}))", timeout)
        return json.loads(out)

    def send_custom(self, comm_id: str, content: dict[str, Any]) -> None:
        """Send what the view's ``model.send(content)`` sends."""
        msg = self.kc.session.msg(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}}
        )
        self.kc.shell_channel.send(msg)

    def widget(self, model_id: str) -> WidgetView:
        return self.views.setdefault(model_id, WidgetView(model_id))


@contextmanager
def running_kernel(startup_timeout: float = 60.0) -> Iterator[KernelFrontend]:
    """Start a real ipykernel, yield a front end for it, shut it down (bounded)."""
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=startup_timeout)
    try:
        yield KernelFrontend(km, kc)
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=False, restart=False)
        if km.is_alive():
            km.shutdown_kernel(now=True)
