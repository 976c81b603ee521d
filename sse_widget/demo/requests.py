"""Reading a provider's request: its JSON body, the model it names and its prompt."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["last_message", "model_of", "read_body", "text_of"]


def text_of(content: Any) -> str:
    """The text of a message's content: a string, or a list of text parts."""
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def model_of(body: dict[str, Any]) -> str:
    """The model a request names (``demo`` if none)."""
    return str(body.get("model") or "demo")


def last_message(messages: Any) -> str:
    """The text of the last message of a chat request."""
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        return text_of(messages[-1].get("content"))
    return ""


async def read_body(request: Request, required: str) -> tuple[dict[str, Any], Response | None]:
    """The JSON object of a request, or the 400 response saying what is missing."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}, JSONResponse({"error": {"message": "The request body is not JSON.", "type": "invalid_request_error"}}, 400)
    if not isinstance(body, dict) or required not in body:
        return {}, JSONResponse({"error": {"message": f"'{required}' is required.", "type": "invalid_request_error"}}, 400)
    return body, None
