"""compare(), ChatWidget and failed runs save text/markdown: executed headless, nbconvert shows the answers."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import MarkdownExporter

from sse_widget.demo import pick_answer

pytestmark = pytest.mark.kernel

START = """\
from sse_widget import ChatWidget, compare, demo, stream
server = demo.start(tokens_per_second=400, ttft=0.01)
"""
COMPARE = """\
grid = compare({
    "fast": {"model": "demo", "prompt": "How does streaming work?", "base_url": server.base_url, "api_key": ""},
    "broken": {"model": "demo", "prompt": "Write some Python code", "base_url": server.base_url, "api_key": "",
               "demo": {"fail": "drop", "fail_after": 4}},
})
"""
CHAT = """\
conversation = ChatWidget(model="demo", base_url=server.base_url, api_key="")
conversation.send("Tell me about markdown tables")
conversation
"""
FAILED = """\
failed = stream(server.chat_url, json={"model": "demo", "stream": True,
                "messages": [{"role": "user", "content": "How does streaming work?"}]},
                params={"fail": "error", "fail_after": 3})
"""


def executed_markdown(*cells: str) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert errors == [], errors
    markdown, _ = MarkdownExporter(exclude_input=True).from_notebook_node(nb)
    return markdown


def test_every_widget_exports_its_answers_as_markdown() -> None:
    markdown = executed_markdown(
        START, COMPARE, "await grid.wait()", CHAT, "await conversation.wait()", FAILED, "await failed.wait()"
    )
    assert "CompareWidget(" not in markdown and "ChatWidget(" not in markdown and "<StreamWidget" not in markdown

    fast = markdown.index("### fast")
    broken = markdown.index("### broken")
    assert pick_answer("How does streaming work?").splitlines()[0] in markdown[fast:broken]
    assert "tokens" in markdown[fast:broken] and "TTFT" in markdown[fast:broken], "each section has its stats"
    assert "**Error:** The server dropped the connection mid-stream" in markdown[broken:]

    assert "**You:**\n\nTell me about markdown tables" in markdown
    assert pick_answer("Tell me about markdown tables").splitlines()[0] in markdown

    assert "**Error:** The server reported an error" in markdown, "a failed run keeps its error line"
    assert markdown.count(pick_answer("How does streaming work?").split()[0]) >= 2, "and its partial text"
