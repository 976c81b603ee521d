"""Drive a real JupyterLab 4 / Notebook 7 server from Playwright (sync API).

Two halves:

* :class:`JupyterServer` runs ``jupyter lab`` or ``jupyter notebook`` as a
  subprocess on 127.0.0.1 with a throw-away root dir and isolated Jupyter /
  IPython state, so a test run never reads or writes the user's settings.
* Page helpers (:func:`open_notebook`, :func:`run_all_cells`,
  :func:`run_cell_source`, :func:`wait_kernel_idle`, ...) that work in both
  front ends.  They talk to the front end through ``window.jupyterapp`` (the
  server is started with ``expose_app_in_browser``) and fall back to plain
  DOM / keyboard driving when the app object is not exposed.

Never wait on "the cell finished" alone: a cell that floods the output can
lose its idle message.  Tests should wait on the DOM state they care about
(``page.wait_for_selector`` / ``expect(...)``) and use :func:`wait_kernel_idle`
only as a coarse synchronisation point.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import weakref
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "JupyterServer",
    "JupyterServerError",
    "open_notebook",
    "run_all_cells",
    "run_cell_source",
    "wait_kernel_idle",
    "shutdown_page_kernels",
    "kernel_status",
    "notebook_kind",
    "LAB",
    "NOTEBOOK",
]

LAB: Literal["lab"] = "lab"
NOTEBOOK: Literal["notebook"] = "notebook"

_HOST = "127.0.0.1"
#: sse-widget's JupyterLab extension, as building this checkout leaves it
LABEXTENSION_NAME = "sse-widget-saved-answer"
BUILT_LABEXTENSION = Path(__file__).resolve().parents[2] / "sse_widget" / "labextension"

#: Front-end settings written into the isolated config dir.  Keys are
#: ``"<package>:<plugin>"`` as in JupyterLab's settings editor.
DEFAULT_USER_SETTINGS: dict[str, dict[str, Any]] = {
    # no "get notified about official Jupyter news?" toast over the notebook,
    # and no request to the outside world
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # keep every cell attached to the DOM so that locators find cells that
    # are scrolled out of view
    "@jupyterlab/notebook-extension:tracker": {
        "windowingMode": "none",
        # a notebook without kernelspec metadata starts the default kernel
        # instead of asking in a dialog
        "autoStartDefaultKernel": True,
    },
}


# servers still running, stopped at interpreter exit should a test run be
# interrupted before its fixtures' teardown
_RUNNING: weakref.WeakSet[JupyterServer] = weakref.WeakSet()


@atexit.register
def _stop_leftover_servers() -> None:
    for server in list(_RUNNING):
        try:
            server._kill()
        except Exception:
            pass


class JupyterServerError(RuntimeError):
    """The Jupyter server failed to start, answer or stop."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((_HOST, 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """Pids of every live descendant of ``pid`` (Linux ``/proc``; else empty)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_pids(pids: list[int], grace: float = 3.0) -> None:
    """SIGTERM ``pids``, wait up to ``grace`` seconds, SIGKILL what is left."""
    alive = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
            alive.append(pid)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if _pid_alive(p)]
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().decode(errors="replace").rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class JupyterServer:
    """A ``jupyter lab`` / ``jupyter notebook`` (Notebook 7) subprocess.

    >>> with JupyterServer("lab") as server:
    ...     name = server.copy_notebook("demo.ipynb")
    ...     page.goto(server.notebook_url(name))

    ``start()`` blocks until ``GET /api/status`` answers 200 (bounded by
    ``startup_timeout``).  ``stop()`` asks the server to shut down through
    ``POST /api/shutdown``, waits (bounded), then terminates / kills the
    process group.  Everything the server writes (its log, Jupyter and
    IPython state, the notebooks) lives under one temp dir that ``stop()``
    removes unless ``keep_tmp`` is set.
    """

    def __init__(
        self,
        kind: Literal["lab", "notebook"] = LAB,
        *,
        startup_timeout: float = 60.0,
        shutdown_timeout: float = 15.0,
        extra_args: list[str] | tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        keep_tmp: bool = False,
        user_settings: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        if kind not in (LAB, NOTEBOOK):
            raise ValueError(f"kind must be 'lab' or 'notebook', not {kind!r}")
        self.kind = kind
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout
        self.extra_args = list(extra_args)
        self.extra_env = dict(env or {})
        self.keep_tmp = keep_tmp
        self.user_settings = {**DEFAULT_USER_SETTINGS, **(user_settings or {})}
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._tmp: Path | None = None
        self._log_file: Any = None

    # -- paths / urls ---------------------------------------------------------

    @property
    def tmp_dir(self) -> Path:
        if self._tmp is None:
            raise JupyterServerError("server not started")
        return self._tmp

    @property
    def root_dir(self) -> Path:
        """The server's ``root_dir``: notebooks go here."""
        return self.tmp_dir / "root"

    @property
    def log_path(self) -> Path:
        return self.tmp_dir / "server.log"

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash, e.g. ``http://127.0.0.1:8899``."""
        if self.port is None:
            raise JupyterServerError("server not started")
        return f"http://{_HOST}:{self.port}"

    def notebook_url(self, name: str) -> str:
        """URL that opens ``name`` (relative to ``root_dir``) in this front end."""
        quoted = urllib.parse.quote(str(name).replace(os.sep, "/"))
        if self.kind == LAB:
            return f"{self.url}/lab/tree/{quoted}"
        return f"{self.url}/notebooks/{quoted}"

    def copy_notebook(self, src_path: str | os.PathLike[str], name: str | None = None) -> str:
        """Copy a notebook into ``root_dir``; return its name relative to it."""
        src = Path(src_path)
        name = name or src.name
        dest = self.root_dir / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        return name

    def write_notebook(self, name: str, *cells: str) -> str:
        """Write a Python notebook with one code cell per source into ``root_dir``; return ``name``."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        dest = self.root_dir / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
        return name

    def log_tail(self, n_lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except (OSError, JupyterServerError):
            return "<no server log>"
        return "\n".join(text.splitlines()[-n_lines:]) or "<empty server log>"

    # -- lifecycle ------------------------------------------------------------

    def _command(self) -> list[str]:
        module = "jupyterlab" if self.kind == LAB else "notebook"
        app = "LabApp" if self.kind == LAB else "JupyterNotebookApp"
        cmd = [
            sys.executable,
            "-m",
            module,
            "--no-browser",
            f"--ip={_HOST}",
            f"--port={self.port}",
            # fail loudly instead of silently moving to another port
            "--ServerApp.port_retries=0",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root_dir}",
            # window.jupyterapp, used by the page helpers below
            f"--{app}.expose_app_in_browser=True",
            # stay offline: no news feed, no update check
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if _running_as_root():
            cmd.append("--allow-root")
        return cmd + self.extra_args

    def _env(self) -> dict[str, str]:
        tmp = self.tmp_dir
        env = {
            k: v
            for k, v in os.environ.items()
            # a token / hub setting from the outer environment must not leak in
            if not k.startswith(("JUPYTERHUB_", "JPY_")) and k != "JUPYTER_TOKEN"
        }
        env_share = str(Path(sys.prefix) / "share" / "jupyter")
        # this checkout's own front-end extension first, ahead of an installed copy
        jupyter_path = [str(tmp / "checkout"), env_share]
        if os.environ.get("JUPYTER_PATH"):
            jupyter_path.append(os.environ["JUPYTER_PATH"])
        env.update(
            HOME=str(tmp / "home"),
            JUPYTER_CONFIG_DIR=str(tmp / "config"),
            JUPYTER_DATA_DIR=str(tmp / "data"),
            JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
            IPYTHONDIR=str(tmp / "ipython"),
            # the environment's labextensions (anywidget, ipywidgets) and kernels
            JUPYTER_PATH=os.pathsep.join(jupyter_path),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def start(self) -> JupyterServer:
        if self.proc is not None:
            return self
        self._tmp = Path(tempfile.mkdtemp(prefix=f"jupyter-{self.kind}-"))
        for sub in ("root", "home", "config", "data", "runtime", "ipython", "checkout/labextensions"):
            (self._tmp / sub).mkdir(parents=True)
        if BUILT_LABEXTENSION.is_dir():
            (self._tmp / "checkout" / "labextensions" / LABEXTENSION_NAME).symlink_to(BUILT_LABEXTENSION)
        self._write_user_settings()
        last_error: Exception | None = None
        for _attempt in range(3):  # the free port can be raced away
            try:
                self._spawn_and_wait()
                _RUNNING.add(self)
                return self
            except JupyterServerError as exc:
                last_error = exc
                in_use = "already in use" in self.log_tail(200).lower()
                self._kill()
                if not in_use:
                    break
        self._cleanup_tmp(force=True)
        assert last_error is not None
        raise last_error

    def _write_user_settings(self) -> None:
        # Lab and Notebook 7 both read <JUPYTER_CONFIG_DIR>/lab/user-settings
        base = self.tmp_dir / "config" / "lab" / "user-settings"
        for key, values in self.user_settings.items():
            package, _, plugin = key.rpartition(":")
            dest = base / package / f"{plugin}.jupyterlab-settings"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(json.dumps(values, indent=2))

    def _spawn_and_wait(self) -> None:
        self.port = _free_port()
        if self._log_file is not None:
            self._log_file.close()
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in _kill
        self.proc = subprocess.Popen(
            self._command(),
            cwd=self.root_dir,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # own process group: signalled as a whole, never reaching pytest
            start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise JupyterServerError(
                    f"jupyter {self.kind} exited with code {self.proc.returncode} "
                    f"before answering on {self.url}\n--- server log ---\n{self.log_tail()}"
                )
            try:
                status, _ = self.request("GET", "/api/status", timeout=2)
                if status == 200:
                    return
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise JupyterServerError(
                    f"jupyter {self.kind} did not answer GET /api/status on {self.url} "
                    f"within {self.startup_timeout:g}s\n--- server log ---\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        _RUNNING.discard(self)
        if self.proc is None:
            self._cleanup_tmp()
            return
        # the kernels, noted while the server is still their parent
        descendants = _descendants(self.proc.pid)
        if self.proc.poll() is None:
            try:
                self.request("POST", "/api/shutdown", timeout=5)
            except (OSError, urllib.error.URLError):
                pass
            try:
                self.proc.wait(self.shutdown_timeout)
            except subprocess.TimeoutExpired:
                pass
        self._kill()
        _kill_pids(descendants)  # whatever the server did not shut down
        self._cleanup_tmp()

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            # Kernels run in sessions of their own, so the server's process
            # group does not cover them: note every descendant first.
            descendants = _descendants(proc.pid)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if proc.poll() is not None:
                    break
                try:
                    os.killpg(proc.pid, sig)
                except (ProcessLookupError, PermissionError):
                    proc.send_signal(sig)
                try:
                    proc.wait(5.0)
                except subprocess.TimeoutExpired:
                    pass
            try:  # stragglers of the server's own group
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _kill_pids(descendants)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _cleanup_tmp(self, force: bool = False) -> None:
        if self._tmp is not None and (force or not self.keep_tmp):
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> JupyterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self.port is not None else "not started"
        return f"<JupyterServer {self.kind} {where}>"

    # -- REST -----------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, timeout: float = 10
    ) -> tuple[int, Any]:
        """Call the server's REST API; return ``(status, decoded JSON or None)``."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            return exc.code, None
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def shutdown_kernels(self, path: str | None = None) -> int:
        """Shut down kernels (of the sessions on ``path``, or all); return count."""
        killed = 0
        status, sessions = self.request("GET", "/api/sessions")
        if status == 200 and sessions:
            for s in sessions:
                if path is None or s.get("path") == path:
                    self.request("DELETE", f"/api/sessions/{s['id']}")
                    killed += 1
        if path is None:
            status, kernels = self.request("GET", "/api/kernels")
            if status == 200 and kernels:
                for k in kernels:
                    self.request("DELETE", f"/api/kernels/{k['id']}")
                    killed += 1
        return killed


# ---------------------------------------------------------------------------
# Playwright helpers (sync API).  They work in JupyterLab 4 and Notebook 7.
# ---------------------------------------------------------------------------

# Installed into the page on first use.  Finds the notebook panel, and taps
# the kernel connection to count execute requests that still wait for their
# execute_reply.  The reply travels on the shell channel, which is never
# dropped, unlike the IOPub "idle" status a flooded cell can lose.
_JS_HARNESS = r"""
() => {
  if (window.__jupyterHarness) return true;
  const H = {
    path: null,
    taps: new WeakMap(),
    app() { return window.jupyterapp || null; },
    isNotebook(w) {
      return !!(w && w.context && w.sessionContext && w.content &&
                w.content.model && typeof w.content.activeCellIndex === 'number');
    },
    panel() {
      const app = H.app();
      if (!app || !app.shell) return null;
      const main = Array.from(app.shell.widgets('main'));
      if (H.path !== null) {
        const byPath = main.find(w => H.isNotebook(w) && w.context.path === H.path);
        if (byPath) return byPath;
      }
      const cur = app.shell.currentWidget;
      if (H.isNotebook(cur)) return cur;
      return main.find(w => H.isNotebook(w)) || null;
    },
    tap(kernel) {
      let t = H.taps.get(kernel);
      if (t) return t;
      t = { sent: 0, replies: 0, pending: new Set() };
      kernel.anyMessage.connect((_, args) => {
        const msg = args.msg, type = msg.header && msg.header.msg_type;
        if (args.direction === 'send' && type === 'execute_request') {
          t.sent += 1;
          t.pending.add(msg.header.msg_id);
        } else if (args.direction === 'recv' && type === 'execute_reply') {
          t.replies += 1;
          t.pending.delete(msg.parent_header && msg.parent_header.msg_id);
        }
      });
      kernel.statusChanged.connect((_, status) => {
        // a restarted or dead kernel will never answer what was queued
        if (['restarting', 'autorestarting', 'dead'].includes(status)) t.pending.clear();
      });
      H.taps.set(kernel, t);
      return t;
    },
    state() {
      const p = H.panel();
      if (!p) return { app: !!H.app(), panel: false };
      const sc = p.sessionContext;
      const k = sc.session ? sc.session.kernel : null;
      const t = k ? H.tap(k) : null;
      return {
        app: true, panel: true, path: p.context.path,
        contextReady: p.context.isReady, sessionReady: sc.isReady,
        kernel: !!k, status: k ? k.status : null,
        connection: k ? k.connectionStatus : null,
        sent: t ? t.sent : 0, replies: t ? t.replies : 0,
        pending: t ? t.pending.size : 0,
        cells: p.content.widgets.length,
      };
    },
    codeCellsToRun() {
      const p = H.panel();
      return p.content.widgets.filter(
        c => c.model.type === 'code' && c.model.sharedModel.getSource().trim() !== ''
      ).length;
    },
    execute(command) {
      const app = H.app();
      if (!app.commands.hasCommand(command)) throw new Error('no command ' + command);
      // Do not await: the promise only settles when the cells finish, and a
      // flooded cell may never look finished.
      app.commands.execute(command).catch(e => { H.lastError = String(e); });
    },
  };
  window.__jupyterHarness = H;
  return true;
}
"""

_MS = 1000.0

# page -> [(server, notebook name)] opened by open_notebook, for clean-up
_OPENED: weakref.WeakKeyDictionary[Any, list[tuple[Any, str]]] = weakref.WeakKeyDictionary()


def _ensure_js(page: Any) -> None:
    page.evaluate(_JS_HARNESS)


def _has_app(page: Any) -> bool:
    return bool(page.evaluate("() => !!(window.jupyterapp && window.jupyterapp.shell)"))


def _state(page: Any) -> dict[str, Any]:
    _ensure_js(page)
    return page.evaluate("() => window.__jupyterHarness.state()")


def notebook_kind(page: Any) -> Literal["lab", "notebook"]:
    """Which front end ``page`` shows: ``"lab"`` or ``"notebook"``."""
    path = urllib.parse.urlparse(page.url).path
    return LAB if "/lab" in path.split("/notebooks/")[0] else NOTEBOOK


def _visible_panel(page: Any) -> Any:
    """Locator of the notebook panel on screen (Lab keeps hidden tabs in the DOM)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first


def open_notebook(page: Any, server: Any, name: str, *, timeout: float = 60.0) -> None:
    """Open ``name`` from ``server`` and wait until its kernel is connected and idle.

    ``server`` is a :class:`JupyterServer` (or anything with ``notebook_url``;
    ``shutdown_kernels`` is used when present so every open starts a fresh
    kernel rather than reusing one left over from an earlier test).
    In Lab the saved workspace is reset, so tabs of earlier tests do not come
    back and start kernels of their own.
    """
    if hasattr(server, "shutdown_kernels"):
        server.shutdown_kernels(path=name)
        _OPENED.setdefault(page, []).append((server, name))
    url = server.notebook_url(name)
    if getattr(server, "kind", None) == LAB or "/lab/" in url:
        url += "?reset"
    deadline = time.monotonic() + timeout
    page.goto(url, wait_until="domcontentloaded", timeout=timeout * _MS)
    # The notebook widget shows up in both front ends once the app started.
    _visible_panel(page).locator(".jp-Notebook").wait_for(
        state="attached", timeout=max(1.0, deadline - time.monotonic()) * _MS
    )
    if _has_app(page):
        _ensure_js(page)
        page.evaluate("(p) => { window.__jupyterHarness.path = p; }", name)
        _wait_notebook_ready(page, name, deadline, timeout)
    else:
        _wait_indicator_idle(page, max(1.0, deadline - time.monotonic()))


def _accept_kernel_dialog(page: Any) -> bool:
    """Accept a "Select Kernel" dialog (a notebook without kernelspec metadata)."""
    dialog = page.locator(".jp-Dialog", has=page.locator(".jp-Dialog-body select"))
    if dialog.count() == 0:
        return False
    try:
        dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click(timeout=2_000)
    except Exception:  # it went away by itself; the next poll looks again
        return False
    return True


def _wait_notebook_ready(page: Any, name: str, deadline: float, timeout: float) -> None:
    state: dict[str, Any] = {}
    while True:
        state = _state(page)
        if (
            state.get("panel")
            and state.get("path") == name
            and state.get("contextReady")
            and state.get("sessionReady")
            and state.get("kernel")
            and state.get("connection") == "connected"
            and state.get("status") == "idle"
        ):
            return
        if not state.get("kernel"):
            _accept_kernel_dialog(page)
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"notebook {name!r} not ready (kernel connected and idle) "
                f"after {timeout:g}s: {state}"
            )
        page.wait_for_timeout(100)


def shutdown_page_kernels(page: Any) -> None:
    """Shut down the kernels of the notebooks :func:`open_notebook` opened in ``page``.

    Call it after closing the page, so kernels do not pile up on a server
    shared by many tests.
    """
    for server, name in _OPENED.pop(page, []):
        try:
            server.shutdown_kernels(path=name)
        except (OSError, urllib.error.URLError):
            pass  # the server is gone already


_JS_DOM_STATE = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return { panel: false };
  const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const name = panel.querySelector('.jp-Toolbar-kernelName');
  return {
    panel: true,
    status: ind ? ind.getAttribute('data-status') : null,
    kernelName: name ? name.textContent.trim() : null,
  };
}
"""


def _wait_indicator_idle(page: Any, timeout: float) -> None:
    """DOM-only idle wait: the toolbar's execution indicator and kernel name.

    The indicator also says "idle" while there is no kernel yet ("No
    Kernel"), so the kernel name must be a real one too.
    """
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {}
    while True:
        state = page.evaluate(_JS_DOM_STATE)
        if (
            state.get("panel")
            and state.get("status") == "idle"
            and state.get("kernelName") not in (None, "", "No Kernel")
        ):
            return
        if state.get("kernelName") in (None, "", "No Kernel"):
            _accept_kernel_dialog(page)
        if time.monotonic() > deadline:
            raise TimeoutError(f"kernel not idle after {timeout:g}s: {state}")
        page.wait_for_timeout(100)


def kernel_status(page: Any) -> str | None:
    """The kernel status the front end shows (``"idle"``, ``"busy"``, ...)."""
    if _has_app(page):
        return _state(page).get("status")
    return page.evaluate(_JS_DOM_STATE).get("status")


def wait_kernel_idle(page: Any, timeout: float = 60.0, *, probe_after: float = 2.0) -> None:
    """Wait until no execute request waits for its reply and the kernel is idle.

    A cell that floods IOPub can lose its "idle" status message, leaving the
    front end showing "busy" for good.  Once every execute_reply is in and
    the status still is not idle after ``probe_after`` seconds, an empty
    silent execute request is sent: its own busy/idle pair refreshes the
    status.  (The status of a kernel_info request would not do: the front
    end ignores status messages of such "untracked" requests.)
    """
    deadline = time.monotonic() + timeout
    if not _has_app(page):
        _wait_indicator_idle(page, timeout)
        return
    quiet_since: float | None = None
    last_probe = 0.0
    state: dict[str, Any] = {}
    while True:
        state = _state(page)
        now = time.monotonic()
        if state.get("panel") and state.get("kernel"):
            if state["pending"] == 0 and state["status"] == "idle":
                return
            if state["status"] == "dead":
                raise RuntimeError(f"the kernel died: {state}")
            if state["pending"] == 0:
                quiet_since = quiet_since or now
                if now - quiet_since > probe_after and now - last_probe > probe_after:
                    last_probe = now
                    page.evaluate(
                        """() => {
                            const p = window.__jupyterHarness.panel();
                            const s = p && p.sessionContext.session;
                            const k = s && s.kernel;
                            if (k) k.requestExecute(
                              { code: '', silent: true, store_history: false },
                              true,
                            ).done.catch(() => {});
                        }"""
                    )
            else:
                quiet_since = None
        if now > deadline:
            raise TimeoutError(f"kernel not idle after {timeout:.0f}s: {state}")
        page.wait_for_timeout(100)


def _wait_sent(page: Any, before: int, expected: int, timeout: float) -> None:
    """Wait until ``expected`` more execute requests left the page."""
    if expected <= 0:
        return
    page.wait_for_function(
        "([b, n]) => window.__jupyterHarness.state().sent >= b + n",
        arg=[before, expected],
        timeout=timeout * _MS,
        polling=50,
    )


def run_all_cells(page: Any, *, timeout: float = 30.0) -> None:
    """Run every cell of the open notebook ("Run" → "Run All Cells").

    Returns once the execute requests are on their way to the kernel, not
    when the cells finished: wait on the DOM state you expect, or call
    :func:`wait_kernel_idle`.
    """
    if _has_app(page):
        before = _state(page)["sent"]
        expected = page.evaluate("() => window.__jupyterHarness.codeCellsToRun()")
        page.evaluate("() => window.__jupyterHarness.execute('notebook:run-all-cells')")
        _wait_sent(page, before, expected, timeout)
        return
    _click_menu(page, "Run", "runmenu:run-all", timeout)


def _click_menu(page: Any, menu: str, command: str, timeout: float) -> None:
    """Click main menu ``menu``, then its item bound to ``command``."""
    label = re.compile(rf"^\s*{re.escape(menu)}\s*$")
    page.locator(".lm-MenuBar-item", has_text=label).first.click(timeout=timeout * _MS)
    page.locator(f'.lm-MenuBar-menu .lm-Menu-item[data-command="{command}"]').first.click(
        timeout=timeout * _MS
    )


def run_cell_source(page: Any, code: str, *, timeout: float = 30.0) -> Any:
    """Append a code cell holding ``code`` at the end of the notebook and run it.

    The source goes into the cell model as is (no typing, so no
    auto-indent or auto-closed brackets).  Returns a Locator of the new
    cell; wait on its output, e.g.
    ``expect(cell.locator(".jp-OutputArea-output")).to_contain_text("42")``.
    """
    if _has_app(page):
        before = _state(page)["sent"]
        token = uuid.uuid4().hex
        page.evaluate(
            """([code, token]) => {
                const H = window.__jupyterHarness;
                const p = H.panel();
                const nb = p.content;
                const index = nb.model.sharedModel.cells.length;
                nb.model.sharedModel.insertCell(index, { cell_type: 'code', source: code });
                const cell = nb.widgets[index];
                cell.node.dataset.harnessCell = token;
                nb.mode = 'command';
                nb.activeCellIndex = index;
                nb.deselectAll();
                H.execute('notebook:run-cell');
            }""",
            [code, token],
        )
        _wait_sent(page, before, 1 if code.strip() else 0, timeout)
        return page.locator(f'[data-harness-cell="{token}"]')
    return _run_cell_source_dom(page, code, timeout)


def _run_cell_source_dom(page: Any, code: str, timeout: float) -> Any:
    """Keyboard-only variant for a front end that does not expose its app."""
    panel = _visible_panel(page)
    cells = panel.locator(".jp-Notebook .jp-Cell")
    count = cells.count()
    if count:
        cells.nth(count - 1).locator(".jp-InputPrompt").click(timeout=timeout * _MS)
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # new cell below, command mode
    new_cell = cells.nth(count)
    new_cell.wait_for(timeout=timeout * _MS)
    new_cell.locator(".cm-content").click(timeout=timeout * _MS)
    # insertText is one input event: CodeMirror neither re-indents the
    # lines nor auto-closes brackets for it, unlike key-by-key typing.
    page.keyboard.insert_text(code)
    page.keyboard.press("Control+Enter")
    return new_cell


# For the servers of the other hosts (tests/browser/hosts.py).
free_port = _free_port
process_descendants = _descendants
kill_pids = _kill_pids
