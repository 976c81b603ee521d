"""chat(), ChatWidget, compare() and %%chat in a real kernel, against the demo endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from sse_widget.demo import DemoServer, pick_answer
from tests.kernel.frontend import KernelFrontend, running_kernel

pytestmark = pytest.mark.kernel

KEY = "sk-demo-secret-0123456789"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=500, ttft=0.05) as server:
        yield server


@pytest.fixture(scope="module")
def kernel(demo: DemoServer) -> Iterator[KernelFrontend]:
    with running_kernel() as frontend:
        frontend.execute(
            "import os\n"
            f"os.environ['OPENAI_BASE_URL'] = {demo.base_url!r}\n"
            f"os.environ['OPENAI_API_KEY'] = {KEY!r}\n"
            "from sse_widget import chat, compare, ChatWidget"
        )
        yield frontend


def all_traffic(kernel: KernelFrontend) -> str:
    return json.dumps([v.state for v in kernel.views.values()]) + json.dumps([str(o) for o in kernel.outputs])


def test_chat_reads_the_environment_and_keeps_the_key_out_of_the_front_end(kernel: KernelFrontend, demo: DemoServer) -> None:
    answer = kernel.evaluate("(await chat('How does streaming work?', model='demo-model').wait())")
    assert answer == pick_answer("How does streaming work?")
    record = demo.requests[-1]
    assert record.headers["authorization"] == f"Bearer {KEY}"
    kernel.pump(0.5)
    assert KEY not in all_traffic(kernel)
    assert KEY not in kernel.evaluate("repr(chat.__globals__['Endpoint'].resolve())")


def test_chat_widget_keeps_an_openai_style_history(kernel: KernelFrontend) -> None:
    kernel.execute("conversation = ChatWidget(model='demo', system='Be brief.')")
    kernel.execute("first = conversation.send('Show me some code'); await first.wait()")
    kernel.execute("second = conversation.send('Now something about unicode'); await second.wait()")
    messages = kernel.evaluate("conversation.messages")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant"]
    assert messages[2]["content"] == pick_answer("Show me some code")
    assert messages[4]["content"] == pick_answer("Now something about unicode")
    kernel.execute("third = conversation.retry(); await third.wait()")
    assert kernel.evaluate("conversation.messages") == messages
    kernel.execute("conversation.clear()")
    assert kernel.evaluate("conversation.messages") == [{"role": "system", "content": "Be brief."}]


def test_stopped_answer_counts_with_its_partial_text(kernel: KernelFrontend) -> None:
    kernel.execute("slow = ChatWidget(model='demo', demo={'tokens_per_second': 20})")
    kernel.execute(
        "import asyncio\n"
        "turn = slow.send('How does streaming work?')\n"
        "while len(turn.text) < 20: await asyncio.sleep(0.001)\n"
        "slow.stop(); await turn.wait()"
    )
    messages = kernel.evaluate("slow.messages")
    assert messages[-1]["role"] == "assistant"
    assert 20 <= len(messages[-1]["content"]) < len(pick_answer("How does streaming work?"))


def test_compare_runs_streams_side_by_side_with_one_stop(kernel: KernelFrontend, demo: DemoServer) -> None:
    texts = kernel.evaluate(
        "(await compare({'a': {'model': 'm1', 'prompt': 'Show me some code'}, "
        "'b': {'model': 'm2', 'prompt': 'unicode please'}, "
        f"'raw': {{'url': {demo.url + '/v1/raw'!r}, 'method': 'GET', 'params': {{'prompt': 'stream'}}}}}}).wait())"
    )
    assert texts == [pick_answer("Show me some code"), pick_answer("unicode please"), pick_answer("stream")]
    stopped = kernel.evaluate(
        "(lambda v: (v.stop(), [w.label for w in v.widgets]))(compare([{'model': 'x', 'prompt': 'p', 'tokens_per_second': 1}, {'model': 'y', 'prompt': 'q'}]))"
    )
    assert stopped[1] == ["x", "y"]


def test_chat_cell_magic(kernel: KernelFrontend) -> None:
    kernel.execute("%load_ext sse_widget")
    kernel.execute("%%chat --model demo --system 'Be kind.'\nShow me some code, please.")
    text = kernel.evaluate("(await _.wait()) if hasattr(_, 'wait') else None")
    assert text == pick_answer("Show me some code, please.")
    with pytest.raises(AssertionError, match="unknown options"):
        kernel.execute("%%chat --model demo --bogus 1\nhi")


@pytest.mark.parametrize(
    "cell",
    [
        "chat('hi', model='demo')",
        "compare({'a': {'model': 'm1', 'prompt': 'hi'}, 'b': {'model': 'm2', 'prompt': 'hi'}})",
        "w = chat('hi', model='demo')\nw",
    ],
)
def test_a_helper_shows_its_widget_once_also_as_the_cells_value(kernel: KernelFrontend, cell: str) -> None:
    before = len(kernel.outputs)
    kernel.execute(cell)
    kernel.pump(0.3)
    shown = [
        m
        for m in kernel.outputs[before:]
        if m["msg_type"] in ("display_data", "execute_result")
        and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]
    ]
    assert len(shown) == 1, [m["msg_type"] for m in kernel.outputs[before:]]
    assert not any(m["msg_type"] == "execute_result" for m in kernel.outputs[before:]), "no repr printed either"
    kernel.execute("from sse_widget import stop_all; stop_all()")
