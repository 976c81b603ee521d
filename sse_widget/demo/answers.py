"""The canned answers the demo streams, and how a prompt picks one."""

from __future__ import annotations

import hashlib
import re

__all__ = ["ANSWERS", "pick_answer", "tokenize"]

ANSWERS: tuple[str, ...] = (
    """## How streaming works

A language model writes its answer **one token at a time**. Instead of waiting for
the whole reply, the server sends each token as soon as it exists, using
*server-sent events*: a long-lived HTTP response whose body is a series of small
`data:` lines.

1. The client sends the prompt with `"stream": true`.
2. The server answers `200 OK` with `Content-Type: text/event-stream`.
3. Every few milliseconds a chunk arrives, carrying the next piece of text.
4. A final `data: [DONE]` says the answer is complete.

Stopping early is cheap: closing the connection tells the server to stop
generating, so you stop paying for tokens you will never read.""",
    """Here is a small Python function that reads such a stream:

```python
import httpx

def read_stream(url: str, payload: dict) -> str:
    parts = []
    with httpx.stream("POST", url, json=payload) as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                parts.append(line[6:])
    return "".join(parts)
```

| part | what it does |
|------|--------------|
| `httpx.stream` | opens the response without reading the body |
| `iter_lines` | yields the body line by line as it arrives |
| `[DONE]` | the end marker of OpenAI-style streams |

That sketch is not quite right for every server — real decoders must handle
`\\r\\n` line endings, comments and multi-line events — but it shows the idea.""",
    """Streaming changes how an interface *feels*:

- **Time to first token** matters more than total time: people start reading at once.
- A blinking cursor ▋ shows that more is coming.
- A **Stop** button must really stop — close the connection — or the model keeps
  generating (and billing) in the background.

Unicode travels too: 你好，世界 — こんにちは — emoji 🚀✨ — and math like *e^iπ + 1 = 0*.

> Tip: in a notebook, start the stream as a background task so the cell returns
> and the Stop button keeps working while text flows.""",
)

_TOKEN = re.compile(r"\s*\S+|\s+")
#: Topic words, most specific first; each must appear as a whole word.
_TOPICS = ((2, re.compile(r"\bunicode\b")), (1, re.compile(r"\bcode\b")), (0, re.compile(r"\bstream")))


def tokenize(text: str) -> list[str]:
    """Split text into word-sized pieces that keep their leading whitespace."""
    return _TOKEN.findall(text)


def pick_answer(prompt: str) -> str:
    """The canned answer for a prompt: the same prompt always gets the same answer."""
    lowered = prompt.lower()
    for index, topic in _TOPICS:
        if topic.search(lowered):
            return ANSWERS[index]
    return ANSWERS[hashlib.sha256(prompt.encode()).digest()[0] % len(ANSWERS)]
