"""Stop-to-disconnect through Python stream sources: how long after Stop the server sees the socket close.

Measured in one run, on 127.0.0.1, against a server flowing a token every 10 ms,
for the same Stop (``StreamWidget.stop()``) on:

* ``url``: the widget's own HTTP transport (the baseline, the URL path);
* ``openai sync``: ``client.chat.completions.create(stream=True)``, read in a worker thread;
* ``openai async``: the ``AsyncOpenAI`` stream, ``aclose()`` d on the loop;
* ``openai .stream()``: the chat ``.stream()`` helper's manager;
* ``anthropic sync``: ``client.messages.stream(...)``'s ``MessageStream``.

Prints p50/p95 in milliseconds and each source's p95 against the URL path's.
Usage: ``python bench/stop_sources.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic
import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stop import GIVE_UP, percentile, summary, until  # noqa: E402
from sse_widget import StreamWidget  # noqa: E402
from tests.servers import Script, ScriptedServer, anthropic_events, openai_chunks  # noqa: E402

TOKENS = 100_000
MESSAGES = [{"role": "user", "content": "hi"}]


async def stop_once(server: ScriptedServer, path: str, target: Any) -> float:
    count = len(server.connections)
    widget = StreamWidget().start(target)
    await until(lambda: len(server.connections) > count and widget.text != "", 5)
    await asyncio.sleep(0.05)
    connection = [c for c in server.connections if c.path == path][-1]
    stopped = time.monotonic()
    widget.stop()
    seen = await until(lambda: connection.disconnected_at is not None, GIVE_UP)
    await widget.wait()
    return (connection.disconnected_at - stopped) * 1000 if seen else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with ScriptedServer() as server:
        server.add("/o/chat/completions", Script.of(openai_chunks(f"w{i} " for i in range(TOKENS)), delay=0.01))
        server.add("/v1/messages", Script.of(anthropic_events(["w "] * TOKENS, stop=False), delay=0.01))
        sync_openai = openai.OpenAI(base_url=server.url + "/o", api_key="sk-bench", max_retries=0)
        async_openai = openai.AsyncOpenAI(base_url=server.url + "/o", api_key="sk-bench", max_retries=0)
        sync_anthropic = anthropic.Anthropic(base_url=server.url, api_key="sk-bench", max_retries=0)
        cases: dict[str, tuple[str, Callable[[], Any]]] = {
            "url": ("/o/chat/completions", lambda: server.url + "/o/chat/completions"),
            "openai sync": ("/o/chat/completions", lambda: lambda: sync_openai.chat.completions.create(model="m", messages=MESSAGES, stream=True)),
            "openai async": ("/o/chat/completions", lambda: lambda: async_openai.chat.completions.create(model="m", messages=MESSAGES, stream=True)),
            "openai .stream()": ("/o/chat/completions", lambda: lambda: sync_openai.chat.completions.stream(model="m", messages=MESSAGES)),
            "anthropic sync": ("/v1/messages", lambda: lambda: sync_anthropic.messages.stream(model="m", max_tokens=10, messages=MESSAGES)),
        }
        results: dict[str, list[float]] = {}
        for name, (path, make) in cases.items():
            results[name] = [asyncio.run(stop_once(server, path, make())) for _ in range(args.runs)]
        base = percentile(results["url"], 0.95)
        for name, values in results.items():
            ratio = "" if name == "url" else f"   p95 {percentile(values, 0.95) / base:4.2f}x the URL path's"
            print(f"{name:17s} {summary(values)}{ratio}")


if __name__ == "__main__":
    main()
