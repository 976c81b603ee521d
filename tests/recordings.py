"""Recorded-style response bodies of every supported wire format, with what they must show.

The bodies follow what the providers send (field names, event names, framing,
end markers); ids and numbers are made up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Recording:
    name: str
    body: bytes
    content_type: str
    text: str
    status: str = "done"
    error: str = ""
    reasoning: str = ""
    output_tokens: int | None = None
    #: The tool calls it must show: ``{"id", "name", "arguments"}`` each.
    tool_calls: tuple[dict[str, str], ...] = ()


def _sse(*events: tuple[str | None, Any], crlf: bool = False) -> bytes:
    out = []
    for name, data in events:
        block = f"event: {name}\n" if name else ""
        payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        block += f"data: {payload}\n\n"
        out.append(block)
    text = "".join(out)
    return (text.replace("\n", "\r\n") if crlf else text).encode()


def _chat_chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-9x",
        "object": "chat.completion.chunk",
        "created": 1730000000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        **extra,
    }


OPENAI_CHAT = Recording(
    "openai-chat",
    _sse(
        (None, _chat_chunk({"role": "assistant", "content": "", "refusal": None})),
        (None, _chat_chunk({"content": "Hello"})),
        (None, _chat_chunk({"content": ", wörld"})),
        (None, _chat_chunk({"content": " \u2028 line sep 🚀"})),
        (None, _chat_chunk({}, "stop")),
        (None, {"id": "chatcmpl-9x", "object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}}),
        (None, "[DONE]"),
    ),
    "text/event-stream; charset=utf-8",
    "Hello, wörld \u2028 line sep 🚀",
    output_tokens=4,
)

VLLM_REASONING_TOOLS = Recording(
    "vllm-reasoning-and-tools",
    _sse(
        (None, _chat_chunk({"role": "assistant", "reasoning_content": "Think "})),
        (None, _chat_chunk({"reasoning_content": "first."})),
        (None, _chat_chunk({"content": "Calling a tool."})),
        (None, _chat_chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]})),
        (None, _chat_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]})),
        (None, _chat_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]})),
        (None, _chat_chunk({}, "tool_calls")),
        (None, "[DONE]"),
    ),
    "text/event-stream",
    "Calling a tool.",
    reasoning="Think first.",
    tool_calls=({"id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'},),
)

ANTHROPIC_TOOL_USE = Recording(
    "anthropic-tool-use",
    _sse(
        ("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "content": [], "stop_reason": None, "usage": {"input_tokens": 12, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me check."}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"city": "Par'}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": 'is"}'}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None}, "usage": {"output_tokens": 20}}),
        ("message_stop", {"type": "message_stop"}),
    ),
    "text/event-stream",
    "Let me check.",
    output_tokens=20,
    tool_calls=({"id": "toolu_1", "name": "get_weather", "arguments": '{"city": "Paris"}'},),
)

OPENAI_RESPONSES_TOOL = Recording(
    "openai-responses-function-call",
    _sse(
        ("response.created", {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1", "object": "response", "created_at": 1730000000, "model": "gpt-4o-mini", "output": [], "status": "in_progress", "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}}),
        ("response.output_item.added", {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": "", "status": "in_progress"}}),
        ("response.function_call_arguments.delta", {"type": "response.function_call_arguments.delta", "sequence_number": 2, "output_index": 0, "item_id": "fc_1", "delta": '{"city": '}),
        ("response.function_call_arguments.delta", {"type": "response.function_call_arguments.delta", "sequence_number": 3, "output_index": 0, "item_id": "fc_1", "delta": '"Paris"}'}),
        ("response.completed", {"type": "response.completed", "sequence_number": 4, "response": {"id": "resp_1", "object": "response", "created_at": 1730000000, "model": "gpt-4o-mini", "output": [{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}', "status": "completed"}], "status": "completed", "parallel_tool_calls": True, "tool_choice": "auto", "tools": [], "usage": {"input_tokens": 10, "output_tokens": 7, "total_tokens": 17, "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}}}}),
    ),
    "text/event-stream",
    "",
    output_tokens=7,
    tool_calls=({"id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'},),
)

OPENAI_CHAT_CRLF_ERROR = Recording(
    "openai-chat-crlf-in-band-error",
    _sse(
        (None, _chat_chunk({"content": "Partial"})),
        (None, {"error": {"message": "The server had an error while processing your request.", "type": "server_error", "param": None, "code": None}}),
        crlf=True,
    ),
    "text/event-stream",
    "Partial",
    status="error",
    error="The server had an error while processing your request.",
)

OLD_UNWRAPPED_ERROR = Recording(
    "openai-compatible-unwrapped-error",
    _sse(
        (None, _chat_chunk({"content": "Some"})),
        (None, {"object": "error", "message": "This model's maximum context length is 4096 tokens.", "type": "BadRequestError", "code": 400}),
    ),
    "text/event-stream",
    "Some",
    status="error",
    error="maximum context length is 4096 tokens",
)

OPENAI_RESPONSES = Recording(
    "openai-responses",
    _sse(
        ("response.created", {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1", "status": "in_progress"}}),
        ("response.in_progress", {"type": "response.in_progress", "sequence_number": 1, "response": {"id": "resp_1"}}),
        ("response.reasoning_summary_text.delta", {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "delta": "Plan it."}),
        ("response.output_item.added", {"type": "response.output_item.added", "item": {"id": "msg_1", "type": "message"}}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Typed "}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "events."}),
        ("response.output_text.done", {"type": "response.output_text.done", "item_id": "msg_1", "text": "Typed events."}),
        ("response.completed", {"type": "response.completed", "response": {"id": "resp_1", "status": "completed", "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}}}),
    ),
    "text/event-stream",
    "Typed events.",
    reasoning="Plan it.",
    output_tokens=2,
)

OPENAI_RESPONSES_FAILED = Recording(
    "openai-responses-failed",
    _sse(
        ("response.created", {"type": "response.created", "response": {"id": "resp_2"}}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "delta": "Half"}),
        ("response.failed", {"type": "response.failed", "response": {"id": "resp_2", "status": "failed", "error": {"code": "server_error", "message": "The model failed to generate a response."}}}),
    ),
    "text/event-stream",
    "Half",
    status="error",
    error="The model failed to generate a response.",
)

ANTHROPIC = Recording(
    "anthropic-messages",
    _sse(
        ("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5", "usage": {"input_tokens": 25, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Hmm."}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "abc"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("ping", {"type": "ping"}),
        ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Bonjour"}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": " à tous"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 15}}),
        ("message_stop", {"type": "message_stop"}),
    ),
    "text/event-stream; charset=utf-8",
    "Bonjour à tous",
    reasoning="Hmm.",
    output_tokens=15,
)

ANTHROPIC_ERROR = Recording(
    "anthropic-in-band-error",
    _sse(
        ("message_start", {"type": "message_start", "message": {"id": "msg_2", "usage": {"input_tokens": 3, "output_tokens": 1}}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Started"}}),
        ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    ),
    "text/event-stream",
    "Started",
    status="error",
    error="Overloaded (overloaded_error)",
)

DASHSCOPE_INCREMENTAL = Recording(
    "dashscope-incremental",
    b"".join(
        f"id:{i + 1}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(payload, ensure_ascii=False)}\n\n".encode()
        for i, payload in enumerate(
            [
                {"output": {"choices": [{"message": {"content": "你好", "role": "assistant"}, "finish_reason": "null"}]}, "usage": {"total_tokens": 11, "input_tokens": 10, "output_tokens": 1}, "request_id": "r1"},
                {"output": {"choices": [{"message": {"content": "，世界", "role": "assistant"}, "finish_reason": "null"}]}, "usage": {"total_tokens": 13, "input_tokens": 10, "output_tokens": 3}, "request_id": "r1"},
                {"output": {"choices": [{"message": {"content": "", "role": "assistant"}, "finish_reason": "stop"}]}, "usage": {"total_tokens": 13, "input_tokens": 10, "output_tokens": 3}, "request_id": "r1"},
            ]
        )
    ),
    "text/event-stream;charset=UTF-8",
    "你好，世界",
    output_tokens=3,
)

DASHSCOPE_CUMULATIVE = Recording(
    "dashscope-cumulative",
    b"".join(
        f"id:{i + 1}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(payload, ensure_ascii=False)}\n\n".encode()
        for i, payload in enumerate(
            [
                {"output": {"text": "The", "finish_reason": "null"}, "usage": {"output_tokens": 1, "input_tokens": 4}, "request_id": "r2"},
                {"output": {"text": "The quick", "finish_reason": "null"}, "usage": {"output_tokens": 2, "input_tokens": 4}, "request_id": "r2"},
                {"output": {"text": "The quick brown fox", "finish_reason": "null"}, "usage": {"output_tokens": 4, "input_tokens": 4}, "request_id": "r2"},
                {"output": {"text": "The quick brown fox.", "finish_reason": "stop"}, "usage": {"output_tokens": 5, "input_tokens": 4}, "request_id": "r2"},
            ]
        )
    ),
    "text/event-stream",
    "The quick brown fox.",
    output_tokens=5,
)

DASHSCOPE_ERROR = Recording(
    "dashscope-error-event",
    b'id:1\nevent:error\n:HTTP_STATUS/400\ndata:{"code":"InvalidParameter","message":"Range of input length should be [1, 30720]","request_id":"r3"}\n\n',
    "text/event-stream",
    "",
    status="error",
    error="Range of input length should be [1, 30720] (InvalidParameter)",
)

OLLAMA_CHAT = Recording(
    "ollama-chat-ndjson",
    b"".join(
        json.dumps(line).encode() + b"\n"
        for line in [
            {"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", "message": {"role": "assistant", "content": "Why"}, "done": False},
            {"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", "message": {"role": "assistant", "content": " hello"}, "done": False},
            {"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", "message": {"role": "assistant", "content": "!"}, "done": False},
            {"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop", "total_duration": 1, "prompt_eval_count": 26, "eval_count": 3},
        ]
    ),
    "application/x-ndjson",
    "Why hello!",
    output_tokens=3,
)

OLLAMA_GENERATE = Recording(
    "ollama-generate-ndjson",
    b"".join(
        json.dumps(line).encode() + b"\n"
        for line in [
            {"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", "response": "The", "done": False},
            {"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", "response": " sky", "done": False},
            {"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", "response": "", "done": True, "context": [1, 2], "eval_count": 2},
        ]
    ),
    "application/x-ndjson",
    "The sky",
    output_tokens=2,
)

PLAIN_SSE_TEXT = Recording(
    "plain-sse-text",
    b"\xef\xbb\xbf: a comment\nretry: 1000\n\ndata: Hello\n\ndata:  two spaces\n\nid: 7\n\ndata: multi\ndata: line\n\ndata: [DONE]\n\n",
    "text/event-stream",
    "Hello two spacesmulti\nline",
)

RAW_TEXT = Recording(
    "raw-chunked-text",
    "Raw text, streamed in chunks: ünïcödé and 🚀 across boundaries.".encode(),
    "text/plain; charset=utf-8",
    "Raw text, streamed in chunks: ünïcödé and 🚀 across boundaries.",
)

BACK_TO_BACK_JSON = Recording(
    "back-to-back-json",
    b"".join(json.dumps(_chat_chunk({"content": t})).encode() for t in ["No ", "framing ", "at all."])
    + json.dumps(_chat_chunk({}, "stop")).encode(),
    "application/json",
    "No framing at all.",
)

NOT_STREAMED = Recording(
    "non-streaming-json-reply",
    json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Whole answer at once."}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 5}}).encode(),
    "application/json",
    "Whole answer at once.",
    output_tokens=5,
)

MALFORMED = Recording(
    "malformed-json-event",
    _sse((None, _chat_chunk({"content": "Good"})), (None, '{"choices": [{"delta": {"content": "bad"}')),
    "text/event-stream",
    "Good",
    status="error",
    error="Malformed JSON in event #2",
)

ALL = [
    OPENAI_CHAT,
    VLLM_REASONING_TOOLS,
    ANTHROPIC_TOOL_USE,
    OPENAI_RESPONSES_TOOL,
    OPENAI_CHAT_CRLF_ERROR,
    OLD_UNWRAPPED_ERROR,
    OPENAI_RESPONSES,
    OPENAI_RESPONSES_FAILED,
    ANTHROPIC,
    ANTHROPIC_ERROR,
    DASHSCOPE_INCREMENTAL,
    DASHSCOPE_CUMULATIVE,
    DASHSCOPE_ERROR,
    OLLAMA_CHAT,
    OLLAMA_GENERATE,
    PLAIN_SSE_TEXT,
    RAW_TEXT,
    BACK_TO_BACK_JSON,
    NOT_STREAMED,
    MALFORMED,
]
