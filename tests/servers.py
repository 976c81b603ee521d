"""A real HTTP server on 127.0.0.1 that plays scripted responses with real flushes.

Each path is mapped to a :class:`Script`: status, headers, then body chunks with
the delay before each. The server records every connection, including when it
saw the client disconnect, so tests can prove that Stop really closed the socket.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sse_widget.demo import BackgroundServer


@dataclass
class Script:
    """What the server does for one path."""

    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    status: int = 200
    content_type: str = "text/event-stream"
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: Seconds to wait before sending the status line and headers.
    header_delay: float = 0.0
    #: After the chunks, hang until the client goes away.
    stall: bool = False
    #: After the chunks, close the socket without ending the chunked body.
    drop: bool = False
    #: Chunk index -> an event the server waits for before sending that chunk,
    #: so a test can look at the page while the stream is held at a known point
    #: (read when each chunk is due: replace the events before a retry).
    holds: dict[int, threading.Event] = field(default_factory=dict)

    @classmethod
    def of(cls, parts: Iterable[bytes | str], delay: float = 0.0, **kwargs: Any) -> Script:
        """A script sending ``parts`` with ``delay`` seconds before each."""
        chunks = [(delay, p.encode() if isinstance(p, str) else p) for p in parts]
        return cls(chunks=chunks, **kwargs)


@dataclass
class Connection:
    """One request as the server saw it."""

    path: str
    method: str
    headers: dict[str, str]
    body: bytes = b""
    started: float = field(default_factory=time.monotonic)
    chunks_sent: int = 0
    completed: bool = False
    disconnected_at: float | None = None


class _Drop(Exception):
    """Raised inside the app to make uvicorn abort the connection mid-body."""


class ScriptedServer(BackgroundServer):
    """Serves :class:`Script` s and logs :class:`Connection` s."""

    def __init__(self) -> None:
        self.scripts: dict[str, Script] = {}
        self.connections: list[Connection] = []
        super().__init__(self._app, log_level="critical")

    def add(self, path: str, script: Script) -> str:
        """Serve ``script`` at ``path``; returns the full URL."""
        self.scripts[path] = script
        return self.url + path

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> bool:
        """Poll (bounded) until ``predicate()`` is true."""
        return wait_until(predicate, timeout)

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        script = self.scripts.get(scope["path"])
        record = Connection(
            path=scope["path"],
            method=scope["method"],
            headers={k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
        )
        self.connections.append(record)
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                record.disconnected_at = time.monotonic()
                return
            record.body += message.get("body", b"")
            more = message.get("more_body", False)

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        async def play() -> None:
            if script is None:
                await send({"type": "http.response.start", "status": 404, "headers": []})
                await send({"type": "http.response.body", "body": b"no script"})
                return
            if script.header_delay:
                await asyncio.sleep(script.header_delay)
            headers = [(b"content-type", script.content_type.encode())]
            headers += [(k.encode(), v.encode()) for k, v in script.headers]
            await send({"type": "http.response.start", "status": script.status, "headers": headers})
            for index, (delay, data) in enumerate(script.chunks):
                hold = script.holds.get(index)
                if hold is not None:
                    await eventually(hold.is_set, HOLD_LIMIT_S)
                if delay:
                    await asyncio.sleep(delay)
                await send({"type": "http.response.body", "body": data, "more_body": True})
                record.chunks_sent += 1
            if script.stall:
                await asyncio.Event().wait()
            if script.drop:
                raise _Drop
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        watcher = asyncio.ensure_future(watch())
        player = asyncio.ensure_future(play())
        done, _ = await asyncio.wait({watcher, player}, return_when=asyncio.FIRST_COMPLETED)
        if watcher in done:
            record.disconnected_at = time.monotonic()
            player.cancel()
            await asyncio.gather(player, return_exceptions=True)
            return
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        player.result()
        record.completed = True


#: A held stream goes on by itself after this long, so a failed test cannot hang the server.
HOLD_LIMIT_S = 120.0


def wait_until(predicate: Any, timeout: float = 5.0) -> bool:
    """Poll (bounded) until ``predicate()`` is true; blocks the calling thread."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return bool(predicate())


async def eventually(predicate: Any, timeout: float = 5.0) -> bool:
    """Poll (bounded) until ``predicate()`` is true, without blocking the event loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.002)
    return bool(predicate())


def sse(*datas: str, event: str | None = None) -> list[bytes]:
    """SSE blocks, one per data string."""
    prefix = f"event: {event}\n" if event else ""
    return [f"{prefix}data: {d}\n\n".encode() for d in datas]


def openai_chunks(tokens: Iterable[str], *, done: bool = True) -> list[bytes]:
    """An OpenAI chat-completions stream of ``tokens``."""
    import json

    parts = [
        json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": t}}]})
        for t in tokens
    ]
    if done:
        parts.append("[DONE]")
    return sse(*parts)


def tiny_pieces(text: str, seed: int = 7) -> list[str]:
    """``text`` cut into 1-3 character pieces (the same cuts for the same seed)."""
    rng = random.Random(seed)
    pieces, i = [], 0
    while i < len(text):
        size = rng.randint(1, 3)
        pieces.append(text[i : i + size])
        i += size
    return pieces


def anthropic_events(tokens: Iterable[str], *, stop: bool = True) -> list[bytes]:
    """An Anthropic Messages stream of ``tokens`` (one text block)."""
    import json

    start = {
        "type": "message_start",
        "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
                    "stop_reason": None, "usage": {"input_tokens": 1, "output_tokens": 1}},
    }
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    parts = sse(json.dumps(start), event="message_start") + sse(json.dumps(block), event="content_block_start")
    for token in tokens:
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}}
        parts += sse(json.dumps(delta), event="content_block_delta")
    if stop:
        parts += sse(json.dumps({"type": "message_stop"}), event="message_stop")
    return parts
