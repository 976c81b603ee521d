"""A setup mistake (no API key, no demo extra) shows as one line in a real kernel, not a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kernel.frontend import CellError, KernelFrontend, running_kernel

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def kernel() -> Iterator[KernelFrontend]:
    with running_kernel() as frontend:
        frontend.execute("import os\nfor k in ('OPENAI_API_KEY', 'OPENAI_BASE_URL'): os.environ.pop(k, None)")
        yield frontend


def error_of(kernel: KernelFrontend, code: str) -> str:
    with pytest.raises(CellError) as caught:
        kernel.execute(code)
    return str(caught.value)


def test_chat_without_a_key_is_one_line(kernel: KernelFrontend) -> None:
    shown = error_of(kernel, "from sse_widget import chat\nchat('Hello', model='gpt-4o-mini')")
    assert shown.startswith("MissingKeyError: No API key for api.openai.com: set OPENAI_API_KEY")
    assert "\n" not in shown and "Traceback" not in shown


def test_chat_magic_without_a_key_is_one_line(kernel: KernelFrontend) -> None:
    kernel.execute("%load_ext sse_widget")
    shown = error_of(kernel, "%%chat --model gpt-4o-mini\nHello")
    assert shown.startswith("MissingKeyError: No API key") and "\n" not in shown


def test_chat_magic_misuse_is_one_line(kernel: KernelFrontend) -> None:
    kernel.execute("%load_ext sse_widget")
    shown = error_of(kernel, "%%chat --model demo --bogus 1\nhi")
    assert "unknown options --bogus 1" in shown and "\n" not in shown.strip() and "Traceback" not in shown


def test_demo_without_its_extra_is_one_line(kernel: KernelFrontend) -> None:
    code = "import sys\nsys.modules['starlette'] = None\nfrom sse_widget import demo\ndemo.start()"
    shown = error_of(kernel, code)
    assert shown == 'MissingExtraError: The demo server needs starlette, which is not installed: pip install "sse-widget[demo]"'
