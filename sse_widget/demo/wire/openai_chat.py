"""OpenAI chat completions: ``chat.completion.chunk`` events ending in ``data: [DONE]``.

The usage chunk (``choices: []``) is sent only when the request asked for it
with ``stream_options.include_usage``; then every other chunk has ``usage: null``.
"""

from __future__ import annotations

import time
from typing import Any

from . import Wire, sse

__all__ = ["RATE_LIMIT", "reply", "wire"]

RATE_LIMIT = {
    "error": {
        "message": "Rate limit reached for demo (demo failure).",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
}
_ID = "chatcmpl-demo"


def _usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    return {"prompt_tokens": input_tokens, "completion_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}


def wire(model: str, input_tokens: int, *, include_usage: bool = False) -> Wire:
    """A streamed answer, as ``chat.completions.create(stream=True)`` receives it."""
    created = int(time.time())
    extra: dict[str, Any] = {"usage": None} if include_usage else {}

    def chunk(choices: list[dict[str, Any]], **fields: Any) -> bytes:
        head = {"id": _ID, "object": "chat.completion.chunk", "created": created, "model": model}
        return sse({**head, "system_fingerprint": None, "choices": choices, **extra, **fields})

    def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

    def end(tokens: int) -> list[bytes]:
        last = [chunk([choice({}, "stop")])]
        if include_usage:
            last.append(chunk([], usage=_usage(input_tokens, tokens)))
        return [*last, b"data: [DONE]\n\n"]

    return Wire(
        "text/event-stream; charset=utf-8",
        lambda: [chunk([choice({"role": "assistant", "content": "", "refusal": None})])],
        lambda text: chunk([choice({"content": text})]),
        end,
        lambda message: sse({"error": {"message": message, "type": "server_error", "param": None, "code": None}}),
    )


def reply(answer: str, model: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """The whole answer, as ``chat.completions.create()`` receives it."""
    message = {"role": "assistant", "content": answer, "refusal": None}
    return {
        "id": _ID,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": _usage(input_tokens, output_tokens),
    }
