"""Several streams side by side, each with its own stats, and one Stop for all of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets

from .chat import Endpoint, as_messages
from .display import WithTextCopies, display_once, stats_summary
from .loop import call_on_loop
from .time_axis import SharedTimeAxis
from .toolbar import Toolbar
from .widget import StreamWidget

__all__ = ["CompareWidget", "compare"]

Spec = Mapping[str, Any]

#: Columns narrower than this wrap to rows.
MIN_COLUMN = "min(100%, 20rem)"

#: The columns of :meth:`CompareWidget.results`.
RESULT_COLUMNS = ("label", "text", "status", "ttft_ms", "tokens", "tokens_per_s", "error")


class CompareWidget(WithTextCopies, ipywidgets.VBox):
    """A grid of :class:`StreamWidget` s with Stop all and Retry all."""

    def __init__(self, widgets: Sequence[StreamWidget], columns: int | None = None) -> None:
        self.widgets = list(widgets)
        columns = columns or min(len(self.widgets), 3) or 1
        self._controls = Toolbar([("stop", "Stop all", "Stop every stream (Esc)"), ("retry", "Retry all", "Run every request again")])
        self._controls.on_click("stop", self.stop)
        self._controls.on_click("retry", self._retry_from_front_end)
        for widget in self.widgets:
            widget.observe(self._sync_controls, ["status", "can_retry"])
        self._sync_controls()
        # At most `columns` columns, each at least MIN_COLUMN wide: narrower, they wrap to rows.
        gap = 8
        track = f"minmax(max({MIN_COLUMN}, calc((100% - {(columns - 1) * gap}px) / {columns})), 1fr)"
        grid = ipywidgets.GridBox(
            self.widgets,
            layout=ipywidgets.Layout(grid_template_columns=f"repeat(auto-fit, {track})", grid_gap=f"{gap}px"),
        )
        super().__init__([self._controls, grid])
        self.add_class("sse-compare")
        #: The panes' timing strips share one time axis.
        self.time_axis = SharedTimeAxis(self.widgets)

    def stop(self) -> int:
        """Stop every running stream; returns how many were running."""
        running = [w for w in self.widgets if w.running]
        for widget in running:
            widget.stop()
        return len(running)

    def retry(self) -> None:
        """Run every request again."""
        for widget in self.widgets:
            widget.retry()

    async def wait(self) -> list[str]:
        """Wait until every stream has ended; returns their texts."""
        texts = [await widget.wait() for widget in self.widgets]
        self.refresh_displays()  # under the awaiting cell, for headless runs
        return texts

    def markdown_copy(self) -> str:
        """One section per stream: its label, its answer (or error) and its stats."""
        sections = []
        for widget in self.widgets:
            stats = stats_summary(widget.stats) if widget.stats else ""
            body = widget.markdown_copy() or f"*({widget.status})*"
            sections.append(f"### {widget.label}\n\n{body}" + (f"\n\n*{stats}*" if stats else ""))
        return "\n\n".join(sections)

    def results(self) -> Any:
        """One row per stream (label, text, status, ttft_ms, tokens, tokens_per_s, error), as they stand now.

        A pandas ``DataFrame`` when pandas is installed, else a list of dicts.
        """
        rows = [
            {
                "label": w.label,
                "text": w.text,
                "status": w.status,
                "ttft_ms": w.stats.get("ttft_ms"),
                "tokens": w.stats.get("tokens"),
                "tokens_per_s": w.stats.get("tokens_per_s"),
                "error": w.error,
            }
            for w in self.widgets
        ]
        try:
            import pandas
        except ImportError:
            return rows
        return pandas.DataFrame(rows, columns=list(RESULT_COLUMNS))

    def _retry_from_front_end(self) -> None:
        # Button clicks may arrive on another thread: runs start on the loop.
        call_on_loop(next((w.loop for w in self.widgets if w.loop is not None), None), self._retry_retryable)

    def _retry_retryable(self) -> None:
        for widget in self.widgets:
            if widget.can_retry and not widget.running:
                widget.retry()

    def _sync_controls(self, _change: Any = None) -> None:
        # Stop all while something runs; Retry all once nothing does and something can run again.
        running = any(w.running for w in self.widgets)
        self._controls.enable(stop=running, retry=not running and any(w.can_retry for w in self.widgets))


def _start(spec: Spec | Any, markdown: bool, position: int, timing: bool = False) -> StreamWidget:
    if not isinstance(spec, Mapping):
        spec = {"source": spec}
    options = dict(spec)
    label = str(options.pop("label", "") or options.get("model", "") or f"#{position + 1}")
    widget = StreamWidget(label=label, markdown=markdown, timing=timing)
    if "source" in options:
        return widget.start(options.pop("source"), **options)
    if "url" in options:
        return widget.start(**options)
    if "model" not in options:
        raise ValueError(
            f"Each request needs 'url' (a raw request), 'source' (a Python stream) or 'model' (a chat request): {sorted(spec)}"
        )
    model = options.pop("model")
    endpoint = Endpoint.resolve(options.pop("base_url", None), options.pop("api_key", None))
    prompt = options.pop("prompt", None)
    messages = options.pop("messages", None)
    if (prompt is None) == (messages is None):
        raise ValueError("A chat request needs exactly one of 'prompt' and 'messages'")
    system = options.pop("system", None)
    return endpoint.start(widget, model, as_messages(prompt if prompt is not None else messages, system), **options)


def compare(
    requests: Sequence[Spec | Any] | Mapping[str, Spec | Any],
    *,
    columns: int | None = None,
    markdown: bool = True,
    timing: bool = False,
) -> CompareWidget:
    """Start several streams side by side and display them.

    Each request is either the keyword arguments of :meth:`StreamWidget.start`
    (with ``url``), or a chat request for an OpenAI-compatible endpoint
    (``model`` plus ``prompt`` or ``messages``, optionally ``base_url``,
    ``api_key`` and other body fields), or a Python stream (as
    :meth:`StreamWidget.start` takes it, bare or as ``source``). ``label``
    names a column; a mapping of label to request works too. ``timing=True``
    shows each stream's timing strip, all on one time axis. The results, as
    data: :meth:`CompareWidget.results`.
    """
    if isinstance(requests, Mapping):
        specs = [
            {**spec, "label": spec.get("label", name)} if isinstance(spec, Mapping) else {"source": spec, "label": name}
            for name, spec in requests.items()
        ]
    else:
        specs = list(requests)
    if not specs:
        raise ValueError("compare() needs at least one request")
    return display_once(CompareWidget([_start(spec, markdown, i, timing) for i, spec in enumerate(specs)], columns))
