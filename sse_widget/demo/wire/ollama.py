"""Ollama's native API: NDJSON lines for ``/api/chat`` (``message``) and ``/api/generate`` (``response``).

The last line has ``done: true``, a ``done_reason`` and the counts and durations.
"""

from __future__ import annotations

import json
from typing import Any

from . import Wire

__all__ = ["RATE_LIMIT", "reply", "wire"]

RATE_LIMIT = {"error": "Rate limit reached for demo (demo failure)."}
_CREATED_AT = "2025-01-01T00:00:00Z"


def _content(chat: bool, text: str) -> dict[str, Any]:
    return {"message": {"role": "assistant", "content": text}} if chat else {"response": text}


def _final(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "done": True,
        "done_reason": "stop",
        "total_duration": 0,
        "load_duration": 0,
        "prompt_eval_count": input_tokens,
        "prompt_eval_duration": 0,
        "eval_count": output_tokens,
        "eval_duration": 0,
    }


def _line(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode() + b"\n"


def wire(model: str, input_tokens: int, *, chat: bool) -> Wire:
    """A streamed answer, as ``Client.chat(stream=True)`` / ``Client.generate(stream=True)`` receive it."""
    head = {"model": model, "created_at": _CREATED_AT}
    return Wire(
        "application/x-ndjson",
        lambda: [],
        lambda text: _line({**head, **_content(chat, text), "done": False}),
        lambda tokens: [_line({**head, **_content(chat, ""), **_final(input_tokens, tokens)})],
        lambda message: _line({"error": message}),
    )


def reply(answer: str, model: str, input_tokens: int, output_tokens: int, *, chat: bool) -> dict[str, Any]:
    """The whole answer, as a request with ``"stream": false`` receives it."""
    return {"model": model, "created_at": _CREATED_AT, **_content(chat, answer), **_final(input_tokens, output_tokens)}
