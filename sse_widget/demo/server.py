"""Serve any ASGI app with uvicorn on 127.0.0.1 in a background thread."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.types import ASGIApp

from . import free_port

__all__ = ["BackgroundServer"]


class BackgroundServer:
    """Serves an ASGI app with uvicorn on 127.0.0.1 in a background thread.

    >>> with BackgroundServer(app) as server:      # doctest: +SKIP
    ...     httpx.get(server.url + "/")
    """

    def __init__(self, app: ASGIApp, *, port: int = 0, host: str = "127.0.0.1", log_level: str = "warning") -> None:
        self.app = app
        self.host = host
        self.port = port or free_port(host)
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=self.port,
                log_level=log_level,
                lifespan="off",
                interface="asgi3",
                timeout_graceful_shutdown=1,
            )
        )
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.run, name=f"sse-widget server :{self.port}", daemon=True)

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving; returns once the port accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The server on {self.url} did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait (bounded) for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the command line uses this)."""
        self._server.run()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"
