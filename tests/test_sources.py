"""Python streams as sources: the real openai and anthropic SDKs reading the demo, iterators, generators, errors.

Every kind of source goes through ``StreamWidget.start`` as a user would call it;
Stop is proven by the server seeing the disconnect, and a sync source by the
loop staying free while it blocks.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anthropic
import openai
import pytest

from sse_widget import StreamWidget
from sse_widget.demo import DemoServer, pick_answer
from tests import recordings
from tests.servers import Script, ScriptedServer, anthropic_events, eventually, openai_chunks, sse

PROMPT = "How does streaming work?"
ANSWER = pick_answer(PROMPT)
MESSAGES = [{"role": "user", "content": PROMPT}]
KEY = "sk-test-0123456789abcdef"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(tokens_per_second=2000, ttft=0.01) as server:
        yield server


def openai_sync(demo: DemoServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=demo.base_url, api_key=KEY, max_retries=0)


def openai_async(demo: DemoServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=demo.base_url, api_key=KEY, max_retries=0)


def anthropic_sync(demo: DemoServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=demo.url, api_key=KEY, max_retries=0)


def anthropic_async(demo: DemoServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=demo.url, api_key=KEY, max_retries=0)


#: name -> a function of the demo server returning a zero-argument callable that makes the stream.
SDK_SOURCES: dict[str, Callable[[DemoServer], Callable[[], Any]]] = {
    "openai chat": lambda d: lambda: openai_sync(d).chat.completions.create(model="demo", messages=MESSAGES, stream=True),
    "openai chat async": lambda d: lambda: openai_async(d).chat.completions.create(model="demo", messages=MESSAGES, stream=True),
    "openai chat .stream()": lambda d: lambda: openai_sync(d).chat.completions.stream(model="demo", messages=MESSAGES),
    "openai chat async .stream()": lambda d: lambda: openai_async(d).chat.completions.stream(model="demo", messages=MESSAGES),
    "openai responses": lambda d: lambda: openai_sync(d).responses.create(model="demo", input=PROMPT, stream=True),
    "openai responses async": lambda d: lambda: openai_async(d).responses.create(model="demo", input=PROMPT, stream=True),
    "openai responses .stream()": lambda d: lambda: openai_sync(d).responses.stream(model="demo", input=PROMPT),
    "openai responses async .stream()": lambda d: lambda: openai_async(d).responses.stream(model="demo", input=PROMPT),
    "anthropic raw events": lambda d: lambda: anthropic_sync(d).messages.create(
        model="demo", max_tokens=100, messages=MESSAGES, stream=True
    ),
    "anthropic raw events async": lambda d: lambda: anthropic_async(d).messages.create(
        model="demo", max_tokens=100, messages=MESSAGES, stream=True
    ),
    "anthropic .stream()": lambda d: lambda: anthropic_sync(d).messages.stream(model="demo", max_tokens=100, messages=MESSAGES),
    "anthropic async .stream()": lambda d: lambda: anthropic_async(d).messages.stream(
        model="demo", max_tokens=100, messages=MESSAGES
    ),
}


@pytest.mark.parametrize("name", list(SDK_SOURCES))
async def test_sdk_stream_made_by_a_callable_streams_the_answer_and_retries(demo: DemoServer, name: str) -> None:
    w = StreamWidget().start(SDK_SOURCES[name](demo))
    assert await asyncio.wait_for(w.wait(), 20) == ANSWER, w.error
    assert w.status == "done" and w.can_retry
    assert w.stats["tokens"] > 0
    assert w.events, "the inspector sees the SDK's events"
    w.retry()
    assert await asyncio.wait_for(w.wait(), 20) == ANSWER
    assert w.status == "done"


@pytest.mark.parametrize("name", ["openai chat", "openai chat async", "anthropic .stream()", "anthropic raw events async"])
async def test_an_sdk_stream_object_streams_once_and_cannot_be_retried(demo: DemoServer, name: str) -> None:
    made = SDK_SOURCES[name](demo)()
    if asyncio.iscoroutine(made):
        made = await made
    w = StreamWidget().start(made)
    assert await asyncio.wait_for(w.wait(), 20) == ANSWER, w.error
    assert not w.can_retry
    with pytest.raises(RuntimeError, match="cannot be retried"):
        w.retry()


# -- Stop closes what the source holds -----------------------------------------------


STOP_SOURCES: dict[str, Callable[[str], Callable[[], Any]]] = {
    "openai sync": lambda url: lambda: openai.OpenAI(base_url=url + "/o", api_key=KEY, max_retries=0).chat.completions.create(
        model="m", messages=MESSAGES, stream=True
    ),
    "openai async": lambda url: lambda: openai.AsyncOpenAI(
        base_url=url + "/o", api_key=KEY, max_retries=0
    ).chat.completions.create(model="m", messages=MESSAGES, stream=True),
    "anthropic sync .stream()": lambda url: lambda: anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=0).messages.stream(
        model="m", max_tokens=10, messages=MESSAGES
    ),
    "anthropic async": lambda url: lambda: anthropic.AsyncAnthropic(base_url=url, api_key=KEY, max_retries=0).messages.create(
        model="m", max_tokens=10, messages=MESSAGES, stream=True
    ),
}


@pytest.mark.parametrize("name", list(STOP_SOURCES))
async def test_stop_closes_the_sdk_streams_connection(server: ScriptedServer, name: str) -> None:
    server.add("/o/chat/completions", Script.of(openai_chunks(["tok "] * 5000), delay=0.01))
    server.add("/v1/messages", Script.of(anthropic_events(["tok "] * 5000), delay=0.01))
    w = StreamWidget().start(STOP_SOURCES[name](server.url))
    assert await eventually(lambda: "tok" in w.text, 10), w.error
    connection = server.connections[-1]
    w.stop()
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "stopped" and w.text.startswith("tok")
    assert await eventually(lambda: connection.disconnected_at is not None, 5)
    assert not connection.completed


async def test_a_blocking_sync_generator_runs_off_the_loop_and_is_closed_on_stop() -> None:
    release, closed = threading.Event(), threading.Event()

    def words() -> Iterator[str]:
        try:
            yield "first "
            release.wait(10)  # blocks its thread, as a sync SDK read does
            yield "never shown"
        finally:
            closed.set()

    w = StreamWidget().start(words)
    assert await eventually(lambda: w.text == "first ", 5)
    ticks = 0
    for _ in range(5):  # the loop is free while the generator blocks
        await asyncio.sleep(0.001)
        ticks += 1
    assert ticks == 5 and w.running
    w.stop()
    await asyncio.wait_for(w.wait(), 2)
    assert w.status == "stopped" and w.text == "first "
    release.set()
    assert await eventually(closed.is_set, 5), "the generator was closed once its step returned"


async def test_stop_aclose_s_an_async_generator() -> None:
    closed = asyncio.Event()

    async def words() -> AsyncIterator[str]:
        try:
            yield "one "
            await asyncio.sleep(60)
            yield "never shown"
        finally:
            closed.set()

    w = StreamWidget().start(words())
    assert await eventually(lambda: w.text == "one ", 5)
    w.stop()
    await asyncio.wait_for(w.wait(), 2)
    assert w.status == "stopped" and w.text == "one "
    assert closed.is_set()


# -- iterators of text and of chunks ----------------------------------------------------


class Chunk:
    """The shape of a LangChain message chunk: a ``content`` that is text or a list of parts."""

    def __init__(self, content: Any) -> None:
        self.content = content


async def test_sync_and_async_generators_of_text() -> None:
    async def agen() -> AsyncIterator[str]:
        for piece in ("a", "", "b", "c"):
            yield piece

    sync = StreamWidget().start(lambda: iter(["x", "y", "z"]))
    asynchronous = StreamWidget().start(agen)
    assert await asyncio.wait_for(sync.wait(), 5) == "xyz"
    assert await asyncio.wait_for(asynchronous.wait(), 5) == "abc"
    sync.retry()
    assert await asyncio.wait_for(sync.wait(), 5) == "xyz"


async def test_langchain_style_chunks_with_text_and_part_lists() -> None:
    chunks = [Chunk("Hello"), Chunk([{"type": "text", "text": ", wor"}, "ld"]), Chunk(""), Chunk([{"type": "tool_use"}])]

    async def astream() -> AsyncIterator[Chunk]:
        for chunk in chunks:
            yield chunk

    from_sync = StreamWidget().start(iter(chunks))
    from_async = StreamWidget().start(astream())
    assert await asyncio.wait_for(from_sync.wait(), 5) == "Hello, world"
    assert await asyncio.wait_for(from_async.wait(), 5) == "Hello, world"
    assert from_sync.status == from_async.status == "done"


async def test_an_item_of_the_wrong_kind_is_a_clear_error() -> None:
    w = StreamWidget().start(iter(["ok ", 42]))
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error" and w.text == "ok "
    assert "yielded int" in w.error and "\n" not in w.error


def test_http_keywords_do_not_apply_to_a_python_stream() -> None:
    async def go() -> None:
        with pytest.raises(TypeError, match="headers only apply to a URL"):
            StreamWidget().start(iter(["x"]), headers={"a": "b"})

    asyncio.run(go())



def test_something_neither_a_url_nor_a_stream_is_refused_in_one_line() -> None:
    async def go() -> None:
        for target in (..., 42, None):
            with pytest.raises(TypeError, match=r"^Cannot stream from \w+: pass a URL, or a Python stream"):
                StreamWidget().start(target)

    asyncio.run(go())

# -- errors from the source --------------------------------------------------------------


async def test_a_generators_exception_keeps_the_text_and_masks_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVICE_API_KEY", KEY)

    def words() -> Iterator[str]:
        yield "partial "
        raise ValueError(f"upstream refused key {KEY}")

    w = StreamWidget().start(words)
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error" and w.text == "partial "
    assert w.error == "The stream's source raised ValueError: upstream refused key ***"
    assert KEY not in w.error_detail and "Traceback" in w.error_detail


def _echoing_401(server: ScriptedServer, path: str) -> None:
    """A server that refuses the key and echoes it back, as some proxies do."""
    body = '{"error": {"message": "Incorrect API key provided: ' + KEY + '", "type": "invalid_request_error"}}'
    server.add(path, Script.of([body], status=401, content_type="application/json"))


def _stream_maker(sdk: str, base_url: str, held: str) -> Callable[[], Any]:
    """A zero-argument callable making an SDK stream, its client held where a user might hold it."""
    client: Any
    if sdk == "openai":
        client = openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0)
        method, kwargs = "chat.completions.create", {"model": "m", "messages": MESSAGES, "stream": True}
    else:
        client = anthropic.Anthropic(base_url=base_url, api_key=KEY, max_retries=0)
        method, kwargs = "messages.create", {"model": "m", "max_tokens": 5, "messages": MESSAGES, "stream": True}
    namespace: dict[str, Any] = {"kwargs": kwargs}
    if held == "closure":  # made inside a function: client is a free variable of the lambda
        exec(f"def factory(client):\n    return lambda: client.{method}(**kwargs)", namespace)  # noqa: S102 - fixed code
        return namespace["factory"](client)
    if held == "notebook-global":  # typed in a cell: client is a global of the notebook
        namespace["client"] = client
        exec(f"make = lambda: client.{method}(**kwargs)", namespace)  # noqa: S102 - fixed code
        return namespace["make"]
    resource = client.chat.completions if sdk == "openai" else client.messages
    return functools.partial(resource.create, **kwargs)


@pytest.mark.parametrize("held", ["closure", "notebook-global", "partial"])
@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
async def test_sdk_status_error_is_one_line_without_the_key(server: ScriptedServer, sdk: str, held: str) -> None:
    # openai 3.60 signs requests in its transport, so its error's request has no
    # Authorization header: the key must be found where the user put it.
    _echoing_401(server, "/o/chat/completions" if sdk == "openai" else "/a/v1/messages")
    w = StreamWidget().start(_stream_maker(sdk, server.url + ("/o" if sdk == "openai" else "/a"), held))
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == "error"
    assert w.error.startswith("HTTP 401") and "Incorrect API key provided: ***" in w.error, w.error
    assert KEY not in w.error + w.error_detail and "\n" not in w.error


async def test_an_sdk_stream_objects_mid_stream_error_keeps_the_text_and_masks_the_key(server: ScriptedServer) -> None:
    error = json.dumps({"error": {"message": f"key {KEY} was revoked mid-stream", "type": "invalid_request_error"}})
    server.add("/o/chat/completions", Script.of([*openai_chunks(["Half ", "an answer"], done=False), *sse(error)]))
    client = openai.OpenAI(base_url=server.url + "/o", api_key=KEY, max_retries=0)
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    w = StreamWidget().start(stream)  # the object itself: its client is found through it
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == "error" and w.text == "Half an answer"
    assert "was revoked mid-stream" in w.error and KEY not in w.error + w.error_detail, w.error


async def test_sdk_connection_error_says_where(server: ScriptedServer) -> None:
    from sse_widget.demo import BackgroundServer

    with BackgroundServer(lambda *a: None) as gone:
        url = gone.url
    client = anthropic.AsyncAnthropic(base_url=url, api_key=KEY, max_retries=0)
    w = StreamWidget().start(lambda: client.messages.create(model="m", max_tokens=5, messages=MESSAGES, stream=True))
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == "error"
    assert w.error.startswith(f"Could not reach {url}") and "APIConnectionError" in w.error, w.error


async def test_an_in_band_error_through_the_sdk_keeps_the_partial_text(demo: DemoServer) -> None:
    client = openai_async(demo)
    w = StreamWidget().start(
        lambda: client.chat.completions.create(
            model="demo", messages=MESSAGES, stream=True, extra_query={"fail": "error", "fail_after": 5}
        )
    )
    await asyncio.wait_for(w.wait(), 10)
    assert w.status == "error" and len(w.text) > 0 and ANSWER.startswith(w.text)
    assert w.error.startswith("The server reported an error"), w.error


# -- tool calls ------------------------------------------------------------------------


TOOL_RECORDINGS = {
    "openai chat": (recordings.VLLM_REASONING_TOOLS, "/o/chat/completions", lambda url: lambda: openai.OpenAI(
        base_url=url + "/o", api_key=KEY, max_retries=0
    ).chat.completions.create(model="m", messages=MESSAGES, stream=True)),
    "openai responses async": (recordings.OPENAI_RESPONSES_TOOL, "/o/responses", lambda url: lambda: openai.AsyncOpenAI(
        base_url=url + "/o", api_key=KEY, max_retries=0
    ).responses.create(model="m", input=PROMPT, stream=True)),
    "anthropic .stream()": (recordings.ANTHROPIC_TOOL_USE, "/v1/messages", lambda url: lambda: anthropic.Anthropic(
        base_url=url, api_key=KEY, max_retries=0
    ).messages.stream(model="m", max_tokens=10, messages=MESSAGES)),
}


@pytest.mark.parametrize("name", list(TOOL_RECORDINGS))
async def test_tool_calls_reach_python_through_the_sdk(server: ScriptedServer, name: str) -> None:
    recording, path, make = TOOL_RECORDINGS[name]
    server.add(path, Script.of([recording.body], content_type=recording.content_type))
    w = StreamWidget().start(make(server.url))
    assert await asyncio.wait_for(w.wait(), 10) == recording.text, w.error
    assert w.status == "done"
    assert w.tool_calls == list(recording.tool_calls)
    assert json.loads(w.tool_calls[0]["arguments"]) == {"city": "Paris"}
