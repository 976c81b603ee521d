"""DashScope (Qwen) native text generation, streamed when ``X-DashScope-SSE: enable`` is sent.

``parameters.result_format`` picks the shape: ``"message"`` puts the text in
``output.choices[0].message``, ``"text"`` (the default) in ``output.text``.
Without ``parameters.incremental_output`` every event carries the whole text so far.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from . import Wire

__all__ = ["RATE_LIMIT", "reply", "wire"]

RATE_LIMIT = {"code": "Throttling.RateQuota", "message": "Requests rate limit exceeded (demo failure).", "request_id": "demo-request"}
_REQUEST_ID = "demo-request"


def _payload(text: str, finish: str, usage: dict[str, int], result_format: str) -> dict[str, Any]:
    if result_format == "message":
        output: dict[str, Any] = {"choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": finish}]}
    else:
        output = {"text": text, "finish_reason": finish}
    return {"output": output, "usage": usage, "request_id": _REQUEST_ID}


def _usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    return {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}


def wire(input_tokens: int, *, incremental: bool, result_format: str = "text") -> Wire:
    """A streamed answer: ``id:``, ``event:result``, an ``:HTTP_STATUS`` comment, then ``data:``."""
    ids = itertools.count(1)
    sent: list[str] = []

    def frame(data: dict[str, Any], event: str = "result", status: int = 200) -> bytes:
        body = json.dumps(data, ensure_ascii=False)
        return f"id:{next(ids)}\nevent:{event}\n:HTTP_STATUS/{status}\ndata:{body}\n\n".encode()

    def token(text: str) -> bytes:
        sent.append(text)
        shown = text if incremental else "".join(sent)
        return frame(_payload(shown, "null", _usage(input_tokens, len(sent)), result_format))

    def end(tokens: int) -> list[bytes]:
        shown = "" if incremental else "".join(sent)
        return [frame(_payload(shown, "stop", _usage(input_tokens, tokens), result_format))]

    def error(message: str) -> bytes:
        return frame({"code": "InternalError", "message": message, "request_id": _REQUEST_ID}, "error", 500)

    return Wire("text/event-stream;charset=UTF-8", lambda: [], token, end, error)


def reply(answer: str, input_tokens: int, output_tokens: int, result_format: str = "text") -> dict[str, Any]:
    """The whole answer, as a request without ``X-DashScope-SSE`` receives it."""
    return _payload(answer, "stop", _usage(input_tokens, output_tokens), result_format)
