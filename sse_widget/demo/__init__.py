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

Streaming routes answer as the provider documents: the OpenAI usage chunk only
with ``stream_options.include_usage``, DashScope streams only with the
``X-DashScope-SSE: enable`` header and follows ``parameters.result_format``,
and ``GET /v1/text?end_marker=end`` ends with ``data: end`` instead of ``[DONE]``.

Run ``python -m sse_widget.demo`` to serve it from a terminal.

The server needs the ``demo`` extra (starlette and uvicorn): without it,
:func:`start` says in one line what to install.
"""

from __future__ import annotations

import importlib
import socket
from typing import TYPE_CHECKING, Any

from ..setup_errors import MissingExtraError
from .answers import ANSWERS, pick_answer, tokenize
from .pacing import FAILURES, Pace, RequestRecord
from .wire import Wire

if TYPE_CHECKING:
    from .app import DemoServer
    from .server import BackgroundServer

#: Names that need the server's dependencies, imported when first used.
_SERVER_NAMES = {"DemoServer": ".app", "BackgroundServer": ".server"}

__all__ = [
    "ANSWERS",
    "FAILURES",
    "BackgroundServer",
    "DemoServer",
    "Pace",
    "RequestRecord",
    "Wire",
    "free_port",
    "pick_answer",
    "start",
    "tokenize",
]


def start(*, tokens_per_second: float = 40.0, ttft: float = 0.3, port: int = 0) -> DemoServer:
    """Start the demo endpoint on 127.0.0.1 in the background and return it."""
    return _server_module(".app").start(tokens_per_second=tokens_per_second, ttft=ttft, port=port)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _server_module(name: str) -> Any:
    try:
        return importlib.import_module(name, __name__)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in ("starlette", "uvicorn"):
            raise
        raise MissingExtraError.for_extra("The demo server", "demo", missing) from None


def __getattr__(name: str) -> Any:
    if name in _SERVER_NAMES:
        return getattr(_server_module(_SERVER_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
