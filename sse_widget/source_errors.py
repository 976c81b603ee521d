"""A Python stream's failure as a run error: one line saying what happened and what to check.

The SDKs' errors are read by shape, not by class, so neither SDK (nor the httpx
fork recent ones use) is imported:
an error with an integer ``status_code`` and a ``response`` is an HTTP error
status; one whose name says connection or timeout could not reach the server;
one with a ``body`` the stream reported. Anything else a source raises (an
exception from a generator) is a :class:`~sse_widget.errors.SourceError`.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping

from .errors import HTTPStatusError, NetworkError, RunError, ServerReportedError, SourceError
from .formats import error_message

__all__ = ["describe_source_error"]

_TEXT_LIMIT = 300


def describe_source_error(exc: BaseException) -> RunError:
    """The run error for ``exc``, raised by a source (its traceback is the detail)."""
    detail = "".join(traceback.format_exception(exc))
    library = type(exc).__module__.split(".")[0]
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and getattr(exc, "response", None) is not None:
        reason = getattr(exc.response, "reason_phrase", "") or ""  # type: ignore[attr-defined]
        head = f"HTTP {status}{' ' + reason if reason else ''}"
        return HTTPStatusError(f"{head}: {_short(_sdk_message(exc))} ({library} {name})", status)
    if "Timeout" in name or _is_a(exc, "TimeoutException"):
        return NetworkError(f"Timed out talking to {_where(exc)} ({library} {name}): {_short(_cause(exc))}")
    if "Connection" in name or _is_a(exc, "TransportError"):
        return NetworkError(f"Could not reach {_where(exc)} ({library} {name}): {_short(_cause(exc))}")
    if library in ("openai", "anthropic") and hasattr(exc, "body"):
        return ServerReportedError(f"The server reported an error: {_short(_sdk_message(exc))} ({library} {name})")
    return SourceError(f"The stream's source raised {name}: {_short(str(exc)) or 'no message'}", detail)


def _is_a(exc: BaseException, class_name: str) -> bool:
    """Whether ``exc`` is an httpx error of that class, from httpx or from a fork the SDKs use (httpx2)."""
    return any(cls.__name__ == class_name and cls.__module__.startswith("httpx") for cls in type(exc).__mro__)


def _sdk_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping) and body:
        return error_message(body.get("error", body))
    return str(getattr(exc, "message", "") or exc)


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = f"{type(cause).__name__}: {cause}" if cause is not None and str(cause) else ""
    return text or str(exc) or type(exc).__name__


def _where(exc: BaseException) -> str:
    try:
        request = getattr(exc, "request", None)
    except RuntimeError:
        request = None
    if request is not None and hasattr(request, "url"):
        return f"{request.url.scheme}://{request.url.netloc.decode()}"
    return "the server"


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _TEXT_LIMIT else line[: _TEXT_LIMIT - 3] + "..."
