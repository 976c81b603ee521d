"""compare() and ChatWidget take Python streams too, and compare's results come back as data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pytest

from sse_widget import ChatWidget, compare
from sse_widget.compare import RESULT_COLUMNS
from sse_widget.demo import DemoServer, pick_answer

PROMPT = "How does streaming work?"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=2000, ttft=0.01) as server:
        yield server


def rows_of(results: Any) -> list[dict[str, Any]]:
    """The rows of compare's results, whether a DataFrame or a list of dicts."""
    if isinstance(results, list):
        return results
    assert list(results.columns) == list(RESULT_COLUMNS)
    return results.to_dict("records")


async def test_compare_takes_sources_and_returns_one_row_per_stream(demo: DemoServer) -> None:
    client = openai.AsyncOpenAI(base_url=demo.base_url, api_key="sk-test-compare", max_retries=0)

    async def words() -> AsyncIterator[str]:
        yield "one "
        yield "two"

    def broken() -> Iterator[str]:
        yield "half"
        raise RuntimeError("the model fell over")

    grid = compare(
        {
            "sdk": lambda: client.chat.completions.create(
                model="demo", messages=[{"role": "user", "content": PROMPT}], stream=True
            ),
            "words": {"source": words},
            "broken": broken,
        }
    )
    await asyncio.wait_for(grid.wait(), 20)
    rows = rows_of(grid.results())
    assert [r["label"] for r in rows] == ["sdk", "words", "broken"]
    assert [r["status"] for r in rows] == ["done", "done", "error"]
    assert rows[0]["text"] == pick_answer(PROMPT) and rows[1]["text"] == "one two" and rows[2]["text"] == "half"
    # (the rate is there only over a long enough span: tests/test_demo.py)
    assert rows[0]["tokens"] > 0 and rows[0]["ttft_ms"] is not None and "tokens_per_s" in rows[0]
    assert rows[2]["error"] == "The stream's source raised RuntimeError: the model fell over"
    assert rows[0]["error"] == rows[1]["error"] == ""


async def test_compare_without_pandas_returns_a_list_of_dicts(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pandas(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    grid = compare([iter(["a", "b"]), ["c"]])
    await asyncio.wait_for(grid.wait(), 5)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    results = grid.results()
    assert isinstance(results, list)
    assert [(r["label"], r["text"], r["status"]) for r in results] == [("#1", "ab", "done"), ("#2", "c", "done")]
    assert set(results[0]) == set(RESULT_COLUMNS)


async def test_compare_results_are_a_dataframe_with_pandas() -> None:
    pandas = pytest.importorskip("pandas")
    grid = compare({"x": lambda: iter(["hi"])})
    await asyncio.wait_for(grid.wait(), 5)
    frame = grid.results()
    assert isinstance(frame, pandas.DataFrame)
    assert frame.loc[0, "text"] == "hi" and frame.loc[0, "status"] == "done"


async def test_chat_widget_with_a_source_gets_the_history_each_turn(demo: DemoServer) -> None:
    client = openai.OpenAI(base_url=demo.base_url, api_key="sk-test-chat", max_retries=0)
    seen: list[list[dict[str, Any]]] = []

    def source(messages: list[dict[str, Any]]) -> Any:
        seen.append(messages)
        return client.chat.completions.create(model="demo", messages=messages, stream=True)

    conversation = ChatWidget(source=source, system="Be brief.")
    first = conversation.send(PROMPT)
    assert await asyncio.wait_for(first.wait(), 20) == pick_answer(PROMPT)
    second = conversation.send("And again?")
    await asyncio.wait_for(second.wait(), 20)
    assert second.status == "done" and second.can_retry
    assert [m["role"] for m in seen[1]] == ["system", "user", "assistant", "user"]
    assert seen[1][2]["content"] == pick_answer(PROMPT)
    retried = conversation.retry()
    assert retried is not None
    await asyncio.wait_for(retried.wait(), 20)
    assert retried.status == "done" and len(seen) == 3 and seen[2] == seen[1]


def test_chat_widget_needs_a_model_or_a_source() -> None:
    with pytest.raises(ValueError, match="model= .* or source="):
        ChatWidget()
