"""Showing a widget once per cell: :func:`display_once` and the :class:`DisplayedOnce` mixin.

``stream(...)``, ``chat(...)`` and ``compare(...)`` display their widget and
return it, so that it can be kept in a variable; when the call is the cell's
last line, IPython would display the returned widget a second time. The mixin's
``_ipython_display_`` asks :meth:`DisplayedOnce.shown_in_this_cell` first.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["DisplayedOnce", "display_once"]


def _execution_count() -> int | None:
    from IPython import get_ipython

    return getattr(get_ipython(), "execution_count", None)


class DisplayedOnce:
    """Remembers the cell :func:`display_once` showed this widget in."""

    #: The execution count of the cell that displayed the widget, until asked.
    displayed_in_cell: int | None = None

    def shown_in_this_cell(self) -> bool:
        """Whether :func:`display_once` already showed this widget in the running cell (answered once)."""
        shown, self.displayed_in_cell = self.displayed_in_cell, None
        return shown is not None and shown == _execution_count()


Displayable = TypeVar("Displayable", bound=DisplayedOnce)


def display_once(widget: Displayable) -> Displayable:
    """Display ``widget`` now; returning it as the cell's value then shows nothing more.

    Outside IPython (a plain script) there is nothing to display on, so nothing
    is printed either.
    """
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:
        return widget
    display(widget)
    widget.displayed_in_cell = _execution_count()
    return widget
