"""A key in the URL never leaves the widget: not in the error, its detail, the
inspector's rows, the events, a recording or a repr, even when the server
echoes it back in the stream."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.servers import Script, ScriptedServer, sse
from tests.test_run import Recorder

KEY = "AIzaSy-widget-url-key-0123456789"
PASSWORD = "hunter2-userinfo-pass"


async def test_an_echoed_url_key_is_masked_everywhere_the_user_can_see(
    server: ScriptedServer, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    route = "/" + request.node.name
    echo = f"rejected key={KEY} for user:{PASSWORD}"
    chunks = sse(
        json.dumps({"choices": [{"index": 0, "delta": {"content": "partial answer"}}]}),
        json.dumps({"error": {"message": echo, "type": "invalid_request_error"}}),
    )
    url = server.add(route, Script.of(chunks, delay=0.002)).replace("http://", f"http://user:{PASSWORD}@")
    w = Recorder(inspect=True)
    w.start(f"{url}?alt=sse&key={KEY}")
    await asyncio.wait_for(w.wait(), 10)

    assert w.status == "error" and w.text == "partial answer"
    assert "rejected key=***" in w.error
    rows = [row for m in w.sent if m["type"] == "events" for row in m["events"]]
    assert len(rows) == 2 and "rejected key=***" in rows[1][2]
    recording = w.save_recording(tmp_path / "run.jsonl").read_text(encoding="utf-8")
    assert "rejected key=***" in recording
    shown = {
        "error": w.error,
        "error_detail": w.error_detail,
        "inspector": json.dumps(w.sent),
        "events": repr(w.events),
        "recording": recording,
        "repr": repr(w),
        "bundle": json.dumps(w._repr_mimebundle_()),
    }
    for where, text in shown.items():
        assert KEY not in text and PASSWORD not in text, where
    # The request itself went out with the key: it is the server's echo that is masked.
    (sent,) = [c for c in server.connections if c.path == route]
    assert sent.headers["authorization"].startswith("Basic ")
