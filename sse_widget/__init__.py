"""Stream LLM output token by token into a Jupyter cell.

>>> from sse_widget import stream
>>> stream("http://127.0.0.1:8000/v1/chat/completions",
...        json={"model": "demo", "stream": True, "messages": [...]})  # doctest: +SKIP
"""

from .chat import ChatWidget, chat
from .compare import CompareWidget, compare
from .errors import RunError
from .formats import Delta, FormatError
from .magic import load_ipython_extension
from .sse import ServerSentEvent, SSEDecoder
from .transport import StreamRequest
from .widget import StreamWidget, replay, stop_all, stream

__all__ = [
    "ChatWidget",
    "CompareWidget",
    "Delta",
    "FormatError",
    "RunError",
    "ServerSentEvent",
    "SSEDecoder",
    "StreamRequest",
    "StreamWidget",
    "chat",
    "compare",
    "load_ipython_extension",
    "replay",
    "stop_all",
    "stream",
]

__version__ = "0.1.0"
