"""An embedded streaming endpoint for every supported wire format, so nothing needs an API key.

>>> from sse_widget import demo
>>> server = demo.start(tokens_per_second=40)      # 127.0.0.1, a free port, background
>>> server.chat_url                                 # doctest: +SKIP
'http://127.0.0.1:52731/v1/chat/completions'
>>> server.stop()

Routes (all stream canned markdown answers, chosen deterministically by the prompt):

=========================================================  ===========================================
``POST /v1/chat/completions``                              OpenAI chat completions (``stream`` true or false)
``POST /v1/responses``                                     OpenAI Responses API events
``POST /v1/messages``                                      Anthropic Messages events (``stream`` true or false)
``POST /api/v1/services/aigc/text-generation/generation``  DashScope / Qwen native SSE; cumulative text
                                                           unless ``parameters.incremental_output``
``POST /api/chat``, ``POST /api/generate``                 Ollama NDJSON (``stream`` false for one reply)
``GET /v1/text``                                           plain SSE ``data:`` text ending in ``[DONE]``
``GET /v1/raw``                                            raw chunked ``text/plain``
=========================================================  ===========================================

Query parameters shape any request: ``tokens_per_second`` and ``ttft`` (seconds to
the first token) set the pace; ``fail`` injects a failure: ``http`` (HTTP 429 with a
provider-style JSON body), ``error`` (an in-band error mid-stream), ``drop`` (the
connection closes mid-stream), ``stall`` (the server goes silent mid-stream) or
``burst`` (buffered upstream: silence, then everything at once). ``fail_after``
sets after how many tokens (default: half the answer). The same options can
travel in the JSON body as ``"demo": {"tokens_per_second": 5, ...}``.

Run ``python -m sse_widget.demo`` to serve it from a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

__all__ = ["ANSWERS", "FAILURES", "BackgroundServer", "DemoServer", "RequestRecord", "start", "tokenize"]

ANSWERS: tuple[str, ...] = (
    """## How streaming works

A language model writes its answer **one token at a time**. Instead of waiting for
the whole reply, the server sends each token as soon as it exists, using
*server-sent events*: a long-lived HTTP response whose body is a series of small
`data:` lines.

1. The client sends the prompt with `"stream": true`.
2. The server answers `200 OK` with `Content-Type: text/event-stream`.
3. Every few milliseconds a chunk arrives, carrying the next piece of text.
4. A final `data: [DONE]` says the answer is complete.

Stopping early is cheap: closing the connection tells the server to stop
generating, so you stop paying for tokens you will never read.""",
    """Here is a small Python function that reads such a stream:

```python
import httpx

def read_stream(url: str, payload: dict) -> str:
    parts = []
    with httpx.stream("POST", url, json=payload) as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                parts.append(line[6:])
    return "".join(parts)
```

| part | what it does |
|------|--------------|
| `httpx.stream` | opens the response without reading the body |
| `iter_lines` | yields the body line by line as it arrives |
| `[DONE]` | the end marker of OpenAI-style streams |

That sketch is not quite right for every server — real decoders must handle
`\\r\\n` line endings, comments and multi-line events — but it shows the idea.""",
    """Streaming changes how an interface *feels*:

- **Time to first token** matters more than total time: people start reading at once.
- A blinking cursor ▋ shows that more is coming.
- A **Stop** button must really stop — close the connection — or the model keeps
  generating (and billing) in the background.

Unicode travels too: 你好，世界 — こんにちは — emoji 🚀✨ — and math like *e^iπ + 1 = 0*.

> Tip: in a notebook, start the stream as a background task so the cell returns
> and the Stop button keeps working while text flows.""",
)

_TOKEN = re.compile(r"\s*\S+|\s+")

FAILURES = ("http", "error", "drop", "stall", "burst")


def tokenize(text: str) -> list[str]:
    """Split text into word-sized pieces that keep their leading whitespace."""
    return _TOKEN.findall(text)


def pick_answer(prompt: str) -> str:
    """The canned answer for a prompt: the same prompt always gets the same answer."""
    lowered = prompt.lower()
    for index, keyword in ((1, "code"), (2, "unicode"), (0, "stream")):
        if keyword in lowered:
            return ANSWERS[index]
    return ANSWERS[hashlib.sha256(prompt.encode()).digest()[0] % len(ANSWERS)]


@dataclass
class RequestRecord:
    """What the demo server saw of one streaming request."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    started: float = field(default_factory=time.monotonic)
    tokens_sent: int = 0
    finished: bool = False
    disconnected_at: float | None = None

    @property
    def disconnected(self) -> bool:
        """True when the stream ended before its last byte (the client left, or ``fail=drop``)."""
        return self.disconnected_at is not None


class _Drop(Exception):
    """Raised in a response body to make the server cut the connection (``fail=drop``)."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        inner = getattr(exc, "exceptions", None) or (exc,)
        return not any(isinstance(e, _Drop) for e in inner)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BackgroundServer:
    """Serves an ASGI app with uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: ASGIApp, *, port: int = 0, host: str = "127.0.0.1", log_level: str = "warning") -> None:
        self.app = app
        self.host = host
        self.port = port or _free_port()
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=self.port,
                log_level=log_level,
                lifespan="off",
                interface="asgi3",
                timeout_graceful_shutdown=1,
            )
        )
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.run, name=f"sse-widget server :{self.port}", daemon=True)

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving; returns once the port accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The server on {self.url} did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait (bounded) for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the command line uses this)."""
        self._server.run()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"


# -- wire encoders: how each provider frames the start, a token, the end, an error --


def _sse(data: Any, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def _typed_event(kind: str, **fields: Any) -> bytes:
    """An SSE event whose name is also its data's ``type`` (Responses API, Anthropic)."""
    return _sse({"type": kind, **fields}, kind)


@dataclass
class Wire:
    """One provider's framing of a streamed answer."""

    media_type: str
    start: Callable[[], list[bytes]]
    token: Callable[[str], bytes]
    end: Callable[[int], list[bytes]]
    error: Callable[[str], bytes]


def _openai_chat(model: str) -> Wire:
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return _sse(
            {
                "id": "chatcmpl-demo",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    def end(tokens: int) -> list[bytes]:
        usage = {"prompt_tokens": 12, "completion_tokens": tokens, "total_tokens": 12 + tokens}
        last = {"id": "chatcmpl-demo", "object": "chat.completion.chunk", "created": created, "model": model, "choices": [], "usage": usage}
        return [chunk({}, "stop"), _sse(last), b"data: [DONE]\n\n"]

    return Wire(
        "text/event-stream",
        lambda: [chunk({"role": "assistant", "content": ""})],
        lambda text: chunk({"content": text}),
        end,
        lambda message: _sse({"error": {"message": message, "type": "server_error", "code": None}}),
    )


def _openai_responses(model: str) -> Wire:
    return Wire(
        "text/event-stream",
        lambda: [
            _typed_event("response.created", response={"id": "resp_demo", "status": "in_progress", "model": model}),
            _typed_event("response.output_item.added", output_index=0, item={"id": "msg_demo", "type": "message"}),
        ],
        lambda text: _typed_event("response.output_text.delta", item_id="msg_demo", output_index=0, content_index=0, delta=text),
        lambda tokens: [
            _typed_event(
                "response.completed",
                response={"id": "resp_demo", "status": "completed", "usage": {"input_tokens": 12, "output_tokens": tokens}},
            )
        ],
        lambda message: _typed_event("error", code="server_error", message=message),
    )


def _anthropic(model: str) -> Wire:
    return Wire(
        "text/event-stream",
        lambda: [
            _typed_event("message_start", message={"id": "msg_demo", "type": "message", "role": "assistant", "model": model, "content": [], "usage": {"input_tokens": 12, "output_tokens": 1}}),
            _typed_event("content_block_start", index=0, content_block={"type": "text", "text": ""}),
            _typed_event("ping"),
        ],
        lambda text: _typed_event("content_block_delta", index=0, delta={"type": "text_delta", "text": text}),
        lambda tokens: [
            _typed_event("content_block_stop", index=0),
            _typed_event("message_delta", delta={"stop_reason": "end_turn", "stop_sequence": None}, usage={"output_tokens": tokens}),
            _typed_event("message_stop"),
        ],
        lambda message: _typed_event("error", error={"type": "overloaded_error", "message": message}),
    )


def _dashscope(incremental: bool) -> Wire:
    state = {"id": 0, "text": ""}

    def frame(text: str, finish: str, tokens: int) -> bytes:
        state["id"] += 1
        payload = {
            "output": {"choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": finish}]},
            "usage": {"input_tokens": 12, "output_tokens": tokens, "total_tokens": 12 + tokens},
            "request_id": "demo-request",
        }
        data = json.dumps(payload, ensure_ascii=False)
        return f"id:{state['id']}\nevent:result\n:HTTP_STATUS/200\ndata:{data}\n\n".encode()

    def token(text: str) -> bytes:
        state["text"] += text
        return frame(text if incremental else state["text"], "null", len(tokenize(state["text"])))

    def error(message: str) -> bytes:
        data = json.dumps({"code": "InternalError", "message": message, "request_id": "demo-request"})
        return f"id:{state['id'] + 1}\nevent:error\n:HTTP_STATUS/500\ndata:{data}\n\n".encode()

    return Wire(
        "text/event-stream;charset=UTF-8",
        lambda: [],
        token,
        lambda tokens: [frame("" if incremental else state["text"], "stop", tokens)],
        error,
    )


def _ollama(model: str, key: str) -> Wire:
    def line(**fields: Any) -> bytes:
        return json.dumps({"model": model, "created_at": "2025-01-01T00:00:00Z", **fields}, ensure_ascii=False).encode() + b"\n"

    def content(text: str) -> dict[str, Any]:
        return {"message": {"role": "assistant", "content": text}} if key == "message" else {"response": text}

    return Wire(
        "application/x-ndjson",
        lambda: [],
        lambda text: line(**content(text), done=False),
        lambda tokens: [line(**content(""), done=True, done_reason="stop", prompt_eval_count=12, eval_count=tokens)],
        lambda message: json.dumps({"error": message}).encode() + b"\n",
    )


def _plain_text() -> Wire:
    def data(text: str) -> bytes:
        return "".join(f"data: {line}\n" for line in text.split("\n")).encode() + b"\n"

    return Wire(
        "text/event-stream",
        lambda: [],
        data,
        lambda tokens: [b"data: [DONE]\n\n"],
        lambda message: _sse(message, "error"),
    )


def _raw_text() -> Wire:
    return Wire(
        "text/plain; charset=utf-8",
        lambda: [],
        lambda text: text.encode(),
        lambda tokens: [],
        lambda message: f"\n[error: {message}]".encode(),
    )


# -- requests -----------------------------------------------------------------


def _prompt(body: Any) -> str:
    """The last user text of any provider's request body."""
    if not isinstance(body, dict):
        return ""
    messages = body.get("messages") or (body.get("input") or {}).get("messages") if isinstance(body.get("input"), dict) else body.get("messages")
    if isinstance(body.get("input"), str):
        return body["input"]
    if isinstance(body.get("input"), list):
        messages = body["input"]
    if isinstance(body.get("prompt"), str):
        return body["prompt"]
    if isinstance(body.get("input"), dict) and isinstance(body["input"].get("prompt"), str):
        return body["input"]["prompt"]
    if isinstance(messages, list) and messages:
        last = messages[-1]
        content = last.get("content", "") if isinstance(last, dict) else last
        if isinstance(content, list):  # content parts
            return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        return str(content)
    return ""


@dataclass(frozen=True)
class Pace:
    """How a response is paced, and which failure (if any) to inject."""

    tokens_per_second: float
    ttft: float
    fail: str = ""
    fail_after: int | None = None


class DemoServer(BackgroundServer):
    """The demo endpoint, with a log of what it served."""

    def __init__(self, *, tokens_per_second: float = 40.0, ttft: float = 0.3, port: int = 0) -> None:
        self.tokens_per_second = tokens_per_second
        self.ttft = ttft
        self.requests: list[RequestRecord] = []
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._openai_chat, methods=["POST"]),
                Route("/v1/responses", self._openai_responses, methods=["POST"]),
                Route("/v1/messages", self._anthropic, methods=["POST"]),
                Route("/api/v1/services/aigc/text-generation/generation", self._dashscope, methods=["POST"]),
                Route("/api/chat", self._ollama, methods=["POST"]),
                Route("/api/generate", self._ollama, methods=["POST"]),
                Route("/v1/text", self._text, methods=["GET", "POST"]),
                Route("/v1/raw", self._raw, methods=["GET", "POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        super().__init__(app, port=port)

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (ends in ``/v1``)."""
        return f"{self.url}/v1"

    @property
    def chat_url(self) -> str:
        """The OpenAI chat completions endpoint."""
        return f"{self.url}/v1/chat/completions"

    # -- routes -----------------------------------------------------------------

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "demo", "object": "model", "owned_by": "sse-widget"}]})

    async def _openai_chat(self, request: Request) -> Response:
        body, problem = await self._body(request, "messages")
        if problem:
            return problem
        model = str(body.get("model") or "demo")
        answer = pick_answer(_prompt(body))
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": "chatcmpl-demo",
                    "object": "chat.completion",
                    "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 12, "completion_tokens": len(tokenize(answer))},
                }
            )
        return self._stream(request, answer, _openai_chat(model), {"error": {"message": "Rate limit reached for demo (demo failure).", "type": "requests", "code": "rate_limit_exceeded"}})

    async def _openai_responses(self, request: Request) -> Response:
        body, problem = await self._body(request, "input")
        if problem:
            return problem
        model = str(body.get("model") or "demo")
        return self._stream(request, pick_answer(_prompt(body)), _openai_responses(model), {"error": {"message": "Rate limit reached for demo (demo failure).", "type": "requests", "code": "rate_limit_exceeded"}})

    async def _anthropic(self, request: Request) -> Response:
        body, problem = await self._body(request, "messages")
        if problem:
            return problem
        model = str(body.get("model") or "demo")
        answer = pick_answer(_prompt(body))
        if not body.get("stream"):
            return JSONResponse({"id": "msg_demo", "type": "message", "role": "assistant", "model": model, "content": [{"type": "text", "text": answer}], "usage": {"input_tokens": 12, "output_tokens": len(tokenize(answer))}})
        return self._stream(request, answer, _anthropic(model), {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limit reached for demo (demo failure)."}})

    async def _dashscope(self, request: Request) -> Response:
        body, problem = await self._body(request, "input")
        if problem:
            return problem
        incremental = bool((body.get("parameters") or {}).get("incremental_output"))
        return self._stream(request, pick_answer(_prompt(body)), _dashscope(incremental), {"code": "Throttling.RateQuota", "message": "Requests rate limit exceeded (demo failure).", "request_id": "demo-request"})

    async def _ollama(self, request: Request) -> Response:
        key = "message" if request.url.path.endswith("/chat") else "response"
        body, problem = await self._body(request, "messages" if key == "message" else "prompt")
        if problem:
            return problem
        model = str(body.get("model") or "demo")
        answer = pick_answer(_prompt(body))
        if body.get("stream") is False:
            payload = {"model": model, "done": True, "eval_count": len(tokenize(answer))}
            payload.update({"message": {"role": "assistant", "content": answer}} if key == "message" else {"response": answer})
            return JSONResponse(payload)
        return self._stream(request, answer, _ollama(model, key), {"error": "Rate limit reached for demo (demo failure)."})

    async def _text(self, request: Request) -> Response:
        return self._stream(request, pick_answer(request.query_params.get("prompt", "")), _plain_text(), {"error": "demo failure"})

    async def _raw(self, request: Request) -> Response:
        return self._stream(request, pick_answer(request.query_params.get("prompt", "")), _raw_text(), {"error": "demo failure"})

    # -- streaming ---------------------------------------------------------------

    async def _body(self, request: Request, required: str) -> tuple[dict[str, Any], Response | None]:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}, JSONResponse({"error": {"message": "The request body is not JSON.", "type": "invalid_request_error"}}, 400)
        if not isinstance(body, dict) or required not in body:
            return {}, JSONResponse({"error": {"message": f"'{required}' is required.", "type": "invalid_request_error"}}, 400)
        return body, None

    def _pace(self, request: Request) -> Pace:
        # Query parameters, or a "demo" object in a JSON body (OpenAI clients' extra_body).
        body = getattr(request, "_json", None)
        extra = body.get("demo") if isinstance(body, dict) and isinstance(body.get("demo"), dict) else {}
        query = {**{k: str(v) for k, v in extra.items()}, **request.query_params}
        fail = query.get("fail", "")
        if fail and fail not in FAILURES:
            fail = ""
        after = query.get("fail_after")
        return Pace(
            tokens_per_second=float(query.get("tokens_per_second", self.tokens_per_second)),
            ttft=float(query.get("ttft", self.ttft)),
            fail=fail,
            fail_after=int(after) if after and after.isdigit() else None,
        )

    def _stream(self, request: Request, answer: str, wire: Wire, http_error: dict[str, Any]) -> Response:
        pace = self._pace(request)
        if pace.fail == "http":
            return JSONResponse(http_error, 429)
        record = RequestRecord(path=request.url.path, headers=dict(request.headers), body=getattr(request, "_json", None))
        self.requests.append(record)
        return StreamingResponse(
            self._body_bytes(answer, wire, pace, record),
            media_type=wire.media_type,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def _body_bytes(self, answer: str, wire: Wire, pace: Pace, record: RequestRecord) -> AsyncIterator[bytes]:
        tokens = tokenize(answer)
        fail_at = pace.fail_after if pace.fail_after is not None else len(tokens) // 2
        interval = 1.0 / pace.tokens_per_second if pace.tokens_per_second > 0 else 0.0
        held: list[bytes] = []  # fail=burst: everything is held back, then sent at once

        def out(data: bytes) -> list[bytes]:
            if pace.fail == "burst":
                held.append(data)
                return []
            return [data]

        try:
            loop = asyncio.get_running_loop()
            await asyncio.sleep(pace.ttft)
            for data in wire.start():
                for piece in out(data):
                    yield piece
            next_at = loop.time()
            for index, token in enumerate(tokens):
                if index == fail_at and pace.fail in ("error", "drop", "stall"):
                    if pace.fail == "error":
                        yield wire.error("The demo server failed mid-stream, as asked (fail=error).")
                        record.finished = True
                        return
                    if pace.fail == "drop":
                        raise _Drop
                    await asyncio.Event().wait()  # stall until the client gives up
                for piece in out(wire.token(token)):
                    yield piece
                record.tokens_sent += 1
                next_at += interval
                delay = next_at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif record.tokens_sent % 64 == 0:
                    await asyncio.sleep(0)
            for data in wire.end(len(tokens)):
                for piece in out(data):
                    yield piece
            if held:
                yield b"".join(held)
            record.finished = True
        finally:
            if not record.finished:
                record.disconnected_at = time.monotonic()


def start(*, tokens_per_second: float = 40.0, ttft: float = 0.3, port: int = 0) -> DemoServer:
    """Start the demo endpoint on 127.0.0.1 in the background and return it."""
    server = DemoServer(tokens_per_second=tokens_per_second, ttft=ttft, port=port)
    server.start()
    return server


def main(argv: list[str] | None = None) -> None:
    """Serve the demo endpoint in the foreground until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sse_widget.demo", description="Serve the sse-widget demo endpoint on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tokens-per-second", type=float, default=40.0)
    parser.add_argument("--ttft", type=float, default=0.3, help="seconds before the first token")
    args = parser.parse_args(argv)
    server = DemoServer(tokens_per_second=args.tokens_per_second, ttft=args.ttft, port=args.port)
    print(f"sse-widget demo endpoint on {server.url} (Ctrl+C to stop)")
    print(f"  OpenAI chat      POST {server.chat_url}")
    print(f"  OpenAI responses POST {server.url}/v1/responses")
    print(f"  Anthropic        POST {server.url}/v1/messages")
    print(f"  DashScope        POST {server.url}/api/v1/services/aigc/text-generation/generation")
    print(f"  Ollama           POST {server.url}/api/chat  |  /api/generate")
    print(f"  plain SSE text   GET  {server.url}/v1/text   |  raw text: GET {server.url}/v1/raw")
    server.serve_forever()


if __name__ == "__main__":
    main()
