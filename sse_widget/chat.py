"""Chat helpers for any OpenAI-compatible endpoint: ``chat()`` for one answer, ``ChatWidget`` for a conversation.

The API key is read from ``api_key=`` or ``OPENAI_API_KEY`` and kept in kernel
memory only: it goes into request headers, never into a synced trait, a repr or
an error message.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import ipywidgets
import traitlets

from .display import WithTextCopies, display_once
from .loop import LoopBound
from .redact import redact_url
from .setup_errors import MissingKeyError
from .toolbar import Toolbar
from .widget import StreamWidget

__all__ = ["ChatWidget", "Endpoint", "chat"]

OPENAI_BASE_URL = "https://api.openai.com/v1"

Messages = list[dict[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible endpoint and its key (which never shows in a repr)."""

    base_url: str = OPENAI_BASE_URL
    api_key: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        # A key may sit in the base URL itself (``?key=...``, ``user:key@host``).
        return f"Endpoint(base_url={redact_url(self.base_url)!r})"

    @classmethod
    def resolve(cls, base_url: str | None = None, api_key: str | None = None) -> Endpoint:
        """Fill in ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` from the environment when not given."""
        url = (base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL).rstrip("/")
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        host = httpx.URL(url).host
        if not key and host == httpx.URL(OPENAI_BASE_URL).host:
            raise MissingKeyError(
                "No API key for api.openai.com: set OPENAI_API_KEY, pass api_key=..., "
                "or point base_url= (OPENAI_BASE_URL) at another endpoint, such as demo.start().base_url"
            )
        return cls(url, key or None)

    @property
    def chat_url(self) -> str:
        """The chat completions URL."""
        return f"{self.base_url}/chat/completions"

    def headers(self) -> dict[str, str]:
        """Request headers, with the key when there is one."""
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def start(self, widget: StreamWidget, model: str, messages: Messages, **options: Any) -> StreamWidget:
        """Start a streamed chat completion in ``widget``."""
        timeout = options.pop("timeout", None)
        client = options.pop("client", None)
        body = {"model": model, "messages": messages, "stream": True, **options}
        return widget.start(self.chat_url, json=body, headers=self.headers(), timeout=timeout, client=client, format="openai")


def as_messages(prompt_or_messages: str | Sequence[Mapping[str, Any]], system: str | None = None) -> Messages:
    """An openai-style ``messages`` list from a prompt string or an existing list."""
    if isinstance(prompt_or_messages, str):
        messages: Messages = [{"role": "user", "content": prompt_or_messages}]
    else:
        messages = [dict(m) for m in prompt_or_messages]
    if system and not (messages and messages[0].get("role") == "system"):
        messages.insert(0, {"role": "system", "content": system})
    return messages


def chat(
    prompt_or_messages: str | Sequence[Mapping[str, Any]],
    *,
    model: str,
    base_url: str | None = None,
    api_key: str | None = None,
    system: str | None = None,
    label: str | None = None,
    markdown: bool = True,
    **params: Any,
) -> StreamWidget:
    """Stream one chat completion from an OpenAI-compatible endpoint into a new, displayed widget.

    ``base_url`` and ``api_key`` default to ``OPENAI_BASE_URL`` and
    ``OPENAI_API_KEY``; other keyword arguments (``temperature=``,
    ``max_tokens=``, ``timeout=``, ``client=``...) go into the request.
    """
    endpoint = Endpoint.resolve(base_url, api_key)
    widget = display_once(StreamWidget(label=model if label is None else label, markdown=markdown))
    return endpoint.start(widget, model, as_messages(prompt_or_messages, system), **params)


class ChatWidget(WithTextCopies, LoopBound, ipywidgets.VBox):
    """A multi-turn conversation: user turns, streamed assistant turns, and controls.

    >>> conversation = ChatWidget(model="gpt-4o-mini")   # doctest: +SKIP
    >>> conversation.send("Hello!")                      # doctest: +SKIP
    >>> conversation.messages                            # doctest: +SKIP

    ``source=`` takes a function of the ``messages`` list returning a Python
    stream (an SDK stream, an iterator of text...), called for each answer
    instead of the endpoint: ``ChatWidget(source=lambda m: client.chat.completions.create(
    model="gpt-4o-mini", messages=m, stream=True))``.
    """

    busy = traitlets.Bool(False, help="True while an answer streams")

    def __init__(
        self,
        *,
        model: str = "",
        base_url: str | None = None,
        api_key: str | None = None,
        system: str | None = None,
        source: Callable[[Messages], Any] | None = None,
        **params: Any,
    ) -> None:
        if not model and source is None:
            raise ValueError("ChatWidget needs model= (an OpenAI-compatible endpoint) or source= (messages -> stream)")
        self.model = model
        self.system = system
        #: Given, each answer streams from ``source(messages)`` instead of the endpoint.
        self.source = source
        self._endpoint = Endpoint.resolve(base_url, api_key) if source is None else None
        self._params = params
        self._turns: list[tuple[str, StreamWidget]] = []  # (user text, assistant widget)
        self._history = ipywidgets.VBox()
        self._history.add_class("sse-chat-history")
        #: The message box and the conversation's one set of controls (each answer shows none of its own).
        self.composer = Toolbar(
            [
                ("send", "Send", "Send the message (Enter; Shift+Enter for a new line)"),
                ("stop", "Stop", "Stop the answer (Esc)"),
                ("retry", "Retry last turn", "Ask for the last answer again"),
                ("clear", "Clear", "Forget the conversation"),
            ],
            input=True,
            placeholder="Message",
        )
        # Messages from the front end may arrive on another thread: runs start on the loop.
        self.composer.on_send(lambda text: self.on_loop(self._send_prompt, text))
        self.composer.on_click("stop", self.stop)
        self.composer.on_click("retry", lambda: self.on_loop(self.retry))
        self.composer.on_click("clear", lambda: self.on_loop(self.clear))
        self.bind_loop()
        super().__init__([self._history, self.composer])
        self.add_class("sse-chat")
        self._sync_buttons()

    @property
    def messages(self) -> Messages:
        """The conversation so far as an openai-style ``messages`` list.

        A stopped answer counts with the text it had; a turn still streaming
        or one that failed with no text is left out.
        """
        messages = as_messages([], self.system)
        for user, answer in self._turns:
            messages.append({"role": "user", "content": user})
            if answer.text and not answer.running:
                messages.append({"role": "assistant", "content": answer.text})
        return messages

    def send(self, text: str) -> StreamWidget:
        """Add a user turn and stream the assistant's answer; returns the answer's widget."""
        if self.busy:
            self.stop()
        history = self.messages + [{"role": "user", "content": text}]
        user = ipywidgets.HTML(
            f'<div class="sse-chat-user" style="white-space: pre-wrap; padding: 6px 10px; border-radius: 6px; '
            f'background: var(--jp-layout-color2, #f0f0f0)">{html.escape(text)}</div>'
        )
        answer = StreamWidget(label=self.model or "assistant", controls=False)
        answer.observe(self._answer_status, "status")
        self._turns.append((text, answer))
        self._history.children = (*self._history.children, user, answer)
        if self.source is not None:
            source = self.source
            answer.start(lambda: source(history))  # a callable: Retry asks the source again
        else:
            assert self._endpoint is not None
            self._endpoint.start(answer, self.model, history, **self._params)
        return answer

    def stop(self) -> None:
        """Stop the answer that is streaming, keeping its text."""
        if self._turns:
            self._turns[-1][1].stop()

    def retry(self) -> StreamWidget | None:
        """Run the last turn again, replacing its answer."""
        if not self._turns:
            return None
        user, answer = self._turns[-1]
        answer.stop()
        self._turns.pop()
        self._history.children = self._history.children[:-2]
        return self.send(user)

    def clear(self) -> None:
        """Forget the conversation."""
        self.stop()
        self._turns.clear()
        self._history.children = ()
        self._sync_buttons()

    async def wait(self) -> str:
        """Wait until the last answer has ended; returns its text."""
        text = await self._turns[-1][1].wait() if self._turns else ""
        self.refresh_displays()  # under the awaiting cell, for headless runs
        return text

    def markdown_copy(self) -> str:
        """The transcript: each user turn and its answer (or error)."""
        turns = [
            f"**You:**\n\n{user}\n\n**{answer.label}:**\n\n{answer.markdown_copy() or f'*({answer.status})*'}"
            for user, answer in self._turns
        ]
        return "\n\n".join(turns)

    def _send_prompt(self, text: str) -> None:
        text = text.strip()
        if text and not self.busy:
            self.send(text)

    def _answer_status(self, change: dict[str, Any]) -> None:
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.busy = bool(self._turns) and self._turns[-1][1].running
        self.composer.enable(send=not self.busy, stop=self.busy, retry=not self.busy and bool(self._turns), clear=bool(self._turns))
