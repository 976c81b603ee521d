"""The demo's Starlette app: one route per provider, paced answers and injected failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .answers import pick_answer, tokenize
from .pacing import FAILURES, Pace, RequestRecord, paced
from .server import BackgroundServer
from .wire import Wire, anthropic, dashscope, ollama, openai_chat, openai_responses, text

__all__ = ["DemoServer", "start"]

def _text_of(content: Any) -> str:
    """The text of a message's content: a string, or a list of text parts."""
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def _last_message(messages: Any) -> str:
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        return _text_of(messages[-1].get("content"))
    return ""


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
        body, problem = await self._body(request, "messages")
        if problem:
            return problem
        prompt, model = _last_message(body["messages"]), str(body.get("model") or "demo")
        answer, used = self._answer(prompt)
        if not body.get("stream"):
            return JSONResponse(openai_chat.reply(answer, model, used, len(tokenize(answer))))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return self._stream(request, body, answer, openai_chat.wire(model, used, include_usage=include_usage), openai_chat.RATE_LIMIT)

    async def _openai_responses(self, request: Request) -> Response:
        body, problem = await self._body(request, "input")
        if problem:
            return problem
        given = body["input"]
        prompt, model = given if isinstance(given, str) else _last_message(given), str(body.get("model") or "demo")
        answer, used = self._answer(prompt)
        if not body.get("stream"):
            return JSONResponse(openai_responses.reply(answer, model, used, len(tokenize(answer))))
        return self._stream(request, body, answer, openai_responses.wire(model, used), openai_responses.RATE_LIMIT)

    async def _anthropic(self, request: Request) -> Response:
        body, problem = await self._body(request, "messages")
        if problem:
            return problem
        prompt, model = _last_message(body["messages"]), str(body.get("model") or "demo")
        answer, used = self._answer(prompt)
        if not body.get("stream"):
            return JSONResponse(anthropic.reply(answer, model, used, len(tokenize(answer))))
        return self._stream(request, body, answer, anthropic.wire(model, used), anthropic.RATE_LIMIT)

    async def _dashscope(self, request: Request) -> Response:
        body, problem = await self._body(request, "input")
        if problem:
            return problem
        given = body["input"] if isinstance(body["input"], dict) else {}
        prompt = str(given["prompt"]) if "prompt" in given else _last_message(given.get("messages"))
        parameters = body.get("parameters") or {}
        result_format = "message" if parameters.get("result_format") == "message" else "text"
        answer, used = self._answer(prompt)
        if request.headers.get("x-dashscope-sse", "").lower() != "enable":
            return JSONResponse(dashscope.reply(answer, used, len(tokenize(answer)), result_format))
        encoder = dashscope.wire(used, incremental=bool(parameters.get("incremental_output")), result_format=result_format)
        return self._stream(request, body, answer, encoder, dashscope.RATE_LIMIT)

    async def _ollama(self, request: Request) -> Response:
        chat = request.url.path.endswith("/chat")
        body, problem = await self._body(request, "messages" if chat else "prompt")
        if problem:
            return problem
        prompt = _last_message(body["messages"]) if chat else str(body["prompt"])
        model = str(body.get("model") or "demo")
        answer, used = self._answer(prompt)
        if body.get("stream") is False:
            return JSONResponse(ollama.reply(answer, model, used, len(tokenize(answer)), chat=chat))
        return self._stream(request, body, answer, ollama.wire(model, used, chat=chat), ollama.RATE_LIMIT)

    async def _text(self, request: Request) -> Response:
        answer, _ = self._answer(request.query_params.get("prompt", ""))
        marker = request.query_params.get("end_marker", "[DONE]")
        return self._stream(request, None, answer, text.event_stream(marker), text.RATE_LIMIT)

    async def _raw(self, request: Request) -> Response:
        answer, _ = self._answer(request.query_params.get("prompt", ""))
        return self._stream(request, None, answer, text.raw(), text.RATE_LIMIT)

    # -- streaming ---------------------------------------------------------------

    def _answer(self, prompt: str) -> tuple[str, int]:
        """The answer for a prompt, and the prompt's size in tokens."""
        return self.answer(prompt), max(1, len(tokenize(prompt)))

    async def _body(self, request: Request, required: str) -> tuple[dict[str, Any], Response | None]:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}, JSONResponse({"error": {"message": "The request body is not JSON.", "type": "invalid_request_error"}}, 400)
        if not isinstance(body, dict) or required not in body:
            return {}, JSONResponse({"error": {"message": f"'{required}' is required.", "type": "invalid_request_error"}}, 400)
        return body, None

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
