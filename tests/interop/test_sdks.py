"""The official openai, anthropic and ollama SDKs read the demo endpoint through their documented calls.

Each test reads one request with the SDK and with the widget, and checks that
both see the same text, the same end and the same token counts; injected
failures raise the SDK's own exception classes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import ollama
import openai
import pytest

from sse_widget import StreamWidget
from sse_widget.demo import DemoServer, pick_answer, tokenize
from tests.servers import eventually

PROMPT = "How does streaming work?"
ANSWER = pick_answer(PROMPT)
MESSAGES = [{"role": "user", "content": PROMPT}]
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=2000, ttft=0.01) as server:
        yield server


def widget_reads(url: str, **kwargs: Any) -> StreamWidget:
    """Stream one request into a widget and wait (bounded) for it to end."""

    async def run() -> StreamWidget:
        widget = StreamWidget()
        widget.start(url, **kwargs)
        await asyncio.wait_for(widget.wait(), TIMEOUT)
        return widget

    return asyncio.run(run())


# -- openai ------------------------------------------------------------------


@pytest.fixture
def client(demo: DemoServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=demo.base_url, api_key="sk-demo", max_retries=0, timeout=TIMEOUT) as sdk:
        yield sdk


def test_chat_stream_without_usage_reads_like_the_openai_readme(client: openai.OpenAI, demo: DemoServer) -> None:
    chunks = list(client.chat.completions.create(model="demo", messages=MESSAGES, stream=True))
    # The README loop indexes choices[0] on every chunk: no chunk may come without a choice.
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == ANSWER
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.usage is None for chunk in chunks)

    shown = widget_reads(demo.chat_url, json={"model": "demo", "messages": MESSAGES, "stream": True})
    assert (shown.text, shown.status) == (text, "done")
    assert shown.stats["tokens_estimated"] and shown.stats["tokens"] == len(tokenize(ANSWER))


def test_chat_stream_with_include_usage_ends_with_a_usage_chunk(client: openai.OpenAI, demo: DemoServer) -> None:
    options = {"include_usage": True}
    chunks = list(client.chat.completions.create(model="demo", messages=MESSAGES, stream=True, stream_options=options))
    *answer, last = chunks
    assert last.choices == [] and last.usage is not None
    assert "".join(chunk.choices[0].delta.content or "" for chunk in answer) == ANSWER
    assert answer[-1].choices[0].finish_reason == "stop"

    body = {"model": "demo", "messages": MESSAGES, "stream": True, "stream_options": options}
    shown = widget_reads(demo.chat_url, json=body)
    assert (shown.text, shown.status) == (ANSWER, "done")
    assert not shown.stats["tokens_estimated"]
    assert shown.stats["tokens"] == last.usage.completion_tokens
    assert shown.stats["input_tokens"] == last.usage.prompt_tokens


def test_chat_without_stream_is_a_whole_completion(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="demo", messages=MESSAGES)
    assert completion.choices[0].message.content == ANSWER
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == len(tokenize(ANSWER))


def test_responses_stream_helper_gives_the_final_response(client: openai.OpenAI, demo: DemoServer) -> None:
    with client.responses.stream(model="demo", input=PROMPT) as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output_text == ANSWER
    assert final.status == "completed" and final.usage is not None

    shown = widget_reads(f"{demo.base_url}/responses", json={"model": "demo", "input": PROMPT, "stream": True})
    assert (shown.text, shown.status) == (final.output_text, "done")
    assert shown.stats["tokens"] == final.usage.output_tokens and not shown.stats["tokens_estimated"]
    assert shown.stats["input_tokens"] == final.usage.input_tokens


def test_responses_without_stream_has_output_text(client: openai.OpenAI) -> None:
    response = client.responses.create(model="demo", input=PROMPT)
    assert response.output_text == ANSWER and response.status == "completed"


@pytest.mark.parametrize(
    ("fail", "error"),
    [("http", openai.RateLimitError), ("error", openai.APIError), ("drop", openai.APIConnectionError), ("stall", openai.APITimeoutError)],
)
def test_chat_failures_raise_the_openai_exceptions(demo: DemoServer, fail: str, error: type[Exception]) -> None:
    with openai.OpenAI(base_url=demo.base_url, api_key="sk-demo", max_retries=0, timeout=httpx.Timeout(TIMEOUT, read=1.0)) as sdk:
        with pytest.raises(error):
            for _ in sdk.chat.completions.create(model="demo", messages=MESSAGES, stream=True, extra_query={"fail": fail}):
                pass


def test_responses_in_band_error_is_the_sdk_error_event(client: openai.OpenAI) -> None:
    with client.responses.stream(model="demo", input=PROMPT, extra_query={"fail": "error"}) as stream:
        events = list(stream)
        assert events[-1].type == "error" and "fail=error" in events[-1].message
        with pytest.raises(RuntimeError, match="response.completed"):
            stream.get_final_response()


# -- anthropic ---------------------------------------------------------------


@pytest.fixture
def claude(demo: DemoServer) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=demo.url, api_key="sk-ant-demo", max_retries=0, timeout=TIMEOUT) as sdk:
        yield sdk


def test_messages_stream_gives_the_final_message(claude: anthropic.Anthropic, demo: DemoServer) -> None:
    with claude.messages.stream(model="demo", max_tokens=1024, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == final.content[0].text == ANSWER
    assert final.stop_reason == "end_turn"

    body = {"model": "demo", "max_tokens": 1024, "messages": MESSAGES, "stream": True}
    shown = widget_reads(f"{demo.url}/v1/messages", json=body)
    assert (shown.text, shown.status) == (text, "done")
    assert shown.stats["tokens"] == final.usage.output_tokens and not shown.stats["tokens_estimated"]
    assert shown.stats["input_tokens"] == final.usage.input_tokens


def test_messages_without_stream_has_a_stop_reason(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(model="demo", max_tokens=1024, messages=MESSAGES)
    assert message.content[0].text == ANSWER
    assert message.stop_reason == "end_turn" and message.usage.output_tokens == len(tokenize(ANSWER))


@pytest.mark.parametrize("end", ["fail", "stop"])
async def test_anthropic_run_that_fails_or_is_stopped_estimates_its_tokens(demo: DemoServer, end: str) -> None:
    # message_start says output_tokens: 1, a placeholder; a run that never sees message_delta estimates.
    body = {"model": "demo", "max_tokens": 1024, "messages": MESSAGES, "stream": True}
    w = StreamWidget()
    if end == "fail":
        w.start(f"{demo.url}/v1/messages", json=body, params={"fail": "error", "fail_after": 40, "tokens_per_second": 200})
    else:
        w.start(f"{demo.url}/v1/messages", json=body, params={"tokens_per_second": 50})
        assert await eventually(lambda: len(w.text) > 40, timeout=TIMEOUT)
        w.stop()
    await asyncio.wait_for(w.wait(), TIMEOUT)
    assert w.status == {"fail": "error", "stop": "stopped"}[end]
    assert w.stats["tokens_estimated"] and w.stats["tokens"] > 1 and w.stats["tokens_per_s"] is not None
    assert w.stats["input_tokens"] == len(tokenize(PROMPT))


@pytest.mark.parametrize(("fail", "error"), [("http", anthropic.RateLimitError), ("error", anthropic.APIStatusError)])
def test_messages_failures_raise_the_anthropic_exceptions(claude: anthropic.Anthropic, fail: str, error: type[Exception]) -> None:
    with pytest.raises(error, match="demo"):
        with claude.messages.stream(model="demo", max_tokens=1024, messages=MESSAGES, extra_query={"fail": fail}) as stream:
            for _ in stream.text_stream:
                pass


# -- ollama ------------------------------------------------------------------


def test_ollama_chat_stream_ends_with_done_reason_and_counts(demo: DemoServer) -> None:
    parts = list(ollama.Client(host=demo.url, timeout=TIMEOUT).chat(model="llama3.2", messages=MESSAGES, stream=True))
    text = "".join(part.message.content or "" for part in parts)
    assert text == ANSWER
    assert parts[-1].done and parts[-1].done_reason == "stop"

    shown = widget_reads(f"{demo.url}/api/chat", json={"model": "llama3.2", "messages": MESSAGES})
    assert (shown.text, shown.status) == (text, "done")
    assert shown.stats["tokens"] == parts[-1].eval_count and not shown.stats["tokens_estimated"]
    assert shown.stats["input_tokens"] == parts[-1].prompt_eval_count


@pytest.mark.parametrize("call", ["chat", "generate"])
def test_ollama_without_stream_has_a_done_reason(demo: DemoServer, call: str) -> None:
    sdk = ollama.Client(host=demo.url, timeout=TIMEOUT)
    if call == "chat":
        reply: Any = sdk.chat(model="llama3.2", messages=MESSAGES)
        assert reply.message.content == ANSWER
    else:
        reply = sdk.generate(model="llama3.2", prompt=PROMPT)
        assert reply.response == ANSWER
    assert reply.done and reply.done_reason == "stop"


@pytest.mark.parametrize(("fail", "status"), [("http", 429), ("error", -1)])
def test_ollama_failures_raise_response_error(demo: DemoServer, fail: str, status: int) -> None:
    sdk = ollama.Client(host=demo.url, timeout=TIMEOUT, params={"fail": fail})
    with pytest.raises(ollama.ResponseError) as raised:
        for _ in sdk.chat(model="llama3.2", messages=MESSAGES, stream=True):
            pass
    assert raised.value.status_code == status and "demo" in raised.value.error
