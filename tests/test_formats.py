"""Every wire format, replayed by a real local server at random chunk boundaries."""

from __future__ import annotations

import asyncio
import random

import pytest

from sse_widget import StreamWidget
from sse_widget.formats import (
    Anthropic,
    DashScope,
    OpenAIChat,
    PlainText,
    detect,
    resolve,
)
from sse_widget.sse import ServerSentEvent
from tests import recordings
from tests.recordings import Recording
from tests.servers import Script, ScriptedServer, eventually, sse


def random_split(body: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(body)), min(len(body) - 1, rng.randint(1, 40))))
    return [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]


@pytest.mark.parametrize("recording", recordings.ALL, ids=lambda r: r.name)
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_recording_shows_the_right_text(server: ScriptedServer, recording: Recording, seed: int) -> None:
    pieces = random_split(recording.body, random.Random(f"{recording.name}-{seed}"))
    url = server.add(f"/rec/{recording.name}/{seed}", Script.of(pieces, delay=0.001, content_type=recording.content_type))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 10)
    assert w.text == recording.text
    assert w.status == recording.status, w.error
    if recording.error:
        assert recording.error in w.error
        assert "\n" not in w.error
    else:
        assert w.error == ""
    assert w.reasoning == recording.reasoning
    assert w.tool_calls == list(recording.tool_calls)
    if recording.output_tokens is not None:
        assert w.stats["tokens"] == recording.output_tokens
        assert w.stats["tokens_estimated"] is False


@pytest.mark.parametrize(
    ("recording", "expected"),
    [
        (recordings.OPENAI_CHAT, "openai"),
        (recordings.OPENAI_RESPONSES, "openai-responses"),
        (recordings.ANTHROPIC, "anthropic"),
        (recordings.DASHSCOPE_INCREMENTAL, "dashscope"),
        (recordings.DASHSCOPE_ERROR, "dashscope"),
        (recordings.OLLAMA_CHAT, "ollama"),
        (recordings.PLAIN_SSE_TEXT, "text"),
    ],
    ids=lambda v: v.name if isinstance(v, Recording) else v,
)
def test_auto_detection_from_the_first_event(recording: Recording, expected: str) -> None:
    from sse_widget.framing import NDJSONDecoder
    from sse_widget.sse import SSEDecoder

    decoder = NDJSONDecoder() if "ndjson" in recording.content_type else SSEDecoder()
    first = decoder.feed(recording.body)[0]
    assert detect(first).name == expected


def test_dashscope_cumulative_output_becomes_deltas() -> None:
    fmt = DashScope()
    pieces = []
    for text in ["A", "A b", "A b c", "A b c."]:
        event = ServerSentEvent(data=f'{{"output": {{"text": "{text}", "finish_reason": "null"}}, "request_id": "x"}}')
        pieces += [d.text for d in fmt.parse(event) if d.text]
    assert pieces == ["A", " b", " c", "."]


def test_dashscope_incremental_output_that_repeats_itself_is_not_taken_for_cumulative() -> None:
    fmt = DashScope()
    texts = []
    for text in ["ha", "ha", "!"]:
        event = ServerSentEvent(data=f'{{"output": {{"text": "{text}"}}, "request_id": "x"}}')
        texts += [d.text for d in fmt.parse(event) if d.text]
    assert "".join(texts) in ("haha!", "ha!")  # "ha","ha" is ambiguous; it must never lose the "!"
    assert texts[-1] == "!"


def test_plain_text_end_markers_are_configurable() -> None:
    fmt = PlainText(end_markers=["end"])
    assert [d.text for d in fmt.parse(ServerSentEvent(data="[DONE]"))] == ["[DONE]"]
    assert [d.done for d in fmt.parse(ServerSentEvent(data="end"))] == [True]


def test_anthropic_ping_and_unknown_events_are_ignored() -> None:
    fmt = Anthropic()
    assert list(fmt.parse(ServerSentEvent(event="ping", data='{"type": "ping"}'))) == []
    assert list(fmt.parse(ServerSentEvent(event="future_event", data='{"type": "future_event"}'))) == []


def test_resolve_gives_each_run_a_fresh_format() -> None:
    template = OpenAIChat()
    first, second = resolve(template), resolve(template)
    assert first is not second and first is not template
    assert resolve("auto") is None
    with pytest.raises(ValueError, match="Unknown format 'nope'"):
        resolve("nope")


async def test_callable_format_maps_events_to_text(server: ScriptedServer) -> None:
    url = server.add("/callable", Script.of(sse("a", "b", event="token") + sse("ignored")))
    w = StreamWidget()
    w.start(url, format=lambda e: e.data.upper() if e.event == "token" else None)
    assert await asyncio.wait_for(w.wait(), 5) == "AB"
    assert w.status == "done"


async def test_html_reply_is_explained(server: ScriptedServer) -> None:
    url = server.add("/html", Script.of(["<html><body>Sign in</body></html>"], content_type="text/html"))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error" and "HTML page" in w.error


async def test_get_event_stream_reconnects_with_last_event_id(server: ScriptedServer) -> None:
    first = b"retry: 50\nid: 1\ndata: " + b'{"choices":[{"delta":{"content":"one "}}]}' + b"\n\n"
    url = server.add("/resume", Script.of([first], drop=True))

    async def swap_when_connected() -> None:
        await eventually(lambda: any(c.path == "/resume" for c in server.connections))
        server.scripts["/resume"] = Script.of(
            [b'id: 2\ndata: {"choices":[{"delta":{"content":"two"}}]}\n\n', b"data: [DONE]\n\n"]
        )

    swapper = asyncio.ensure_future(swap_when_connected())
    w = StreamWidget()
    w.start(url, method="GET")
    await asyncio.wait_for(w.wait(), 10)
    await swapper
    assert w.status == "done", w.error
    assert w.text == "one two"
    resumed = [c for c in server.connections if c.path == "/resume"]
    assert len(resumed) == 2
    assert resumed[1].headers.get("last-event-id") == "1"


async def test_post_is_never_resent_after_bytes_arrived(server: ScriptedServer) -> None:
    url = server.add("/no-resend", Script.of(sse('{"choices":[{"delta":{"content":"once"}}]}'), drop=True))
    w = StreamWidget()
    w.start(url)
    await asyncio.wait_for(w.wait(), 5)
    assert w.status == "error" and w.text == "once"
    assert len([c for c in server.connections if c.path == "/no-resend"]) == 1
