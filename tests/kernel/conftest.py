"""The kernel the kernel-level tests drive: a real ipykernel per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kernel.frontend import KernelFrontend, running_kernel


@pytest.fixture(scope="module")
def kernel() -> Iterator[KernelFrontend]:
    """A fresh ipykernel, with the widget API imported, shared by one test module."""
    with running_kernel() as frontend:
        frontend.execute("from sse_widget import StreamWidget, stop_all, stream")
        yield frontend
