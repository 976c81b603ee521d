"""One line per failure that says what happened and what to check next.

Connection failures are told apart by what httpx's error was caused by (a
refused connection, a host name that does not resolve, a TLS failure); an error
status gets the provider's own explanation followed by advice for its code
(401 the key, 404 the URL path, 429 when to retry, 5xx the server).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["connection_failure", "exception_chain", "status_advice"]


def connection_failure(exc: httpx.HTTPError, url: str, timeout: httpx.Timeout) -> str:
    """One line for a failed connection or read: what happened, then what to check."""
    parsed = httpx.URL(url)
    host = parsed.netloc.decode()
    causes = list(_causes(exc))
    if isinstance(exc, httpx.ConnectTimeout):
        return f"No answer from {host} within {_seconds(timeout.connect)} — is the host reachable (firewall, VPN, proxy)?"
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return f"Connection refused by {host} — is the server running and the port right?"
        if any(isinstance(c, socket.gaierror) for c in causes):
            return f"Cannot resolve the host name {parsed.host!r} — check the URL's host (and the network)."
        tls = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
        if tls is not None:
            return _tls_failure(tls, host)
        return f"Could not connect to {host}: {exc or 'connection failed'} — check the URL and that the server is up."
    if isinstance(exc, httpx.ReadTimeout):
        return (
            f"The stream stalled: no data for {_seconds(timeout.read)} (the read timeout) — "
            "the server may be overloaded: Retry, or pass a longer timeout=."
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"The server dropped the connection mid-stream ({exc}) — Retry; if it recurs, check the server's logs."
    if isinstance(exc, httpx.ReadError):
        return (
            f"The connection to {host} broke mid-stream ({exc or type(exc).__name__}) — "
            "Retry; if it recurs, check the network and any proxy's time limits."
        )
    if isinstance(exc, httpx.TimeoutException):
        return f"Timed out talking to {host} ({type(exc).__name__}) — Retry, or pass a longer timeout=."
    return f"{type(exc).__name__}: {exc} — check the URL and that the server is up."


def status_advice(status: int, headers: httpx.Headers, url: str, now: float | None = None) -> str:
    """What to check after an error status, as the end of its one line ("" when there is nothing to add)."""
    path = httpx.URL(url).path
    if status == 401:
        return "check the API key (api_key=, the Authorization header, or its environment variable)"
    if status == 403:
        return "the key is not allowed to do this: check its permissions, the model name and the project"
    if status == 404:
        return f"check the URL path {path} (and the model name)"
    if status == 405:
        return f"{path} does not take this method: check method= and the URL path"
    if status in (400, 422):
        return "check the request body (model name, parameters)"
    if status == 429:
        return f"retry {_retry_after(headers.get('retry-after'), now)}, or check the account's rate limits and quota"
    if status >= 500:
        return "the server failed, not the request: Retry in a moment; if it persists, check the provider's status"
    return ""


def exception_chain(exc: BaseException) -> str:
    """An exception and what caused it, one line each: the detail of an expected failure (no traceback)."""
    return "\n".join(f"{type(c).__module__}.{type(c).__qualname__}: {c}" for c in _causes(exc))


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _tls_failure(error: ssl.SSLError, host: str) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"The certificate of {host} could not be verified ({error.verify_message or error.reason}) — "
            "check the host name, or give client=httpx.AsyncClient(verify=...) the CA that signed it."
        )
    reason = error.reason or str(error)
    return f"TLS with {host} failed ({reason}) — does it speak https? Check http:// versus https:// and the port."


def _retry_after(value: str | None, now: float | None) -> str:
    """ "in 20 s", "after 14:05:00 UTC" or "in a moment", from a Retry-After header."""
    if not value:
        return "in a moment"
    value = value.strip()
    if value.isdigit():
        return f"in {int(value)} s"
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return "in a moment"
    wait = when.timestamp() - (time.time() if now is None else now)
    if 0 <= wait < 3600:
        return f"in {round(wait)} s"
    return f"after {when:%H:%M:%S} UTC"


def _seconds(value: float | None) -> str:
    return "the timeout" if value is None else f"{value:g} s"
