"""Servers of the hosts other than JupyterLab and Notebook 7: Voilà and marimo.

Each runs as a subprocess on 127.0.0.1 with its own throw-away HOME and
Jupyter / IPython state, is ready when its ``ready_path`` answers, and is
stopped with its whole process tree (kernels included).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.browser.harness import free_port, kill_pids, process_descendants

__all__ = ["HostServer", "voila", "marimo"]

HOST = "127.0.0.1"


class HostServer:
    """One host app serving files from a temporary folder."""

    def __init__(self, name: str, args: list[str], ready_path: str, startup_timeout: float = 60.0) -> None:
        self.name = name
        self.args = args
        self.ready_path = ready_path
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix=f"host-{name}-"))
        self.root = self.tmp / "root"
        self.root.mkdir()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text)
        return path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join((self.tmp / "server.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"

    def start(self) -> HostServer:
        env = dict(os.environ)
        for sub in ("home", "config", "data", "runtime", "ipython"):
            (self.tmp / sub).mkdir(exist_ok=True)
        env.update(
            HOME=str(self.tmp / "home"),
            JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
            JUPYTER_DATA_DIR=str(self.tmp / "data"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            IPYTHONDIR=str(self.tmp / "ipython"),
            JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"),
            PYTHONUNBUFFERED="1",
        )
        args = [a.replace("{port}", str(self.port)).replace("{root}", str(self.root)) for a in self.args]
        with open(self.tmp / "server.log", "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *args], cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.ready_path} in {self.startup_timeout:g} s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            descendants = process_descendants(proc.pid)
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
            except (ProcessLookupError, PermissionError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(5)
            kill_pids(descendants)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> HostServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def voila(*, progressive: bool) -> HostServer:
    """Voilà serving the notebooks of its root folder at ``/voila/render/<name>``."""
    args = [
        "voila", "--no-browser", f"--Voila.ip={HOST}", "--port={port}", "--Voila.port_retries=0",
        "--show_tracebacks=True", f"--progressive_rendering={progressive}", "{root}",
    ]
    return HostServer("voila-progressive" if progressive else "voila", args, "/voila/tree")


def marimo(app: str) -> HostServer:
    """``marimo run`` of one app file (written into the root folder before start)."""
    args = ["marimo", "run", app, "--headless", f"--host={HOST}", "--port={port}", "--no-token"]
    return HostServer("marimo", args, "/health")
