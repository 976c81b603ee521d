"""Stop-to-disconnect latency: how long after Stop the server sees the socket close.

Measured in one run, on 127.0.0.1, for a server that is flowing (a token every
10 ms), one that has stalled mid-body, and one that has not answered yet:

* ``sse-widget``: ``StreamWidget.stop()`` (task cancellation closes the response);
* ``via kernel``: the Stop comm message a browser sends, into a real ipykernel;
* ``baseline``: the usual hand-written loop that checks a stop flag between
  chunks, which can only notice Stop when the next chunk arrives.

Prints p50/p95 in milliseconds and the ratio of the baseline's p95 to ours.
Usage: ``python bench/stop.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sse_widget import StreamWidget  # noqa: E402
from tests.servers import Connection, Script, ScriptedServer, openai_chunks  # noqa: E402

GIVE_UP = 2.0  # seconds: a disconnect later than this counts as "never"

SCRIPTS = {
    "flowing": lambda: Script.of(openai_chunks(f"w{i} " for i in range(100_000)), delay=0.01),
    "stalled": lambda: Script.of(openai_chunks(["partial"], done=False), stall=True),
    "no headers": lambda: Script(header_delay=60),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.0005)
    return bool(predicate())


def latest(server: ScriptedServer, path: str) -> Connection | None:
    found = [c for c in server.connections if c.path == path]
    return found[-1] if found else None


async def widget_stop(server: ScriptedServer, path: str) -> float:
    count = len([c for c in server.connections if c.path == path])
    widget = StreamWidget().start(server.url + path)
    await until(lambda: len([c for c in server.connections if c.path == path]) > count, 5)
    await asyncio.sleep(0.05)
    connection = latest(server, path)
    assert connection is not None
    stopped = time.monotonic()
    widget.stop()
    if not await until(lambda: connection.disconnected_at is not None, GIVE_UP):
        return float("inf")
    await widget.wait()
    return (connection.disconnected_at - stopped) * 1000


async def baseline_stop(server: ScriptedServer, path: str) -> float:
    count = len([c for c in server.connections if c.path == path])
    stop = asyncio.Event()

    async def read() -> None:
        async with httpx.AsyncClient(timeout=None) as client:
            async with client.stream("POST", server.url + path) as response:
                async for _ in response.aiter_bytes():
                    if stop.is_set():
                        break

    task = asyncio.create_task(read())
    await until(lambda: len([c for c in server.connections if c.path == path]) > count, 5)
    await asyncio.sleep(0.05)
    connection = latest(server, path)
    assert connection is not None
    stopped = time.monotonic()
    stop.set()
    seen = await until(lambda: connection.disconnected_at is not None, GIVE_UP)
    task.cancel()  # clean up whatever the flag could not stop
    await asyncio.gather(task, return_exceptions=True)
    return (connection.disconnected_at - stopped) * 1000 if seen else float("inf")


def kernel_stop(server: ScriptedServer, path: str, runs: int) -> list[float]:
    from tests.kernel.frontend import running_kernel

    latencies = []
    with running_kernel() as kernel:
        kernel.execute("from sse_widget import StreamWidget")
        for _ in range(runs):
            count = len([c for c in server.connections if c.path == path])
            model_id = kernel.execute(f"k = StreamWidget().start({server.url + path!r}); print(k.model_id)").strip()
            server.wait_for(lambda count=count: len([c for c in server.connections if c.path == path]) > count, 5)
            time.sleep(0.05)
            connection = latest(server, path)
            assert connection is not None
            stopped = time.monotonic()
            kernel.send_custom(model_id, {"type": "stop", "run": 1})
            seen = server.wait_for(lambda connection=connection: connection.disconnected_at is not None, GIVE_UP)
            latencies.append((connection.disconnected_at - stopped) * 1000 if seen else float("inf"))
            kernel.pump(0.05)
    return latencies


def summary(values: list[float]) -> str:
    if any(v == float("inf") for v in values):
        never = sum(v == float("inf") for v in values)
        return f"never disconnected within {GIVE_UP:.0f} s in {never}/{len(values)} runs"
    return f"p50 {statistics.median(values):6.2f} ms   p95 {percentile(values, 0.95):6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with ScriptedServer() as server:
        for name, make in SCRIPTS.items():
            path = "/" + name.replace(" ", "-")
            server.add(path, make())
            ours = [asyncio.run(widget_stop(server, path)) for _ in range(args.runs)]
            base = [asyncio.run(baseline_stop(server, path)) for _ in range(args.runs)]
            p95_ours, p95_base = percentile(ours, 0.95), percentile(base, 0.95)
            ratio = "∞" if p95_base == float("inf") else f"{p95_base / p95_ours:.1f}x"
            print(f"{name:10s}  sse-widget {summary(ours)}")
            print(f"{'':10s}  baseline   {summary(base)}   -> sse-widget is {ratio} faster at p95 (target p95 < 100 ms)")
        via_kernel = kernel_stop(server, "/flowing", max(5, args.runs // 3))
        print(f"{'flowing':10s}  via kernel {summary(via_kernel)}   (Stop comm message into a real ipykernel)")


if __name__ == "__main__":
    main()
