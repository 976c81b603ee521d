"""Wire formats: turn decoded events into text deltas.

Every stream, whatever its framing, reaches this module as a sequence of
:class:`~sse_widget.sse.ServerSentEvent`. A *format* is a small stateful object,
made fresh for each run, whose :meth:`StreamFormat.parse` maps one event to zero
or more :class:`Delta` values. :func:`resolve` picks the format for a run, and
``format="auto"`` lets :func:`detect` decide from the first event.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .sse import ServerSentEvent

__all__ = [
    "Delta",
    "ToolCallDelta",
    "FormatError",
    "StreamFormat",
    "OpenAIChat",
    "OpenAIResponses",
    "Anthropic",
    "DashScope",
    "Ollama",
    "PlainText",
    "CallableFormat",
    "FORMATS",
    "detect",
    "error_message",
    "resolve",
]


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of one streamed tool call: ``key`` tells calls apart, ``name`` and ``id`` come first."""

    key: str
    name: str = ""
    arguments: str = ""
    id: str = ""


@dataclass(frozen=True, slots=True)
class Delta:
    """What one event contributes to the answer."""

    text: str = ""
    reasoning: str = ""
    usage: Mapping[str, int] | None = None
    done: bool = False
    error: str = ""
    #: Set when the server answered with one whole reply instead of a stream.
    not_streamed: bool = False
    #: A piece of a tool call the model is making.
    tool_call: ToolCallDelta | None = None


class FormatError(ValueError):
    """An event that does not fit its format (malformed JSON, wrong shape)."""


def error_message(payload: Any) -> str:
    """The human message inside a provider's error object, whatever its nesting."""
    if isinstance(payload, str):
        return payload
    if isinstance(payload, Mapping):
        for key in ("message", "msg", "detail", "error"):
            if key in payload and payload[key]:
                inner = error_message(payload[key])
                code = payload.get("code") or payload.get("type")
                if code and isinstance(code, str) and code != "error" and code not in inner:
                    return f"{inner} ({code})"
                return inner
    return json.dumps(payload, ensure_ascii=False)[:200]


def _usage(usage: Any) -> dict[str, int]:
    """Normalise provider usage objects to input/output token counts."""
    if not isinstance(usage, Mapping):
        return {}
    found = {
        "input_tokens": usage.get("prompt_tokens", usage.get("input_tokens", usage.get("prompt_eval_count"))),
        "output_tokens": usage.get("completion_tokens", usage.get("output_tokens", usage.get("eval_count"))),
    }
    return {key: value for key, value in found.items() if isinstance(value, int)}


class StreamFormat:
    """Base class: one instance per run, fed events in order."""

    #: Name used by ``format="..."``.
    name: ClassVar[str] = ""
    #: True when a well-formed stream ends with an explicit marker, so a stream
    #: that ends without one was cut short.
    expects_end: ClassVar[bool] = False
    #: True when each text event carries about one token, so counting events
    #: estimates tokens better than counting characters.
    token_events: ClassVar[bool] = False

    def __init__(self) -> None:
        self.events = 0
        #: True once the stream said it is complete (an end marker, a finish reason).
        self.complete = False

    def parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        """Map one event to the deltas it carries."""
        self.events += 1
        deltas = self._parse(event)
        if any(delta.done for delta in deltas):
            self.complete = True
        return deltas

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        raise NotImplementedError

    def _json(self, event: ServerSentEvent) -> Any:
        try:
            return json.loads(event.data)
        except json.JSONDecodeError as exc:
            preview = event.data if len(event.data) <= 60 else event.data[:57] + "..."
            label = f"{event.event!r} event" if event.event not in ("message", "") else "event"
            raise FormatError(
                f"Malformed JSON in {label} #{self.events} ({exc.msg} at char {exc.pos}): {preview!r}"
            ) from None

    def _object(self, event: ServerSentEvent) -> Mapping[str, Any]:
        payload = self._json(event)
        if not isinstance(payload, Mapping):
            raise FormatError(f"Event #{self.events} is not a JSON object: {event.data[:60]!r}")
        return payload


class OpenAIChat(StreamFormat):
    """OpenAI chat completions chunks; also vLLM, Ollama's ``/v1`` and most relays."""

    name = "openai"
    expects_end = True
    token_events = True

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        if event.data.strip() == "[DONE]":
            return [Delta(done=True)]
        payload = self._object(event)
        if "error" in payload:
            return [Delta(error=error_message(payload["error"]))]
        if payload.get("object") == "error":
            return [Delta(error=error_message(payload))]
        deltas: list[Delta] = []
        choices = payload.get("choices") or ()
        if choices:
            choice = choices[0]  # only the first choice is shown
            if "message" in choice and "delta" not in choice:
                message = choice.get("message") or {}
                return [
                    Delta(text=message.get("content") or "", reasoning=message.get("reasoning_content") or ""),
                    Delta(usage=_usage(payload.get("usage")), done=True, not_streamed=True),
                ]
            if choice.get("finish_reason"):
                self.complete = True  # relays without SSE framing often omit [DONE]
            delta = choice.get("delta") or {}
            text = delta.get("content") or delta.get("refusal") or ""
            for call in delta.get("tool_calls") or ():
                function = call.get("function") or {}
                piece = ToolCallDelta(
                    str(call.get("index", call.get("id"))),
                    function.get("name") or "",
                    function.get("arguments") or "",
                    call.get("id") or "",
                )
                deltas.append(Delta(tool_call=piece))
            reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
            if text or reasoning:
                deltas.append(Delta(text=text, reasoning=reasoning))
        if payload.get("usage"):
            deltas.append(Delta(usage=_usage(payload["usage"])))
        return deltas


class OpenAIResponses(StreamFormat):
    """The OpenAI Responses API: typed ``response.*`` events."""

    name = "openai-responses"
    expects_end = True
    token_events = True

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        payload = self._object(event)
        kind = payload.get("type") or event.event
        if kind in ("response.output_text.delta", "response.refusal.delta"):
            return [Delta(text=str(payload.get("delta", "")))]
        if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            return [Delta(reasoning=str(payload.get("delta", "")))]
        if kind == "response.output_item.added":
            item = payload.get("item") or {}
            if item.get("type") == "function_call":
                piece = ToolCallDelta(str(item.get("id")), item.get("name") or "function", item.get("arguments") or "", item.get("call_id") or "")
                return [Delta(tool_call=piece)]
            return ()
        if kind == "response.function_call_arguments.delta":
            return [Delta(tool_call=ToolCallDelta(str(payload.get("item_id")), arguments=str(payload.get("delta", ""))))]
        if kind == "response.completed":
            response = payload.get("response") or {}
            return [Delta(usage=_usage(response.get("usage")), done=True)]
        if kind == "response.incomplete":
            details = (payload.get("response") or {}).get("incomplete_details") or {}
            return [Delta(error=f"The response is incomplete ({details.get('reason', 'no reason given')})")]
        if kind == "response.failed":
            response = payload.get("response") or {}
            return [Delta(error=error_message(response.get("error") or "The response failed"))]
        if kind == "error":
            return [Delta(error=error_message(payload.get("error", payload)))]
        return ()


class Anthropic(StreamFormat):
    """Anthropic Messages: ``content_block_delta`` events, ``ping``, ``message_stop``, ``error``."""

    name = "anthropic"
    expects_end = True

    def __init__(self) -> None:
        super().__init__()
        self.usage: dict[str, int] = {}

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        payload = self._object(event)
        kind = payload.get("type") or event.event
        if kind == "content_block_delta":
            delta = payload.get("delta") or {}
            dtype = delta.get("type")
            if dtype == "text_delta":
                return [Delta(text=str(delta.get("text", "")))]
            if dtype == "thinking_delta":
                return [Delta(reasoning=str(delta.get("thinking", "")))]
            if dtype == "input_json_delta":
                piece = ToolCallDelta(str(payload.get("index")), arguments=str(delta.get("partial_json", "")))
                return [Delta(tool_call=piece)]
            return ()
        if kind == "content_block_start":
            block = payload.get("content_block") or {}
            if block.get("type") == "tool_use":
                piece = ToolCallDelta(str(payload.get("index")), block.get("name") or "tool", "", block.get("id") or "")
                return [Delta(tool_call=piece)]
            return ()
        if kind == "message_start":
            # Its output_tokens is a placeholder (1): the count comes in message_delta.
            started = _usage((payload.get("message") or {}).get("usage"))
            self.usage.update({key: value for key, value in started.items() if key != "output_tokens"})
            return [Delta(usage=dict(self.usage))] if self.usage else ()
        if kind == "message_delta":
            self.usage.update(_usage(payload.get("usage")))
            return [Delta(usage=dict(self.usage))] if self.usage else ()
        if kind == "message_stop":
            return [Delta(done=True)]
        if kind == "error":
            return [Delta(error=error_message(payload.get("error", payload)))]
        if kind == "message" and isinstance(payload.get("content"), list):
            text = "".join(b.get("text", "") for b in payload["content"] if b.get("type") == "text")
            return [Delta(text=text), Delta(usage=_usage(payload.get("usage")), done=True, not_streamed=True)]
        return ()  # ping, content_block_stop and event types added later


class DashScope(StreamFormat):
    """Qwen / DashScope native SSE, with cumulative output turned back into deltas."""

    name = "dashscope"
    expects_end = True

    def __init__(self) -> None:
        super().__init__()
        self.seen = ""
        #: None until the second non-empty text tells whether output is cumulative.
        self.cumulative: bool | None = None

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        payload = self._object(event)
        if event.event == "error" or ("code" in payload and "output" not in payload):
            return [Delta(error=error_message(payload))]
        output = payload.get("output") or {}
        choices = output.get("choices") or ()
        if choices:
            message = choices[0].get("message") or {}
            text = message.get("content") or ""
            if isinstance(text, list):  # multimodal models send content parts
                text = "".join(part.get("text", "") for part in text if isinstance(part, Mapping))
            reasoning = message.get("reasoning_content") or ""
            finish = choices[0].get("finish_reason")
        else:
            text, reasoning, finish = output.get("text") or "", "", output.get("finish_reason")
        deltas = []
        piece = self._increment(text)
        if piece or reasoning:
            deltas.append(Delta(text=piece, reasoning=reasoning))
        if payload.get("usage"):
            deltas.append(Delta(usage=_usage(payload["usage"])))
        if finish not in (None, "", "null"):
            deltas.append(Delta(done=True))
        return deltas

    def _increment(self, text: str) -> str:
        if not text:
            return ""
        if self.cumulative is None and self.seen:
            if text == self.seen:
                return ""  # a repeat says nothing yet (cumulative streams repeat the whole text at the end)
            self.cumulative = text.startswith(self.seen)
        if self.cumulative:
            if text.startswith(self.seen):
                piece = text[len(self.seen) :]
                self.seen = text
                return piece
            self.cumulative = False  # it did not keep growing: it was incremental after all
        self.seen += text
        return text


class Ollama(StreamFormat):
    """Ollama's native NDJSON (``/api/chat`` and ``/api/generate``)."""

    name = "ollama"
    expects_end = True
    token_events = True

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        payload = self._object(event)
        if "error" in payload:
            return [Delta(error=error_message(payload["error"]))]
        message = payload.get("message") or {}
        text = message.get("content") or payload.get("response") or ""
        reasoning = message.get("thinking") or payload.get("thinking") or ""
        deltas = [Delta(text=text, reasoning=reasoning)] if text or reasoning else []
        if payload.get("done"):
            deltas.append(Delta(usage=_usage(payload), done=True))
        return deltas


class PlainText(StreamFormat):
    """The data of each message event is text; ``end_markers`` end the stream."""

    name = "text"

    def __init__(self, end_markers: Iterable[str] = ("[DONE]",)) -> None:
        super().__init__()
        self.end_markers = frozenset(end_markers)

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        if event.event == "error":
            return [Delta(error=event.data.strip() or "an error event with no message")]
        if event.event not in ("message", "text"):
            return ()
        if event.event == "message" and event.data.strip() in self.end_markers:
            return [Delta(done=True)]
        return [Delta(text=event.data)] if event.data else ()


class CallableFormat(StreamFormat):
    """Wraps a user function ``event -> str | Delta | None`` as a format.

    A string is text to show; a :class:`Delta` says more, such as
    ``Delta(done=True)`` to end the stream or ``Delta(error=...)`` to fail it.
    """

    name = "callable"

    def __init__(self, function: Callable[[ServerSentEvent], str | Delta | None]) -> None:
        super().__init__()
        self.function = function

    def _parse(self, event: ServerSentEvent) -> list[Delta] | tuple[()]:
        result = self.function(event)
        if isinstance(result, Delta):
            return [result]
        return [Delta(text=result)] if result else ()


FORMATS: dict[str, type[StreamFormat]] = {
    cls.name: cls for cls in (OpenAIChat, OpenAIResponses, Anthropic, DashScope, Ollama, PlainText)
}

_ANTHROPIC_TYPES = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "ping"}
)


def detect(event: ServerSentEvent) -> StreamFormat:
    """Choose a format from the first event of a stream."""
    if event.event == "text":
        return PlainText()
    data = event.data.strip()
    if data == "[DONE]":
        return OpenAIChat()
    if not data.startswith("{"):
        return PlainText()
    try:
        payload = json.loads(data)
    except json.JSONDecodeError:
        return PlainText()
    if not isinstance(payload, Mapping):
        return PlainText()
    kind = str(payload.get("type") or "")
    if kind.startswith("response.") or event.event.startswith("response."):
        return OpenAIResponses()
    if kind in _ANTHROPIC_TYPES or event.event in _ANTHROPIC_TYPES or (kind == "message" and "content" in payload):
        return Anthropic()
    if kind == "error" and isinstance(payload.get("error"), Mapping) and "type" in payload["error"]:
        return Anthropic()
    if "output" in payload and ("request_id" in payload or "usage" in payload):
        return DashScope()
    if "done" in payload and ("message" in payload or "response" in payload or "model" in payload):
        return Ollama()
    if "choices" in payload or "error" in payload or payload.get("object") in ("error", "chat.completion.chunk"):
        return OpenAIChat()
    if "code" in payload and "message" in payload and "request_id" in payload:
        return DashScope()
    return PlainText()


FormatSpec = str | Callable[[ServerSentEvent], "str | Delta | None"] | StreamFormat


def resolve(spec: FormatSpec) -> StreamFormat | None:
    """A fresh format for one run, or ``None`` when it is to be detected."""
    if isinstance(spec, StreamFormat):
        return copy.deepcopy(spec)  # a retry must not inherit the last run's state
    if isinstance(spec, str):
        if spec == "auto":
            return None
        try:
            return FORMATS[spec]()
        except KeyError:
            known = ", ".join(sorted([*FORMATS, "auto"]))
            raise ValueError(f"Unknown format {spec!r}; use one of: {known}, or a callable") from None
    if callable(spec):
        return CallableFormat(spec)
    raise TypeError(f"format must be a name, a callable or a StreamFormat, not {type(spec).__name__}")
