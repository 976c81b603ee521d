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
"""

from .answers import ANSWERS, pick_answer, tokenize
from .app import DemoServer, start
from .pacing import FAILURES, Pace, RequestRecord
from .server import BackgroundServer, free_port
from .wire import Wire

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
