"""Stream LLM output token by token into a Jupyter cell.

>>> from sse_widget import stream
>>> stream("http://127.0.0.1:8000/v1/chat/completions",
...        json={"model": "demo", "stream": True, "messages": [...]})  # doctest: +SKIP
"""

from .formats import Delta, FormatError
from .run import RunError, StreamRequest
from .sse import ServerSentEvent, SSEDecoder
from .widget import StreamWidget, stop_all, stream

__all__ = [
    "Delta",
    "FormatError",
    "RunError",
    "ServerSentEvent",
    "SSEDecoder",
    "StreamRequest",
    "StreamWidget",
    "stop_all",
    "stream",
]

__version__ = "0.1.0"
