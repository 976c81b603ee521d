"""A page of real JupyterLab in Chromium with one notebook open whose setup cell has run."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.conftest import CHROMIUM_ARGS, VIEWPORT  # noqa: E402
from tests.browser.harness import JupyterServer, open_notebook, run_all_cells  # noqa: E402

#: Jupyter's IOPub rate limit off: a fast stream is what is being measured.
NO_RATE_LIMIT = ["--ZMQChannelsWebsocketConnection.limit_rate=False"]


@contextmanager
def lab_page(name: str, setup: str, extra_args: list[str] | None = None) -> Iterator[Any]:
    """JupyterLab showing notebook ``name`` whose one cell, ``setup``, has printed ``ready``."""
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit(f"{Path(sys.argv[0]).name} needs Debian's chromium on PATH")
    from playwright.sync_api import sync_playwright

    with JupyterServer("lab", extra_args=NO_RATE_LIMIT if extra_args is None else extra_args) as lab:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(setup)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, lab.root_dir / name)
        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(60_000)
            open_notebook(page, lab, name)
            run_all_cells(page)
            page.locator(".jp-OutputArea-output", has_text="ready").wait_for()
            yield page
        finally:
            browser.close()
            pw.stop()
