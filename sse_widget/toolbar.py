"""Toolbar: one set of controls for several streams or a conversation, styled like the widget's own.

``compare()`` uses it for "Stop all" and "Retry all", ``ChatWidget`` for its
message box (Enter sends, Shift+Enter adds a line) with Send, Stop, Retry and
Clear. Python decides which buttons exist and which are enabled; the view
sends clicks and the box's text back (:mod:`sse_widget.protocol`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .protocol import parse_toolbar_intent

__all__ = ["Toolbar"]

_STATIC = Path(__file__).parent / "static"


class Toolbar(anywidget.AnyWidget):
    """A row of buttons, and optionally a message box above them.

    ``buttons`` are ``(name, label, title)`` triples, shown in that order;
    :meth:`enable` switches them on and off. A button named ``"send"`` sends
    the box's text; Esc in the toolbar presses ``"stop"`` when it is enabled.
    """

    _esm = _STATIC / "toolbar.js"
    _css = _STATIC / "widget.css"

    buttons = traitlets.List(help="{name, label, title, disabled} for each button, in order").tag(sync=True)
    input = traitlets.Bool(False, help="Show a message box above the buttons").tag(sync=True)
    placeholder = traitlets.Unicode("Message", help="The message box's placeholder").tag(sync=True)

    def __init__(self, buttons: Sequence[tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(
            buttons=[{"name": n, "label": label, "title": title, "disabled": False} for n, label, title in buttons],
            **kwargs,
        )
        self._on_click: dict[str, Callable[[], Any]] = {}
        self._on_send: Callable[[str], Any] | None = None
        self.on_msg(self._on_front_end_msg)

    def on_click(self, name: str, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` when button ``name`` is clicked (on the thread the message arrives on)."""
        self._on_click[name] = callback

    def on_send(self, callback: Callable[[str], Any]) -> None:
        """Call ``callback(text)`` when the message box's text is sent."""
        self._on_send = callback

    def enable(self, **enabled: bool) -> None:
        """Enable (``True``) or disable (``False``) buttons by name, in one sync."""
        self.buttons = [{**b, "disabled": not enabled.get(b["name"], not b["disabled"])} for b in self.buttons]

    def is_enabled(self, name: str) -> bool:
        """Whether button ``name`` is enabled."""
        return any(b["name"] == name and not b["disabled"] for b in self.buttons)

    def _on_front_end_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        intent = parse_toolbar_intent(content)
        if intent is None:
            return
        if intent["type"] == "send":
            if self._on_send is not None and self.is_enabled("send"):
                self._on_send(intent["text"])
        elif intent["name"] in self._on_click and self.is_enabled(intent["name"]):
            self._on_click[intent["name"]]()
