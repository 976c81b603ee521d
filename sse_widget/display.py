"""How widgets show up in outputs: once per cell, and with a text copy for readers without widgets.

``stream(...)``, ``chat(...)`` and ``compare(...)`` display their widget and
return it, so that it can be kept in a variable; when the call is the cell's
last line, IPython would display the returned widget a second time. The
mixins' ``_ipython_display_`` asks :meth:`DisplayedOnce.shown_in_this_cell`
first. :class:`WithTextCopies` also puts the widget's text into its outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

__all__ = ["SAVED_ANSWER_KEY", "DisplayedOnce", "WithTextCopies", "display_once", "stats_summary"]

#: Output metadata key marking an output whose text/markdown is the saved answer
#: (read by the JupyterLab extension in labextension/).
SAVED_ANSWER_KEY = "sse_widget"


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


class WithTextCopies(DisplayedOnce):
    """Mixin for a widget whose outputs carry a markdown copy of what it shows.

    The outputs' ``text/plain`` and ``text/markdown`` copies are what nbconvert,
    GitHub previews and front ends without widget support show. The copy is
    :meth:`markdown_copy`: by default the ``text`` trait, and the ``error`` line
    of a failed run; :meth:`refresh_displays` puts the current copy into the outputs.
    """

    _display_id: str | None = None

    def markdown_copy(self) -> str:
        """What the widget shows, as markdown ("" when it shows nothing yet)."""
        text: str = getattr(self, "text", "")
        error: str = getattr(self, "error", "") if getattr(self, "status", "") == "error" else ""
        if not error:
            return text
        line = f"**Error:** {error}"
        return f"{text}\n\n{line}" if text else line

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        if data is None:
            return bundle
        text = self.markdown_copy()
        data = dict(data)
        status = getattr(self, "status", "")
        data["text/plain"] = text or (f"<{type(self).__name__}: {status}>" if status else f"<{type(self).__name__}>")
        metadata = dict(metadata)
        if text:
            data["text/markdown"] = text
            # the front-end extension shows this copy once the widget model is gone
            metadata[SAVED_ANSWER_KEY] = {"saved": "text/markdown"}
        return data, metadata

    def _ipython_display_(self, **kwargs: Any) -> None:
        from IPython.display import display

        if self.shown_in_this_cell():
            return
        if self._display_id is None:
            self._display_id = f"sse-widget-{getattr(self, 'model_id', id(self))}"
        data, metadata = self._bundle(**kwargs)
        display(data, metadata=metadata, raw=True, display_id=self._display_id)

    def refresh_displays(self) -> None:
        """Put the current text into every output that shows this widget."""
        if self._display_id is None:
            return
        from IPython.display import update_display

        data, metadata = self._bundle()
        update_display(data, metadata=metadata, raw=True, display_id=self._display_id)

    def _bundle(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = self._repr_mimebundle_(**kwargs)
        return bundle if isinstance(bundle, tuple) else (bundle, {})


def stats_summary(stats: Mapping[str, Any]) -> str:
    """A run's stats as one line of text, as the widget's header shows them: "TTFT 120 ms · ≈85 tokens · 2.1 s"."""
    approx = "≈" if stats.get("tokens_estimated") else ""
    parts = []
    if stats.get("ttft_ms") is not None:
        parts.append(f"TTFT {_duration(stats['ttft_ms'])}")
    if stats.get("tokens") is not None:
        parts.append(f"{approx}{stats['tokens']} token{'' if stats['tokens'] == 1 else 's'}")
    if stats.get("tokens_per_s") is not None:
        parts.append(f"{approx}{stats['tokens_per_s']:.1f} tok/s")
    if stats.get("elapsed_ms") is not None:
        parts.append(_duration(stats["elapsed_ms"]))
    return " · ".join(parts)


def _duration(ms: float) -> str:
    return f"{round(ms)} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


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
