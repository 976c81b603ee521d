"""Why a run failed: one base class, and one subclass per kind of failure.

A run never raises at the user's code: it ends in the ``error`` state, with the
error's one-line ``message`` and its ``detail`` on the widget. The classes say
what kind of failure it was, for code (and tests) that look at a :class:`Run`::

    RunError                 a run failed; ``message`` is one line saying what to check
    ├── NetworkError         connecting failed, the connection broke, or it timed out
    ├── HTTPStatusError      the server answered with an error status (4xx, 5xx)
    ├── ContentTypeError     the response is not a stream (an HTML page, an image...)
    ├── SourceError          a Python stream source raised (an exception from a generator)
    └── StreamError          the stream itself was not usable
        ├── DecodeError      an event the format could not read, or malformed JSON
        ├── ServerReportedError  the server sent an error inside the stream
        └── RestartedError   a resumed stream started over instead of going on

Parsing errors of the lower layers (:class:`~sse_widget.formats.FormatError`,
:class:`~sse_widget.framing.JSONSequenceError`) are ``ValueError`` s; a run
reports them as a :class:`DecodeError`.
"""

from __future__ import annotations

__all__ = [
    "ContentTypeError",
    "DecodeError",
    "HTTPStatusError",
    "NetworkError",
    "RestartedError",
    "RunError",
    "ServerReportedError",
    "SourceError",
    "StreamError",
]


class RunError(Exception):
    """A run failed for a reason a user can act on: ``message`` is one line, ``detail`` more."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NetworkError(RunError):
    """Connecting failed, the connection broke mid-stream, or it timed out."""


class HTTPStatusError(RunError):
    """The server answered with an error status; ``message`` carries its own explanation."""

    def __init__(self, message: str, status_code: int, detail: str = "") -> None:
        super().__init__(message, detail)
        self.status_code = status_code


class ContentTypeError(RunError):
    """The response's content type is not one of a stream this package reads."""


class SourceError(RunError):
    """A Python stream given instead of a URL raised an exception of its own."""


class StreamError(RunError):
    """The response was a stream, but not a usable one."""


class DecodeError(StreamError):
    """An event the format could not read, or a body that ended in malformed JSON."""


class ServerReportedError(StreamError):
    """The server reported an error inside the stream (often under HTTP 200)."""


class RestartedError(StreamError):
    """A resumed event stream sent events it had sent before: the server started it over."""
