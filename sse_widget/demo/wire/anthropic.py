"""Anthropic Messages: ``message_start``, content blocks, ``ping``, ``message_delta``, ``message_stop``.

``message_start`` carries the documented placeholder ``output_tokens: 1``; the
real count arrives in ``message_delta``.
"""

from __future__ import annotations

from typing import Any

from . import Wire, typed_event

__all__ = ["RATE_LIMIT", "reply", "wire"]

RATE_LIMIT = {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limit reached for demo (demo failure)."}}
_ID = "msg_demo"


def _message(model: str, content: list[Any], stop_reason: str | None, usage: dict[str, int]) -> dict[str, Any]:
    return {
        "id": _ID,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage,
    }


def wire(model: str, input_tokens: int) -> Wire:
    """A streamed answer, as ``messages.create(stream=True)`` and ``messages.stream()`` receive it."""
    return Wire(
        "text/event-stream; charset=utf-8",
        lambda: [
            typed_event("message_start", message=_message(model, [], None, {"input_tokens": input_tokens, "output_tokens": 1})),
            typed_event("content_block_start", index=0, content_block={"type": "text", "text": ""}),
            typed_event("ping"),
        ],
        lambda text: typed_event("content_block_delta", index=0, delta={"type": "text_delta", "text": text}),
        lambda tokens: [
            typed_event("content_block_stop", index=0),
            typed_event("message_delta", delta={"stop_reason": "end_turn", "stop_sequence": None}, usage={"output_tokens": tokens}),
            typed_event("message_stop"),
        ],
        lambda message: typed_event("error", error={"type": "overloaded_error", "message": message}),
    )


def reply(answer: str, model: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """The whole answer, as ``messages.create()`` receives it."""
    usage = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    return _message(model, [{"type": "text", "text": answer}], "end_turn", usage)
