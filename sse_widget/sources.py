"""Python streams as a run's origin: SDK stream objects, iterators, generators, and callables making them.

A :class:`Source` wraps what the user passed instead of a URL; a
:class:`SourceTransport` opens it for one run and hands its items, as
:class:`~sse_widget.sse.ServerSentEvent` values, to the run's read loop, so the
same formats turn them into text. What a source can be:

- an openai ``Stream`` / ``AsyncStream`` (chat completions or the Responses
  API), or a ``.stream()`` helper's manager (entered for the run);
- an anthropic ``MessageStream`` / ``AsyncMessageStream``, its manager, or a
  raw event stream (``messages.create(stream=True)``);
- any sync or async iterator of ``str`` or of objects with a text ``content``
  (LangChain message chunks), and generator functions;
- a zero-argument callable returning one of these; only a callable can be
  retried, since a stream object is read once.

Sync iterators are read in a worker thread, so the kernel's loop never blocks;
Stop closes them (``close()``), and async iterators are ``aclose()`` d. Closing
an SDK stream closes its HTTP response, so the server sees the disconnect.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from .errors import RunError
from .formats import FormatSpec
from .source_errors import describe_source_error
from .source_secrets import secrets_held_by, secrets_in_env, secrets_of_request
from .sse import ServerSentEvent

__all__ = ["Source", "SourceTransport", "is_source"]

ConsumeEvents = Callable[[AsyncIterator[ServerSentEvent]], Awaitable[None]]

#: Events the SDKs' stream helpers derive from the wire events (already in them).
_DERIVED_TYPES = frozenset({"text", "thinking", "input_json", "citation", "signature"})


def is_source(target: object) -> bool:
    """Whether ``target`` is a Python stream (or a callable making one) rather than a URL."""
    if isinstance(target, (str, bytes, httpx.URL, os.PathLike)):
        return False
    return any(hasattr(target, name) for name in ("__iter__", "__aiter__", "__enter__", "__aenter__")) or callable(target)


class Source:
    """What a run reads instead of an HTTP response, with the secrets it has seen."""

    def __init__(self, target: Any, *, format: FormatSpec = "auto") -> None:
        if not is_source(target):
            raise TypeError(f"Not a stream source: {type(target).__name__}")
        self.target = target
        self.format = format
        self._found = secrets_held_by(target)
        self._used = False

    #: Event data that ends the stream whatever the format (none: a source ends when it is exhausted).
    end_markers: frozenset[str] = frozenset()
    #: A source is a stream by nature.
    asks_for_stream = True

    @property
    def retryable(self) -> bool:
        """True for a callable (each run calls it again); a stream object is read once."""
        return _is_factory(self.target)

    def take(self) -> tuple[Any, bool]:
        """The target for a new run and whether it must be called first."""
        if self.retryable:
            return self.target, True
        if self._used:
            raise RunError(
                "This stream object was already read, so it cannot run again: pass a function that "
                "makes a new one (lambda: client.chat.completions.create(..., stream=True)) to retry."
            )
        self._used = True
        return self.target, False

    def remember(self, found: object) -> None:
        """Note the credentials ``found`` carries (an SDK stream or error's HTTP request headers)."""
        self._found.update(secrets_of_request(found))

    def secrets(self) -> list[str]:
        """Values that must never appear in an error message or a log line."""
        return sorted({*self._found, *secrets_in_env()}, key=len, reverse=True)

    def __repr__(self) -> str:
        return f"Source({type(self.target).__name__})"


def _is_factory(target: object) -> bool:
    if any(hasattr(target, name) for name in ("__iter__", "__aiter__", "__enter__", "__aenter__")):
        return False
    return callable(target)


def to_event(item: Any) -> ServerSentEvent | None:
    """One item of a source as an event the formats read; ``None`` for an item that carries nothing."""
    if isinstance(item, str):
        return ServerSentEvent(event="text", data=item) if item else None
    kind = getattr(item, "type", None)
    if kind == "chunk" and hasattr(item, "chunk"):  # openai's chat .stream() helper
        item = item.chunk
    elif kind in _DERIVED_TYPES or (isinstance(kind, str) and kind.startswith("content.")):
        return None
    if hasattr(item, "model_dump_json"):
        event = kind if isinstance(kind, str) and kind not in ("", "chunk") else "message"
        return ServerSentEvent(event=event, data=item.model_dump_json(exclude_unset=True, warnings=False))
    if isinstance(item, Mapping):
        return ServerSentEvent(event=str(item.get("type") or "message"), data=json.dumps(item, default=str))
    content = getattr(item, "content", None)
    if content is not None:
        text = _content_text(content)
        return ServerSentEvent(event="text", data=text) if text else None
    raise TypeError(f"A stream source yielded {type(item).__name__}; expected str, or an object with .content")


def _content_text(content: Any) -> str:
    """LangChain's ``content``: a string, or a list of strings and ``{"type": "text", "text": ...}`` parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p if isinstance(p, str) else p.get("text", "") if isinstance(p, Mapping) else "" for p in content]
        return "".join(parts)
    return str(content)


class SourceTransport:
    """Opens a :class:`Source` for one run, hands its events to ``consume``, and closes it."""

    def __init__(self, source: Source) -> None:
        self.source = source

    async def stream(self, consume: ConsumeEvents) -> None:
        """Read the source to its end; Stop (cancelling the task) closes it at once."""
        target, call = self.source.take()
        try:
            if call and (inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)):
                target, call = target(), False
            if inspect.isawaitable(target):
                target = await target
            if not call and _is_async(target):
                await self.read_async(target, consume)
            else:
                await _ThreadPump(target, call, self.source).read(consume)
        except (RunError, asyncio.CancelledError):
            raise
        except Exception as exc:  # noqa: BLE001 - the source's failure becomes the run's error state
            self.source.remember(exc)
            raise describe_source_error(exc) from None

    async def read_async(self, target: Any, consume: ConsumeEvents) -> None:
        """Read an async iterator (entering it first if it is a manager), then ``aclose()`` it."""
        manager = None
        if not hasattr(target, "__aiter__") and hasattr(target, "__aenter__"):
            manager, target = target, await target.__aenter__()
        self.source.remember(target)
        try:
            await consume(_async_events(target))
        finally:
            await _aclose(target)
            if manager is not None:
                await manager.__aexit__(None, None, None)


def _is_async(target: object) -> bool:
    return hasattr(target, "__aiter__") or (hasattr(target, "__aenter__") and not hasattr(target, "__iter__"))


async def _async_events(target: Any) -> AsyncIterator[ServerSentEvent]:
    async for item in target:
        event = to_event(item)
        if event is not None:
            yield event


async def _aclose(target: Any) -> None:
    close = getattr(target, "aclose", None) or getattr(target, "close", None)
    if close is None:
        return
    result = close()
    if inspect.isawaitable(result):
        await result


def _close(target: Any) -> bool:
    """Close a sync iterator; False when it cannot be closed from here (a generator mid-step)."""
    close = getattr(target, "close", None)
    if close is None:
        return True
    try:
        result = close()
    except ValueError:  # "generator already executing": its own thread closes it
        return False
    if inspect.iscoroutine(result):
        result.close()
    return True


class _ThreadPump:
    """Reads a sync iterator (calling its factory and entering its manager first) in a worker thread."""

    def __init__(self, target: Any, call: bool, source: Source) -> None:
        self.target = target
        self.call = call
        self.source = source
        self.stopped = threading.Event()
        self.opened: Any = None
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()

    async def read(self, consume: ConsumeEvents) -> None:
        thread = threading.Thread(target=self._work, name="sse-widget source", daemon=True)
        thread.start()
        try:
            kind, value = await self.queue.get()
            if kind == "async":  # a sync factory that made an async stream (or a coroutine making one)
                await SourceTransport(self.source).read_async(await value if inspect.isawaitable(value) else value, consume)
                return
            self._raise_if_error(kind, value)
            await consume(self._events(kind, value))
        finally:
            self.stop()

    def stop(self) -> None:
        """Ask the worker to end, and close what it reads now (an SDK stream's HTTP response)."""
        self.stopped.set()
        if self.opened is not None:
            _close(self.opened)

    async def _events(self, kind: str, value: Any) -> AsyncIterator[ServerSentEvent]:
        while kind == "item":
            event = to_event(value)
            if event is not None:
                yield event
            kind, value = await self.queue.get()
            self._raise_if_error(kind, value)

    @staticmethod
    def _raise_if_error(kind: str, value: Any) -> None:
        if kind == "error":
            raise value

    def _put(self, kind: str, value: Any = None) -> None:
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, (kind, value))
        except RuntimeError:  # the loop has closed
            self.stopped.set()

    def _work(self) -> None:
        manager = None
        try:
            target = self.target() if self.call else self.target
            if inspect.iscoroutine(target) or _is_async(target):
                if self.stopped.is_set():
                    _close(target)
                else:
                    self._put("async", target)
                return
            if not hasattr(target, "__iter__") and hasattr(target, "__enter__"):
                manager, target = target, target.__enter__()
            iterator = iter(target)
            self.opened = target
            self.source.remember(target)
            try:
                for item in iterator:
                    if self.stopped.is_set():
                        break
                    self._put("item", item)
            finally:
                _close(iterator) if iterator is not target else None
                _close(target)
                if manager is not None:
                    manager.__exit__(None, None, None)
        except BaseException as exc:  # noqa: BLE001 - reported to the run on the loop
            if not self.stopped.is_set():
                self._put("error", exc)
            return
        self._put("end")
