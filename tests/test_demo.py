"""The demo endpoint: every provider shape streams the right answer, and failures inject as asked."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sse_widget import StreamWidget
from sse_widget.demo import ANSWERS, DemoServer, pick_answer, tokenize

PROMPT = "How does streaming work?"
ANSWER = pick_answer(PROMPT)
MESSAGES = [{"role": "user", "content": PROMPT}]

ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("openai-chat", "/v1/chat/completions", {"model": "demo", "stream": True, "stream_options": {"include_usage": True}, "messages": MESSAGES}),
    ("openai-responses", "/v1/responses", {"model": "demo", "stream": True, "input": PROMPT}),
    ("anthropic", "/v1/messages", {"model": "demo", "stream": True, "max_tokens": 100, "messages": MESSAGES}),
    ("dashscope-cumulative", "/api/v1/services/aigc/text-generation/generation", {"model": "qwen", "input": {"messages": MESSAGES}}),
    ("dashscope-incremental", "/api/v1/services/aigc/text-generation/generation", {"model": "qwen", "input": {"messages": MESSAGES}, "parameters": {"incremental_output": True}}),
    ("dashscope-message", "/api/v1/services/aigc/text-generation/generation", {"model": "qwen", "input": {"messages": MESSAGES}, "parameters": {"result_format": "message"}}),
    ("ollama-chat", "/api/chat", {"model": "llama3.2", "messages": MESSAGES}),
    ("ollama-generate", "/api/generate", {"model": "llama3.2", "prompt": PROMPT}),
]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=2000, ttft=0.01) as server:
        yield server


def test_answers_are_rich_and_deterministic() -> None:
    joined = "\n".join(ANSWERS)
    for feature in ("```python", "| part |", "1. ", "- **", "你好", "🚀", "> Tip"):
        assert feature in joined
    assert pick_answer("anything") == pick_answer("anything")
    assert "".join(tokenize(ANSWER)) == ANSWER


@pytest.mark.parametrize(("name", "path", "body"), ROUTES, ids=[r[0] for r in ROUTES])
async def test_every_provider_shape_streams_the_answer(demo: DemoServer, name: str, path: str, body: dict[str, Any]) -> None:
    w = StreamWidget()
    w.start(demo.url + path, json=body, headers={"X-DashScope-SSE": "enable"} if "dashscope" in name else None)
    assert await asyncio.wait_for(w.wait(), 20) == ANSWER
    assert w.status == "done", w.error
    assert w.stats["tokens"] == len(tokenize(ANSWER)) and not w.stats["tokens_estimated"]


@pytest.mark.parametrize("path", ["/v1/text", "/v1/raw"])
async def test_plain_and_raw_text_streams(demo: DemoServer, path: str) -> None:
    w = StreamWidget()
    w.start(demo.url + path, method="GET", params={"prompt": PROMPT})
    assert await asyncio.wait_for(w.wait(), 20) == ANSWER
    assert w.status == "done"


def test_non_streaming_reply(demo: DemoServer) -> None:
    reply = httpx.post(demo.chat_url, json={"model": "demo", "messages": MESSAGES}).json()
    assert reply["choices"][0]["message"]["content"] == ANSWER


def test_a_request_record_says_when_its_response_ended_and_how(demo: DemoServer) -> None:
    slow = {"model": "demo", "stream": True, "messages": MESSAGES, "demo": {"tokens_per_second": 5}}
    with httpx.stream("POST", demo.chat_url, json=slow) as response:
        chunks = response.iter_raw()  # kept: a dropped iterator would close the connection
        next(chunks)
        left = demo.requests[-1]
        assert not left.wait_ended(0.2), "a response still streaming has not ended"
    assert left.wait_ended(5) and left.disconnected and not left.finished
    httpx.post(demo.chat_url, json={**slow, "demo": {"tokens_per_second": 2000}}).read()
    whole = demo.requests[-1]
    assert whole is not left and whole.wait_ended(5) and whole.finished and not whole.disconnected


@pytest.mark.parametrize(
    ("fail", "status", "error"),
    [
        ("http", "error", "HTTP 429 Too Many Requests: Rate limit reached"),
        ("error", "error", "The demo server failed mid-stream"),
        ("drop", "error", "dropped the connection"),
        ("stall", "error", "stalled"),
    ],
)
@pytest.mark.parametrize("route", ["openai-chat", "anthropic", "ollama-chat"])
async def test_failure_injection_ends_in_a_clear_error(demo: DemoServer, fail: str, status: str, error: str, route: str) -> None:
    _, path, body = next(r for r in ROUTES if r[0] == route)
    w = StreamWidget()
    w.start(demo.url + path, json=body, params={"fail": fail, "fail_after": 5}, timeout=httpx.Timeout(5, read=0.5))
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == status
    assert error in w.error
    if fail != "http":
        assert w.text == "".join(tokenize(ANSWER)[:5])


async def test_burst_delivers_everything_at_once_after_a_silence(demo: DemoServer) -> None:
    w = StreamWidget()
    started = time.monotonic()
    w.start(demo.chat_url, json={"model": "demo", "stream": True, "messages": MESSAGES}, params={"fail": "burst", "tokens_per_second": 80})
    await asyncio.wait_for(w.wait(), 20)
    assert w.text == ANSWER and w.status == "done"
    silence = w.stats["ttft_ms"] / 1000
    assert silence > 0.8 * len(tokenize(ANSWER)) / 80
    assert w.stats["elapsed_ms"] / 1000 - silence < 0.5
    assert "buffering" in w.notice
    assert time.monotonic() - started >= silence
    assert w.stats["tokens_per_s"] is None, "tokens that came at once have no rate"


async def test_a_paced_stream_has_a_rate_and_a_failed_run_without_text_no_token_count(demo: DemoServer) -> None:
    paced = StreamWidget()
    paced.start(demo.chat_url, json={"model": "demo", "stream": True, "messages": MESSAGES}, params={"tokens_per_second": 200})
    await asyncio.wait_for(paced.wait(), 20)
    assert paced.status == "done" and paced.stats["tokens_per_s"] is not None
    assert 50 < paced.stats["tokens_per_s"] < 400
    failed = StreamWidget()
    failed.start(demo.chat_url, json={"model": "demo", "stream": True, "messages": MESSAGES}, params={"fail": "http"})
    await asyncio.wait_for(failed.wait(), 10)
    assert failed.status == "error" and failed.stats["tokens"] is None and failed.stats["tokens_per_s"] is None


def test_command_line_serves_until_interrupted() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "sse_widget.demo", "--port", str(port), "--tokens-per-second", "500"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "demo endpoint on" in process.stdout.readline()
        deadline = time.monotonic() + 20
        while True:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert reply.json()["data"][0]["id"] == "demo"
    finally:
        process.terminate()
        process.wait(10)


def test_a_prompt_about_unicode_is_not_taken_for_one_about_code() -> None:
    assert pick_answer("Tell me about Unicode") == ANSWERS[2]
    assert pick_answer("Show me some code") == ANSWERS[1]
    assert pick_answer("How does streaming work?") == ANSWERS[0]


@pytest.mark.parametrize(("result_format", "shape"), [(None, "text"), ("text", "text"), ("message", "choices")])
def test_dashscope_follows_result_format_and_streams_only_with_its_sse_header(demo: DemoServer, result_format: str | None, shape: str) -> None:
    url = demo.url + "/api/v1/services/aigc/text-generation/generation"
    body: dict[str, Any] = {"model": "qwen", "input": {"messages": MESSAGES}}
    if result_format:
        body["parameters"] = {"result_format": result_format}
    whole = httpx.post(url, json=body).json()
    assert whole["output"]["finish_reason" if shape == "text" else "choices"]
    assert (whole["output"]["text"] if shape == "text" else whole["output"]["choices"][0]["message"]["content"]) == ANSWER
    streamed = httpx.post(url, json=body, headers={"X-DashScope-SSE": "enable"})
    assert streamed.headers["content-type"].startswith("text/event-stream") and streamed.text.count("event:result") > 1


@pytest.mark.parametrize("fail", ["drop", "stall"])
async def test_a_get_event_stream_that_fails_shows_its_text_once(demo: DemoServer, fail: str) -> None:
    w = StreamWidget()
    before = len(demo.requests)
    started = time.monotonic()
    w.start(demo.url + "/v1/text", method="GET", params={"prompt": PROMPT, "fail": fail, "fail_after": 5}, timeout=httpx.Timeout(5, read=1.0))
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == "error" and w.text == "".join(tokenize(ANSWER)[:5])
    assert len(demo.requests) == before + 1  # no id: lines, so not requested again
    if fail == "stall":
        assert "stalled" in w.error and time.monotonic() - started < 3.0
    else:
        assert "cannot be resumed" in w.error
