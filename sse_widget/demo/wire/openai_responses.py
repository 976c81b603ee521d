"""The OpenAI Responses API: typed ``response.*`` events with sequence numbers.

A message is announced (``response.output_item.added`` with ``content: []``,
``response.content_part.added``), streamed (``response.output_text.delta``),
closed (``*.done``) and summed up in ``response.completed`` with its ``output``.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from . import Wire, typed_event
from .openai_chat import RATE_LIMIT  # one error body for every OpenAI endpoint

__all__ = ["RATE_LIMIT", "reply", "wire"]

_RESPONSE_ID = "resp_demo"
_ITEM_ID = "msg_demo"


def _usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _message(text: str | None, status: str) -> dict[str, Any]:
    content = [] if text is None else [_text_part(text)]
    return {"id": _ITEM_ID, "type": "message", "status": status, "role": "assistant", "content": content}


def _response(model: str, created: int, status: str, output: list[Any], usage: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": _RESPONSE_ID,
        "object": "response",
        "created_at": created,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage,
    }


def wire(model: str, input_tokens: int) -> Wire:
    """A streamed answer, as ``responses.create(stream=True)`` and ``responses.stream()`` receive it."""
    created = int(time.time())
    numbers = itertools.count()
    parts: list[str] = []
    where = {"item_id": _ITEM_ID, "output_index": 0, "content_index": 0}

    def event(kind: str, **fields: Any) -> bytes:
        return typed_event(kind, sequence_number=next(numbers), **fields)

    def start() -> list[bytes]:
        pending = _response(model, created, "in_progress", [], None)
        return [
            event("response.created", response=pending),
            event("response.in_progress", response=pending),
            event("response.output_item.added", output_index=0, item=_message(None, "in_progress")),
            event("response.content_part.added", **where, part=_text_part("")),
        ]

    def token(text: str) -> bytes:
        parts.append(text)
        return event("response.output_text.delta", **where, delta=text, logprobs=[])

    def end(tokens: int) -> list[bytes]:
        text = "".join(parts)
        item = _message(text, "completed")
        done = _response(model, created, "completed", [item], _usage(input_tokens, tokens))
        return [
            event("response.output_text.done", **where, text=text, logprobs=[]),
            event("response.content_part.done", **where, part=_text_part(text)),
            event("response.output_item.done", output_index=0, item=item),
            event("response.completed", response=done),
        ]

    return Wire(
        "text/event-stream; charset=utf-8",
        start,
        token,
        end,
        lambda message: event("error", code="server_error", message=message, param=None),
    )


def reply(answer: str, model: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """The whole answer, as ``responses.create()`` receives it."""
    usage = _usage(input_tokens, output_tokens)
    return _response(model, int(time.time()), "completed", [_message(answer, "completed")], usage)
