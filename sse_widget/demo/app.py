"""The demo's Starlette app: one route per provider, paced answers and injected failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .answers import pick_answer, tokenize
from .pacing import FAILURES, Pace, RequestRecord, paced
from .requests import last_message, model_of, read_body
from .server import BackgroundServer
from .wire import Wire, anthropic, dashscope, ollama, openai_chat, openai_responses, text

__all__ = ["DemoServer", "start"]

class DemoServer(BackgroundServer):
    """The demo endpoint, with a log of what it served.

    ``answer`` maps a prompt to the text to stream (by default one of the canned answers).
    """

    def __init__(
        self,
        *,
        tokens_per_second: float = 40.0,
        ttft: float = 0.3,
        port: int = 0,
        answer: Callable[[str], str] = pick_answer,
    ) -> None:
        self.tokens_per_second = tokens_per_second
        self.ttft = ttft
        self.answer = answer
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
        body, problem = await read_body(request, "messages")
        if problem:
            return problem
        model = model_of(body)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return self._serve(
            request,
            body,
            last_message(body["messages"]),
            streamed=bool(body.get("stream")),
            reply=lambda answer, used, out: openai_chat.reply(answer, model, used, out),
            wire=lambda used: openai_chat.wire(model, used, include_usage=include_usage),
            rate_limit=openai_chat.RATE_LIMIT,
        )

    async def _openai_responses(self, request: Request) -> Response:
        body, problem = await read_body(request, "input")
        if problem:
            return problem
        given, model = body["input"], model_of(body)
        return self._serve(
            request,
            body,
            given if isinstance(given, str) else last_message(given),
            streamed=bool(body.get("stream")),
            reply=lambda answer, used, out: openai_responses.reply(answer, model, used, out),
            wire=lambda used: openai_responses.wire(model, used),
            rate_limit=openai_responses.RATE_LIMIT,
        )

    async def _anthropic(self, request: Request) -> Response:
        body, problem = await read_body(request, "messages")
        if problem:
            return problem
        model = model_of(body)
        return self._serve(
            request,
            body,
            last_message(body["messages"]),
            streamed=bool(body.get("stream")),
            reply=lambda answer, used, out: anthropic.reply(answer, model, used, out),
            wire=lambda used: anthropic.wire(model, used),
            rate_limit=anthropic.RATE_LIMIT,
        )

    async def _dashscope(self, request: Request) -> Response:
        body, problem = await read_body(request, "input")
        if problem:
            return problem
        given = body["input"] if isinstance(body["input"], dict) else {}
        parameters = body.get("parameters") or {}
        shape = "message" if parameters.get("result_format") == "message" else "text"
        incremental = bool(parameters.get("incremental_output"))
        return self._serve(
            request,
            body,
            str(given["prompt"]) if "prompt" in given else last_message(given.get("messages")),
            streamed=request.headers.get("x-dashscope-sse", "").lower() == "enable",
            reply=lambda answer, used, out: dashscope.reply(answer, used, out, shape),
            wire=lambda used: dashscope.wire(used, incremental=incremental, result_format=shape),
            rate_limit=dashscope.RATE_LIMIT,
        )

    async def _ollama(self, request: Request) -> Response:
        chat = request.url.path.endswith("/chat")
        body, problem = await read_body(request, "messages" if chat else "prompt")
        if problem:
            return problem
        model = model_of(body)
        return self._serve(
            request,
            body,
            last_message(body["messages"]) if chat else str(body["prompt"]),
            streamed=body.get("stream") is not False,
            reply=lambda answer, used, out: ollama.reply(answer, model, used, out, chat=chat),
            wire=lambda used: ollama.wire(model, used, chat=chat),
            rate_limit=ollama.RATE_LIMIT,
        )

    async def _text(self, request: Request) -> Response:
        answer, _ = self._answer(request.query_params.get("prompt", ""))
        marker = request.query_params.get("end_marker", "[DONE]")
        return self._stream(request, None, answer, text.event_stream(marker), text.RATE_LIMIT)

    async def _raw(self, request: Request) -> Response:
        answer, _ = self._answer(request.query_params.get("prompt", ""))
        return self._stream(request, None, answer, text.raw(), text.RATE_LIMIT)

    # -- streaming ---------------------------------------------------------------

    def _serve(
        self,
        request: Request,
        body: dict[str, Any],
        prompt: str,
        *,
        streamed: bool,
        reply: Callable[[str, int, int], dict[str, Any]],
        wire: Callable[[int], Wire],
        rate_limit: dict[str, Any],
    ) -> Response:
        """The answer for ``prompt``: streamed through ``wire``, or whole as ``reply`` (answer, input and output tokens)."""
        answer, used = self._answer(prompt)
        if not streamed:
            return JSONResponse(reply(answer, used, len(tokenize(answer))))
        return self._stream(request, body, answer, wire(used), rate_limit)

    def _answer(self, prompt: str) -> tuple[str, int]:
        """The answer for a prompt, and the prompt's size in tokens."""
        return self.answer(prompt), max(1, len(tokenize(prompt)))

    def _pace(self, request: Request, body: Any) -> Pace:
        # Query parameters, or a "demo" object in a JSON body (OpenAI clients' extra_body).
        extra = body.get("demo") if isinstance(body, dict) and isinstance(body.get("demo"), dict) else {}
        query = {**{k: str(v) for k, v in extra.items()}, **request.query_params}
        fail = query.get("fail", "")
        after = query.get("fail_after")
        return Pace(
            tokens_per_second=float(query.get("tokens_per_second", self.tokens_per_second)),
            ttft=float(query.get("ttft", self.ttft)),
            fail=fail if fail in FAILURES else "",
            fail_after=int(after) if after and after.isdigit() else None,
        )

    def _stream(self, request: Request, body: Any, answer: str, wire: Wire, http_error: dict[str, Any]) -> Response:
        pace = self._pace(request, body)
        if pace.fail == "http":
            return JSONResponse(http_error, 429)
        record = RequestRecord(path=request.url.path, headers=dict(request.headers), body=body)
        self.requests.append(record)
        return StreamingResponse(
            paced(answer, wire, pace, record),
            media_type=wire.media_type,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


def start(*, tokens_per_second: float = 40.0, ttft: float = 0.3, port: int = 0) -> DemoServer:
    """Start the demo endpoint on 127.0.0.1 in the background and return it."""
    server = DemoServer(tokens_per_second=tokens_per_second, ttft=ttft, port=port)
    server.start()
    return server
