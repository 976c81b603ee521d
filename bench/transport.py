"""Comm transport cost of one fast stream, against the naive display-and-update approach.

A real ipykernel streams a 20,000-token OpenAI-style answer, sent by a local
server as fast as it can, two ways in the same run:

* ``sse-widget``: ``stream(url)``, a displayed StreamWidget (coalesced delta
  messages, final text trait once; when the run ends, its output is updated
  once with ``text/plain`` and ``text/markdown`` copies of the answer, so that
  the saved notebook shows it without a widget front end);
* ``baseline``: ``h = display(Markdown(""), display_id=True)`` and
  ``h.update(Markdown(text))`` on every token, the common hand-written approach.

For each it prints the payload bytes that crossed the kernel's IOPub channel per
byte of final text (for sse-widget the comm messages, and separately the output
update), the peak messages in any one-second window, and whether the
front end ended up with the whole text. Jupyter's server drops IOPub traffic
above 1000 messages/s, so the baseline may not even deliver its last update.
Usage: ``python bench/transport.py [--tokens N]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.kernel.frontend import KernelFrontend, running_kernel  # noqa: E402
from tests.servers import Script, ScriptedServer, openai_chunks  # noqa: E402

NAIVE = """
import httpx, json, asyncio
from IPython.display import Markdown, display

async def naive(url):
    handle = display(Markdown(""), display_id=True)
    text = ""
    async with httpx.AsyncClient(timeout=None) as client:
        async with client.stream("POST", url) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    text += json.loads(line[6:])["choices"][0]["delta"].get("content", "")
                    handle.update(Markdown(text))
    return text

naive_task = asyncio.get_running_loop().create_task(naive({url!r}))
"""


@dataclass
class Traffic:
    times: list[float] = field(default_factory=list)
    payload: int = 0
    #: Bytes of display_data / update_display_data for the widget's output.
    output_payload: int = 0
    last_text: str = ""

    def peak_per_second(self) -> int:
        best, start = 0, 0
        for end, t in enumerate(self.times):
            while self.times[start] < t - 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best


def size(content: Any) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode())


def measure_widget(kernel: KernelFrontend, url: str, expected: str) -> Traffic:
    traffic = Traffic()
    # What stream(url) does, in two cells so that the listener knows the model first.
    model_id = kernel.execute(
        "from IPython.display import display\nfrom sse_widget import StreamWidget\n"
        "w = StreamWidget(); display(w); print(w.model_id)"
    ).strip()
    view = kernel.widget(model_id)
    display_id = f"sse-widget-{model_id}"

    def listen(msg: dict[str, Any]) -> None:
        content = msg["content"]
        if msg["msg_type"] == "comm_msg" and content["comm_id"] == model_id:
            traffic.times.append(time.monotonic())
            traffic.payload += size(content["data"])
        elif msg["msg_type"] == "update_display_data" and content.get("transient", {}).get("display_id") == display_id:
            traffic.output_payload += size(content)

    kernel.listeners.append(listen)
    kernel.execute(f"w.start({url!r})")
    kernel.pump(120, until=lambda: view.state.get("status") in ("done", "error"))
    kernel.pump(0.5)
    kernel.listeners.remove(listen)
    traffic.last_text = view.text
    return traffic


def measure_naive(kernel: KernelFrontend, url: str, expected: str) -> Traffic:
    traffic = Traffic()

    def listen(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "update_display_data":
            traffic.times.append(time.monotonic())
            traffic.payload += size(msg["content"])
            traffic.last_text = msg["content"]["data"].get("text/markdown", "")

    kernel.listeners.append(listen)
    kernel.execute(NAIVE.format(url=url))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        kernel.pump(1.0)
        if kernel.execute("print(naive_task.done())").strip() == "True":
            break
    kernel.pump(1.0)
    kernel.listeners.remove(listen)
    return traffic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    args = parser.parse_args()
    tokens = [f"tok{i} " for i in range(args.tokens)]
    expected = "".join(tokens)
    body = b"".join(openai_chunks(tokens))
    step = 16 * 1024
    pieces = [body[i : i + step] for i in range(0, len(body), step)]
    text_bytes = len(expected.encode())
    with ScriptedServer() as server, running_kernel() as kernel:
        url = server.add("/fast", Script.of(pieces))
        ours = measure_widget(kernel, url, expected)
        base = measure_naive(kernel, url, expected)
    print(f"{args.tokens} tokens, {text_bytes:,} bytes of text, sent at full speed")
    for name, traffic in (("sse-widget", ours), ("baseline", base)):
        complete = "complete" if traffic.last_text == expected else f"INCOMPLETE ({len(traffic.last_text):,} chars)"
        print(
            f"{name:10s}  {len(traffic.times):6d} messages  peak {traffic.peak_per_second():5d} msg/s  "
            f"{traffic.payload / text_bytes:8.2f} payload bytes per text byte  final text {complete}"
        )
    print(
        f"            and the saved output's text/plain + text/markdown copies, once: "
        f"{ours.output_payload / text_bytes:.2f} bytes per text byte "
        f"(all IOPub: {(ours.payload + ours.output_payload) / text_bytes:.2f})"
    )
    print(
        f"ratio: baseline sends {base.payload / max(ours.payload + ours.output_payload, 1):.0f}x the bytes "
        f"(all IOPub) and {len(base.times) / max(len(ours.times), 1):.0f}x the messages "
        "(targets: comm payload about 2 bytes per text byte, <= 60 msg/s)"
    )


if __name__ == "__main__":
    main()
