"""The ``%%chat`` cell magic: ``%load_ext sse_widget``, then a cell that starts with ``%%chat``."""

from __future__ import annotations

import argparse
import os
import shlex
from typing import Any

from .chat import chat
from .setup_errors import MagicArgumentsError
from .widget import StreamWidget

__all__ = ["chat_magic", "load_ipython_extension"]

_PARSER = argparse.ArgumentParser(prog="%%chat", add_help=False, exit_on_error=False)
_PARSER.add_argument("--model", "-m", default=None)
_PARSER.add_argument("--base-url", default=None)
_PARSER.add_argument("--system", "-s", default=None)
_PARSER.add_argument("--label", default=None)
_PARSER.add_argument("--temperature", type=float, default=None)


def chat_magic(line: str, cell: str) -> StreamWidget:
    """Stream the cell's text as a prompt: ``%%chat --model NAME [--base-url URL] [--system TEXT]``.

    The model defaults to ``OPENAI_MODEL``; the endpoint and key come from
    ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` as in :func:`sse_widget.chat`.
    """
    try:
        args, unknown = _PARSER.parse_known_args(shlex.split(line))
    except (argparse.ArgumentError, ValueError) as exc:
        raise MagicArgumentsError(f"%%chat: {exc}") from None
    if unknown:
        raise MagicArgumentsError(f"%%chat: unknown options {' '.join(unknown)}; use --model, --base-url, --system, --label, --temperature")
    model = args.model or os.environ.get("OPENAI_MODEL")
    if not model:
        raise MagicArgumentsError("%%chat needs a model: --model NAME, or set OPENAI_MODEL")
    params: dict[str, Any] = {}
    if args.temperature is not None:
        params["temperature"] = args.temperature
    return chat(cell.strip(), model=model, base_url=args.base_url, system=args.system, label=args.label, **params)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%chat`` (called by ``%load_ext sse_widget``)."""
    ipython.register_magic_function(chat_magic, magic_kind="cell", magic_name="chat")
