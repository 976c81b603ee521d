"""Throughput of `SSEDecoder` against the httpx + httpx-sse decoding pipeline.

Builds an OpenAI-style chat-completion event stream in memory, cuts it into
network-sized chunks and decodes it with both implementations, reporting the
best of three runs of each. Times are CPU times of this process and the runs
alternate, so other work on a busy machine skews neither side.

The first line compares the decoders alone: `SSEDecoder` against httpx-sse's
decoding steps called in a plain loop. The second compares them as used, on an
``httpx.Response`` streaming the same chunks: ``aiter_bytes`` into
`SSEDecoder` against ``EventSource.aiter_sse``::

    python bench/decode.py [--mb N] [--seed S]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from httpx._decoders import TextChunker, TextDecoder
from httpx_sse import EventSource
from httpx_sse._decoders import SSEDecoder as HttpxSSEDecoder
from httpx_sse._decoders import SSELineDecoder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sse_widget.sse import SSEDecoder  # noqa: E402

Row = tuple[str, str, str, int | None]
Decode = Callable[[list[bytes]], list[Any]]

TOKENS = [
    "Hello", ",", " world", "!", " The", " quick", " brown", " fox", " jumps",
    " over", " the", " lazy", " dog", ".", "\n\n", " def", " main", "():",
    "\n   ", " return", " 42", " café", " naïve", " Grüße", " 日本語", " の",
    " テスト", " 🙂", " 🚀", " —", " «ok»", " \"quoted\"", " back\\slash",
    " Привет", " мир", " 你好", " ✓", " x²", "\t", " 1.", " **bold**",
]


def build_stream(size: int, rng: random.Random) -> bytes:
    """Return about ``size`` bytes of chat-completion chunks as SSE."""
    parts: list[bytes] = []
    total = 0
    created = 1_718_000_000
    while total < size:
        created += rng.randrange(1, 30)
        ident = f"chatcmpl-{rng.getrandbits(96):024x}"
        newline = "\r\n" if rng.random() < 0.05 else "\n"
        for index in range(rng.randrange(20, 400)):
            delta: dict[str, str] = {"content": rng.choice(TOKENS)}
            if index == 0:
                delta = {"role": "assistant", "content": ""}
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": "gpt-4o-mini",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
            line = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
            piece = f"data: {line}{newline}{newline}".encode()
            parts.append(piece)
            total += len(piece)
        done = f"data: [DONE]{newline}{newline}".encode()
        parts.append(done)
        total += len(done)
    return b"".join(parts)


def cut(stream: bytes, rng: random.Random) -> list[bytes]:
    """Split ``stream`` into chunks of random sizes between 1 and 16 KiB."""
    chunks: list[bytes] = []
    pos = 0
    while pos < len(stream):
        step = rng.randint(1, 16 * 1024)
        chunks.append(stream[pos : pos + step])
        pos += step
    return chunks


def run_sse_widget(chunks: list[bytes]) -> list[Any]:
    """Decode with `sse_widget.sse.SSEDecoder`."""
    decoder = SSEDecoder()
    events: list[Any] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.end())
    return events


def run_httpx_sse(chunks: list[bytes]) -> list[Any]:
    """Decode the way ``httpx_sse.EventSource.aiter_sse`` does.

    ``Response.aiter_text`` (UTF-8 `TextDecoder` plus a pass-through
    `TextChunker`), then httpx-sse's line splitter and its event decoder, one
    line at a time after ``rstrip("\\n")``. The async generators that connect
    these steps in ``aiter_sse`` are left out, which only flatters httpx-sse.
    """
    text_decoder = TextDecoder(encoding="utf-8")
    chunker = TextChunker()
    lines = SSELineDecoder()
    decoder = HttpxSSEDecoder()
    events: list[Any] = []

    def consume(text: str) -> None:
        for piece in chunker.decode(text):
            for line in lines.decode(piece):
                sse = decoder.decode(line.rstrip("\n"))
                if sse is not None:
                    events.append(sse)

    for chunk in chunks:
        consume(text_decoder.decode(chunk))
    consume(text_decoder.flush())
    for piece in chunker.flush():
        consume(piece)
    for line in lines.flush():
        sse = decoder.decode(line.rstrip("\n"))
        if sse is not None:
            events.append(sse)
    return events


class ChunkStream(httpx.AsyncByteStream):
    """A response body that yields prepared chunks."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def event_stream_response(chunks: list[bytes]) -> httpx.Response:
    """An ``httpx.Response`` with an event-stream body made of ``chunks``."""
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=ChunkStream(chunks),
        request=httpx.Request("GET", "http://127.0.0.1/events"),
    )


def run_sse_widget_response(chunks: list[bytes]) -> list[Any]:
    """``Response.aiter_bytes`` into `SSEDecoder`."""

    async def main() -> list[Any]:
        decoder = SSEDecoder()
        events: list[Any] = []
        async for chunk in event_stream_response(chunks).aiter_bytes():
            events.extend(decoder.feed(chunk))
        events.extend(decoder.end())
        return events

    return asyncio.run(main())


def run_httpx_sse_response(chunks: list[bytes]) -> list[Any]:
    """``httpx_sse.EventSource.aiter_sse`` itself."""

    async def main() -> list[Any]:
        return [sse async for sse in EventSource(event_stream_response(chunks)).aiter_sse()]

    return asyncio.run(main())


def rows(events: list[Any]) -> list[Row]:
    """Return the fields of ``events`` as comparable tuples."""
    return [(e.event, e.data, e.id, e.retry) for e in events]


def best_times(funcs: list[Decode], chunks: list[bytes], repeats: int = 3) -> list[tuple[float, list[Any]]]:
    """Run each of ``funcs`` ``repeats`` times, alternating between them.

    Returns, per function, its best CPU time and the events of its last run.
    """
    best = [float("inf")] * len(funcs)
    results: list[list[Any]] = [[] for _ in funcs]
    for _ in range(repeats):
        for index, func in enumerate(funcs):
            results[index] = []
            gc.collect()
            gc.disable()
            try:
                start = time.process_time()
                results[index] = func(chunks)
                best[index] = min(best[index], time.process_time() - start)
            finally:
                gc.enable()
    return list(zip(best, results, strict=True))


def main() -> None:
    """Run the benchmark and print throughput of both decoders."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="stream size in MB (default 50)")
    parser.add_argument("--seed", type=int, default=1234, help="random seed (default 1234)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    stream = build_stream(int(args.mb * 1_000_000), rng)
    chunks = cut(stream, rng)
    megabytes = len(stream) / 1_000_000
    print(f"{megabytes:.1f} MB in {len(chunks)} chunks")

    funcs = [run_sse_widget, run_httpx_sse, run_sse_widget_response, run_httpx_sse_response]
    timed = best_times(funcs, chunks)
    expected = rows(timed[1][1])
    for func, (_, events) in zip(funcs, timed, strict=True):
        assert len(events) == len(expected), (func.__name__, len(events), len(expected))
        assert rows(events) == expected, func.__name__
    print(f"{len(expected)} events from each decoder")

    rates = [megabytes / seconds for seconds, _ in timed]
    print(
        f"sse_widget {rates[0]:7.1f} MB/s | httpx-sse {rates[1]:7.1f} MB/s"
        f" | ratio {rates[0] / rates[1]:.2f}x (target >= 2x)"
    )
    print(
        f"via httpx.Response: sse_widget {rates[2]:7.1f} MB/s | httpx-sse aiter_sse {rates[3]:7.1f} MB/s"
        f" | ratio {rates[2] / rates[3]:.2f}x"
    )


if __name__ == "__main__":
    main()
