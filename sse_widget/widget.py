"""StreamWidget: the anywidget model that owns a stream's state and drives its runs.

Python owns the truth (text, status, error, stats); the front end renders it and
sends intents back. Deltas travel as small numbered custom messages; the full
``text`` trait is synced only when a run starts and when it ends, because
ipywidgets resends a trait's whole value on every change. The message contract
is :mod:`sse_widget.protocol`.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import httpx
import traitlets

from . import protocol, record
from .display import WithTextCopies, display_once
from .formats import FormatSpec
from .loop import LoopBound
from .protocol import RUNNING, STATS_KEYS, STATUSES
from .redact import redact
from .run import Run
from .sources import Source, is_source
from .sse import ServerSentEvent
from .timeline import MAX_POINTS, Point
from .transport import StreamRequest

__all__ = ["StreamWidget", "replay", "stream", "stop_all"]

_STATIC = Path(__file__).parent / "static"

_live_widgets: weakref.WeakSet[StreamWidget] = weakref.WeakSet()


class StreamWidget(WithTextCopies, LoopBound, anywidget.AnyWidget):
    """A notebook view of one streaming HTTP response, with Stop and Retry.

    >>> w = StreamWidget()
    >>> w.start("http://127.0.0.1:8000/v1/chat/completions", json={...})  # doctest: +SKIP
    >>> text = await w.wait()  # doctest: +SKIP
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    status = traitlets.Enum(STATUSES, "idle", help=", ".join(STATUSES)).tag(sync=True)
    text = traitlets.Unicode("", help="The answer so far (synced to the front end when a run ends)").tag(sync=True)
    reasoning = traitlets.Unicode("", help="Reasoning the model streamed beside its answer, if any").tag(sync=True)
    error = traitlets.Unicode("", help="One line saying why the run failed; empty when it did not").tag(sync=True)
    error_detail = traitlets.Unicode("", help="More about the error, shown on demand").tag(sync=True)
    notice = traitlets.Unicode("", help="One line of advice that is not an error").tag(sync=True)
    inspect = traitlets.Bool(False, help="Show the raw wire events beside the text").tag(sync=True)
    stats = traitlets.Dict(help=", ".join(STATS_KEYS) + " (see sse_widget.protocol.Stats)").tag(sync=True)
    run_id = traitlets.Int(0, help="Counts runs; the front end drops messages from older runs").tag(sync=True)
    markdown = traitlets.Bool(True, help="Render the text as markdown (sanitized)").tag(sync=True)
    load_images = traitlets.Bool(
        False, help="Load remote images in the text at once; off, each waits for a click on its placeholder"
    ).tag(sync=True)
    tool_calls = traitlets.List(
        help="The tool calls of the run: {id, name, arguments} each, arguments as the JSON text streamed so far"
    ).tag(sync=True)
    label = traitlets.Unicode("", help="A short title shown above the text").tag(sync=True)
    timeline = traitlets.List(
        help="The run's output over time: (seconds since the request, characters, tokens) points, "
        "by when the bytes arrived; while a run streams, one point per flush, whole when it ends (see sse_widget.timeline)"
    ).tag(sync=True)
    timing = traitlets.Bool(False, help="Show the timing strip (it also shows with the inspector)").tag(sync=True)
    timing_axis = traitlets.Float(
        0.0, help="Seconds the timing strip's time axis spans at least (compare() gives its panes one)"
    ).tag(sync=True)
    can_retry = traitlets.Bool(False, help="True once there is a request to run again").tag(sync=True)
    controls = traitlets.Bool(
        True, help="Show Stop and Retry; off where a container has one set for many widgets (ChatWidget)"
    ).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        # Set before the traits: trait observers may run during super().__init__.
        self._run: Run | None = None
        self._request: StreamRequest | Source | None = None
        self._quiet = False
        #: The timeline a replayed recording brought, shown once the replay ends.
        self._recorded_timeline: list[Point] | None = None
        super().__init__(**kwargs)
        self.on_msg(self._on_front_end_msg)
        _live_widgets.add(self)

    # -- public API ---------------------------------------------------------

    def start(
        self,
        url: str | httpx.URL | Any,
        *,
        method: str = "POST",
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Any = None,
        format: FormatSpec = "auto",
        client: httpx.AsyncClient | None = None,
        timeout: float | httpx.Timeout | None = None,
        end_marker: str | Sequence[str] | None = None,
    ) -> StreamWidget:
        """Start streaming ``url`` into the widget and return at once.

        ``url`` may also be a Python stream: an openai or anthropic SDK stream
        (or a ``.stream()`` helper's manager), any sync or async iterator of
        ``str`` or of objects with a text ``content``, or a zero-argument
        callable returning one of these, which Retry calls again (a stream
        object is read once, so it cannot be retried). The HTTP keywords do
        not apply to a Python stream.

        The keyword arguments mean what they mean in httpx. ``format`` is
        ``"auto"``, a format name, or a callable mapping an event to text (or to
        a :class:`Delta`, such as ``Delta(done=True)`` to end the stream).
        ``end_marker`` is event data (a string or several) that ends the
        stream, matched against an event's whole data and not shown. A run
        already in progress is stopped first. Needs a running event loop, as
        every notebook has; in a script, call it inside ``asyncio.run(...)`` and
        ``await w.wait()``.
        """
        self._recorded_timeline = None
        if is_source(url):
            given = {
                "json": json,
                "data": data,
                "headers": headers,
                "params": params,
                "client": client,
                "timeout": timeout,
                "end_marker": end_marker,
            }
            unused = sorted(name for name, value in given.items() if value is not None)
            if unused or method.upper() != "POST":
                raise TypeError(f"{', '.join(unused) or 'method'} only apply to a URL, not to a Python stream")
            self._begin(Source(url, format=format))
            return self
        if not isinstance(url, (str, httpx.URL)):
            raise TypeError(
                f"Cannot stream from {type(url).__name__}: pass a URL, or a Python stream "
                "(an SDK stream, an iterator or generator of text, or a function returning one)"
            )
        request = StreamRequest(
            url=str(url),
            method=method.upper(),
            json=json,
            data=data,
            headers=dict(headers) if headers else None,
            params=params,
            format=format,
            client=client,
            timeout=timeout,
            end_marker=end_marker,
        )
        self._begin(request)
        return self

    def stop(self) -> None:
        """Stop the current run and close its connection; the partial text stays.

        Safe to call from any thread, and a no-op when nothing is running.
        """
        if self._run is not None:
            self._run.cancel()

    def retry(self) -> StreamWidget:
        """Run the last request again, as a fresh run."""
        if self._request is None:
            raise RuntimeError("Nothing to retry: call start() first.")
        if isinstance(self._request, Source) and not self._request.retryable:
            raise RuntimeError(
                "A stream object is read once and cannot be retried: "
                "start() with a function that makes a new stream to allow Retry."
            )
        self._begin(self._request)
        return self

    async def wait(self) -> str:
        """Wait for the current run to end (done, stopped or error); return the text."""
        run = self._run
        if run is None:
            return self.text
        await run.wait()
        if run is self._run:
            # Once more from the awaiting cell: headless executors (nbclient,
            # nbconvert --execute) only read the messages of the cell they are
            # running, so the final state and outputs are sent under it too.
            if self.comm is not None:
                self.send_state(key=list(protocol.SYNCED_AT_END))
            self.refresh_displays()
            return self.text
        return run.text

    def save_recording(self, path: str | os.PathLike[str]) -> Path:
        """Save the last run's raw events, with their timing, as a JSON Lines recording.

        Replay it later, without a network, with :func:`replay`.
        """
        if self._run is None:
            raise RuntimeError("Nothing to record: no run has started.")
        run = self._run
        return record.save(
            path, _shown_events(run), format=run.format_name, status=run.status, timeline=self._timeline_of(run)
        )

    @property
    def events(self) -> list[tuple[float, ServerSentEvent]]:
        """The last run's raw events, each with seconds since the request started.

        The request's secrets are masked in them (a server may echo a key back).
        """
        return _shown_events(self._run) if self._run else []

    def _timeline_of(self, run: Run) -> list[Point]:
        """The timeline to show for ``run``: the recorded one for a replay, else the run's own."""
        return self._recorded_timeline if self._recorded_timeline is not None else run.timeline()

    @property
    def running(self) -> bool:
        """True while the current run is connecting or streaming."""
        return self.status in RUNNING

    def close(self) -> None:
        """Stop any run, then close the widget."""
        self.stop()
        _live_widgets.discard(self)
        super().close()

    # -- runs ---------------------------------------------------------------

    def _begin(self, request: StreamRequest | Source) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "StreamWidget.start() needs a running asyncio event loop. Notebooks have one; "
                "in a script, call it from a coroutine run with asyncio.run(...) and "
                "`await widget.wait()` before the coroutine returns."
            ) from None
        if self._run is not None:
            self._run.cancel()
        self.bind_loop(loop)
        self._request = request
        run = Run(request, self.run_id + 1, self)
        self._run = run
        self._set_and_sync(protocol.start_state(run.id, can_retry=not isinstance(request, Source) or request.retryable))
        run.watch_events = self.inspect
        run.start()

    def run_status(self, run: Run) -> None:
        if run is self._run:
            self.status = run.status

    def run_delta(self, run: Run, seq: int, text: str, reasoning: str, stats: protocol.Stats | None) -> None:
        if run is not self._run:
            return
        self._set_quietly(text=self.text + text)
        if reasoning:
            self._set_quietly(reasoning=self.reasoning + reasoning)
        if stats is not None:
            self._set_quietly(stats=stats)
        points = run.take_timeline()
        if points:
            timeline = self.timeline + points
            # A long run's timeline is merged coarser: so is the trait (and a snapshot of it).
            self._set_quietly(timeline=timeline if len(timeline) <= MAX_POINTS else run.sent_timeline())
        if self.comm is not None:
            self.send(protocol.delta_message(run.id, seq, text, reasoning, stats, points))

    def run_tools(self, run: Run, tool_calls: list[dict[str, str]]) -> None:
        # A tool call is small and rare: the trait is synced whole, at the flush rate.
        if run is self._run:
            self.tool_calls = tool_calls

    def run_events(self, run: Run, start: int) -> None:
        if run is self._run:
            self._send_events(run, start)

    def _send_events(self, run: Run, start: int) -> None:
        if self.comm is None:
            return
        rows = [[round(t * 1000), e.event, e.data, e.id] for t, e in _shown_events(run, start)]
        self.send(protocol.events_message(run.id, rows, reset=start == 0))

    @traitlets.observe("inspect")
    def _inspect_changed(self, change: dict[str, Any]) -> None:
        # The front end toggles this; its handler may run on another thread.
        self.on_loop(self._apply_inspect)

    def _apply_inspect(self) -> None:
        run = self._run
        if run is None:
            return
        run.watch(self.inspect)
        if self.inspect:
            self._send_events(run, 0)

    def run_ended(self, run: Run) -> None:
        if run is not self._run:
            return
        self._set_and_sync(
            protocol.end_state(
                run.text, run.reasoning, run.tool_calls, run.status, run.error, run.error_detail, run.notice,
                run.stats(), self._timeline_of(run),
            )
        )
        self.refresh_displays()

    # -- front-end intents --------------------------------------------------

    def _on_front_end_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        # ipykernel may deliver comm messages on another thread: hop to the loop.
        intent = protocol.parse_intent(content)
        if intent is not None:
            self.on_loop(self._handle_intent, intent)

    def _handle_intent(self, content: dict[str, Any]) -> None:
        kind = content.get("type")
        if kind == "stop":
            if self._run is not None and content.get("run", self._run.id) == self._run.id:
                self._run.cancel()
        elif kind == "retry":
            # A Retry right behind a Stop finds the old run still unwinding:
            # _begin cancels it either way, so Retry always starts afresh.
            if self._request is not None and self.can_retry:
                self._begin(self._request)
        elif kind == "events":
            # A front end that opened with the inspector on has no rows yet.
            if self.inspect and self._run is not None:
                self._send_events(self._run, 0)
        elif kind == "snapshot" and self.comm is not None:
            run = self._run
            seq, stats = (run.seq, run.stats()) if run else (0, {})
            self.send(protocol.snapshot_message(self.run_id, seq, self.text, self.reasoning, stats, self.timeline))

    # -- syncing --------------------------------------------------------------

    # ipywidgets has no public way to change a trait without sending it, and
    # deltas must not resend the whole text: this is the hook its own echo
    # suppression uses, so it is where a quiet change is kept off the wire.
    def _should_send_property(self, key: str, value: Any) -> bool:
        return not self._quiet and super()._should_send_property(key, value)

    def _set_quietly(self, **values: Any) -> None:
        self._quiet = True
        try:
            for name, value in values.items():
                setattr(self, name, value)
        finally:
            self._quiet = False

    def _set_and_sync(self, values: dict[str, Any]) -> None:
        """Set several traits and send them to the front end as one message."""
        self._set_quietly(**values)
        if self.comm is not None:
            self.send_state(key=list(values))

    def __repr__(self) -> str:
        return f"<StreamWidget run={self.run_id} status={self.status!r} chars={len(self.text)}>"


def _shown_events(run: Run, start: int = 0) -> list[tuple[float, ServerSentEvent]]:
    """``run``'s events from ``start`` on as the user may see them: with the request's secrets masked."""
    events = run.events[start:]
    secrets = run.request.secrets()
    if not secrets:
        return list(events)
    return [
        (t, e._replace(event=redact(e.event, secrets), data=redact(e.data, secrets), id=redact(e.id, secrets)))
        for t, e in events
    ]


def stream(
    url: str | httpx.URL | Any,
    *,
    label: str = "",
    markdown: bool = True,
    load_images: bool = False,
    timing: bool = False,
    **kwargs: Any,
) -> StreamWidget:
    """Create a :class:`StreamWidget`, display it and start streaming ``url`` (a URL or a Python stream).

    Takes the same keyword arguments as :meth:`StreamWidget.start`.
    ``load_images=True`` loads remote images in the answer without a click;
    ``timing=True`` shows the timing strip (tokens over time).
    """
    widget = StreamWidget(label=label, markdown=markdown, load_images=load_images, timing=timing)
    return display_once(widget).start(url, **kwargs)


def replay(
    recording: str | os.PathLike[str] | record.Recording,
    *,
    speed: float = 1.0,
    label: str = "",
    markdown: bool = True,
    inspect: bool = False,
    timing: bool = False,
) -> StreamWidget:
    """Display a widget that replays a saved recording, with no network.

    ``speed`` scales the original timing (2.0 is twice as fast; 0 replays at once).
    When the replay ends, the timing strip (``timing=True``, or with the
    inspector) and ``timeline`` show the recorded run's timeline, whatever the speed.
    """
    loaded = recording if isinstance(recording, record.Recording) else record.load(recording)
    widget = display_once(StreamWidget(label=label or "replay", markdown=markdown, inspect=inspect, timing=timing))
    widget.start(**record.replay_request(loaded, speed))
    if loaded.timeline:
        widget._recorded_timeline = list(loaded.timeline)
    return widget


def stop_all() -> int:
    """Stop every running StreamWidget in this kernel; returns how many were running."""
    stopped = 0
    for widget in list(_live_widgets):
        if widget.running:
            widget.stop()
            stopped += 1
    return stopped
