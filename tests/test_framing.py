"""The non-SSE framings: NDJSON, back-to-back JSON values, raw text, and sniffing between the last two."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from typing import Any, Protocol

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sse_widget import framing
from sse_widget.framing import (
    JSONSequenceDecoder,
    JSONSequenceError,
    NDJSONDecoder,
    SniffingDecoder,
    TextDecoder,
)
from sse_widget.sse import ServerSentEvent


class Decoder(Protocol):
    def feed(self, chunk: bytes) -> list[ServerSentEvent]: ...

    def end(self) -> list[ServerSentEvent]: ...


def run(decoder: Decoder, *chunks: bytes) -> list[ServerSentEvent]:
    """Feed ``chunks`` to ``decoder`` and end the stream; return every event."""
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.end()
    return events


def ndjson(*chunks: bytes) -> list[str]:
    events = run(NDJSONDecoder(), *chunks)
    assert all(e.event == "message" and e.id == "" and e.retry is None for e in events)
    return [e.data for e in events]


def jsonseq(*chunks: bytes) -> list[str]:
    events = run(JSONSequenceDecoder(), *chunks)
    assert all(e.event == "message" and e.id == "" and e.retry is None for e in events)
    return [e.data for e in events]


def one_byte_chunks(stream: bytes) -> list[bytes]:
    return [stream[i : i + 1] for i in range(len(stream))]


@st.composite
def splits(draw: st.DrawFn, stream: bytes) -> list[bytes]:
    """``stream`` cut at arbitrary points, including empty and one-byte chunks."""
    mode = draw(st.sampled_from(["bytes", "lines", "random", "random"]))
    if mode == "bytes":
        return one_byte_chunks(stream)
    if mode == "lines":
        return re.findall(rb"[^\n]*\n?", stream)
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in pairwise(bounds)]


# -- NDJSON -------------------------------------------------------------------


def test_ndjson_one_event_per_line() -> None:
    assert ndjson(b'{"a":1}\n{"b":2}\n') == ['{"a":1}', '{"b":2}']


def test_ndjson_event_is_a_message_with_the_line_as_data() -> None:
    assert run(NDJSONDecoder(), b'{"a": 1}\n') == [ServerSentEvent("message", '{"a": 1}', "", None)]


def test_ndjson_trailing_cr_is_stripped() -> None:
    assert ndjson(b'{"a":1}\r\n{"b":2}\r\n') == ['{"a":1}', '{"b":2}']


def test_ndjson_crlf_split_across_chunks() -> None:
    assert ndjson(b'{"a":1}\r', b'\n{"b":2}\r', b"", b"\n") == ['{"a":1}', '{"b":2}']


def test_ndjson_only_one_trailing_cr_is_stripped() -> None:
    assert ndjson(b"a\r\r\n") == ["a\r"]


def test_ndjson_cr_inside_a_line_is_kept() -> None:
    assert ndjson(b"a\rb\n") == ["a\rb"]


def test_ndjson_cr_alone_does_not_end_a_line() -> None:
    assert ndjson(b"a\rb\r") == ["a\rb"]


def test_ndjson_blank_lines_are_skipped() -> None:
    assert ndjson(b"\n\na\n\r\n \t\n\nb\n\n") == ["a", "b"]


def test_ndjson_surrounding_spaces_are_kept() -> None:
    assert ndjson(b"  a \n") == ["  a "]


def test_ndjson_unicode_line_separators_do_not_end_lines() -> None:
    assert ndjson("a\u2028b\x85c\x0bd\n".encode()) == ["a\u2028b\x85c\x0bd"]


def test_ndjson_line_split_across_chunks() -> None:
    assert ndjson(b'{"a"', b":1", b"}\n{", b'"b":2}\n') == ['{"a":1}', '{"b":2}']


def test_ndjson_multibyte_character_split_across_chunks() -> None:
    stream = '{"t":"é😀"}\n'.encode()
    for cut in range(len(stream) + 1):
        assert ndjson(stream[:cut], stream[cut:]) == ['{"t":"é😀"}'], cut


def test_ndjson_invalid_utf8_becomes_replacement_characters() -> None:
    assert ndjson(b"a\xffb\n\xe2\x82\n") == ["a\ufffdb", "\ufffd"]


def test_ndjson_end_emits_unterminated_last_line() -> None:
    decoder = NDJSONDecoder()
    assert decoder.feed(b'{"a":1}\n{"b"') == [ServerSentEvent(data='{"a":1}')]
    assert decoder.feed(b":2}") == []
    assert decoder.end() == [ServerSentEvent(data='{"b":2}')]


def test_ndjson_end_strips_cr_of_unterminated_line() -> None:
    assert ndjson(b"a\nb\r") == ["a", "b"]


def test_ndjson_end_skips_blank_unterminated_line() -> None:
    assert ndjson(b"a\n  ") == ["a"]
    assert NDJSONDecoder().end() == []


def test_ndjson_end_resets() -> None:
    decoder = NDJSONDecoder()
    decoder.feed(b"a\nb")
    decoder.end()
    assert run(decoder, b"c\n") == [ServerSentEvent(data="c")]


NDJSON_CHARS = st.sampled_from(["a", "{", "}", '"', " ", "\t", "\r", "é", "😀", "\u2028", "\x00"])
NDJSON_LINES = st.lists(st.text(alphabet=NDJSON_CHARS, max_size=8), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_ndjson_any_chunking_gives_the_same_events(data: st.DataObject) -> None:
    lines = data.draw(NDJSON_LINES)
    ending = data.draw(st.sampled_from(["\n", "\r\n"]))
    trailer = data.draw(st.sampled_from(["", "tail", "tail\r", " "]))
    stream = (ending.join(lines) + ending + trailer).encode()
    expected = [
        line[:-1] if ending == "\n" and line.endswith("\r") else line
        for line in [*lines, trailer[:-1] if trailer.endswith("\r") else trailer]
    ]
    expected = [line for line in expected if line.strip(" \t\r")]
    chunks = data.draw(splits(stream))
    assert ndjson(*chunks) == ndjson(stream) == expected


# -- JSON sequence ------------------------------------------------------------


def test_jsonseq_back_to_back_objects() -> None:
    assert jsonseq(b'{"a":1}{"a":2} {"a":3}\n') == ['{"a":1}', '{"a":2}', '{"a":3}']


def test_jsonseq_any_json_whitespace_between_values() -> None:
    assert jsonseq(b' \t\r\n[1] \n\n "s"\t\r\ntrue\n') == ["[1]", '"s"', "true"]


def test_jsonseq_data_is_exact_source_text() -> None:
    source = '{ "a" : [ 1.50, 2e3, "\\u00e9" ],\n  "b": {} }'
    assert jsonseq(source.encode()) == [source]


def test_jsonseq_values_of_every_type_back_to_back() -> None:
    assert jsonseq(b'{}[]""true false null 1 -2.5e3"x"[0]') == [
        "{}", "[]", '""', "true", "false", "null", "1", "-2.5e3", '"x"', "[0]",
    ]


def test_jsonseq_value_split_across_chunks_waits() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b'{"a": [1, ') == []
    assert decoder.feed(b'2]}{"b"') == [ServerSentEvent(data='{"a": [1, 2]}')]
    assert decoder.feed(b": 3}") == [ServerSentEvent(data='{"b": 3}')]
    assert decoder.end() == []


def test_jsonseq_braces_and_escaped_quotes_inside_strings() -> None:
    stream = b'{"s": "}]\\"{["}["\\\\", "]"]'
    expected = ['{"s": "}]\\"{["}', '["\\\\", "]"]']
    assert jsonseq(stream) == expected
    assert jsonseq(*one_byte_chunks(stream)) == expected
    for cut in range(len(stream) + 1):
        assert jsonseq(stream[:cut], stream[cut:]) == expected, cut


def test_jsonseq_top_level_number_waits_for_a_boundary() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b"12") == []
    assert decoder.feed(b"3") == []
    assert decoder.feed(b" ") == [ServerSentEvent(data="123")]


def test_jsonseq_number_waits_through_fraction_and_exponent() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b"1.") == []
    assert decoder.feed(b"5e") == []
    assert decoder.feed(b"-") == []
    assert decoder.feed(b"2\n") == [ServerSentEvent(data="1.5e-2")]


def test_jsonseq_number_ended_by_next_value() -> None:
    assert jsonseq(b'1{"a":1}2[3]4"x"') == ["1", '{"a":1}', "2", "[3]", "4", '"x"']


def test_jsonseq_number_is_emitted_once_a_non_number_character_follows() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b"1-2 ") == [ServerSentEvent(data="1"), ServerSentEvent(data="-2")]
    assert decoder.feed(b"3.x") == [ServerSentEvent(data="3")]


def test_jsonseq_number_at_end_of_stream_is_emitted_by_end() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b"[1] 42") == [ServerSentEvent(data="[1]")]
    assert decoder.end() == [ServerSentEvent(data="42")]


def test_jsonseq_literal_at_end_of_buffer_is_emitted_at_once() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b"tr") == []
    assert decoder.feed(b"ue") == [ServerSentEvent(data="true")]


def test_jsonseq_huge_integer_is_fine() -> None:
    digits = "9" * 6000
    assert jsonseq(f"[{digits}] {digits}".encode()) == [f"[{digits}]", digits]


def test_jsonseq_multibyte_character_split_across_chunks() -> None:
    stream = '{"t":"é😀"}"ü"'.encode()
    for cut in range(len(stream) + 1):
        assert jsonseq(stream[:cut], stream[cut:]) == ['{"t":"é😀"}', '"ü"'], cut


def test_jsonseq_whitespace_only_stream() -> None:
    assert jsonseq(b" \n\t\r ") == []
    assert jsonseq() == []


def test_jsonseq_garbage_raises_at_end_with_leftover() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b'{"a":1} <html>oops') == [ServerSentEvent(data='{"a":1}')]
    assert decoder.feed(b'{"b":2}') == []
    with pytest.raises(ValueError, match=r"not a complete JSON value: '<html>oops\{\"b\":2\}'"):
        decoder.end()


def test_jsonseq_garbage_error_is_a_value_error_with_events() -> None:
    decoder = JSONSequenceDecoder()
    decoder.feed(b"[1] 7 x")
    with pytest.raises(JSONSequenceError) as caught:
        decoder.end()
    assert isinstance(caught.value, ValueError)
    assert caught.value.events == []
    decoder.feed(b"[1] 7.x")
    with pytest.raises(JSONSequenceError) as caught:
        decoder.end()
    assert "'.x'" in str(caught.value)


def test_jsonseq_number_followed_by_garbage_at_end() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b"[1] 7e") == [ServerSentEvent(data="[1]")]
    with pytest.raises(JSONSequenceError, match="'e'") as caught:
        decoder.end()
    assert caught.value.events == [ServerSentEvent(data="7")]


def test_jsonseq_truncated_value_raises_at_end() -> None:
    decoder = JSONSequenceDecoder()
    decoder.feed(b'{"a":1}{"b": [1, 2')
    with pytest.raises(ValueError, match=r"""'\{"b": \[1, 2'"""):
        decoder.end()


def test_jsonseq_invalid_value_that_closes_raises_at_end() -> None:
    decoder = JSONSequenceDecoder()
    assert decoder.feed(b"{a: 1} [2]") == []
    with pytest.raises(ValueError, match=r"'\{a: 1\} \[2\]'"):
        decoder.end()


def test_jsonseq_leftover_in_message_is_truncated() -> None:
    decoder = JSONSequenceDecoder()
    decoder.feed(b"<" + b"x" * 500)
    with pytest.raises(ValueError) as caught:
        decoder.end()
    message = str(caught.value)
    assert "'<" + "x" * 79 + "...'" in message
    assert len(message) < 200


def test_jsonseq_end_resets_after_error() -> None:
    decoder = JSONSequenceDecoder()
    decoder.feed(b"oops")
    with pytest.raises(ValueError):
        decoder.end()
    assert run(decoder, b"[1]") == [ServerSentEvent(data="[1]")]


def test_jsonseq_deep_nesting_is_reported_not_crashing() -> None:
    decoder = JSONSequenceDecoder()
    depth = 100_000
    assert decoder.feed(b"[" * depth) == []
    assert decoder.feed(b"]" * depth) == []
    with pytest.raises(ValueError):
        decoder.end()


@pytest.fixture
def raw_decode_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the JSON decoder's parse attempts: one entry per call, its start offset."""
    calls: list[int] = []
    real = framing._RAW_DECODE

    def counting(text: str, pos: int) -> tuple[Any, int]:
        calls.append(pos)
        return real(text, pos)

    monkeypatch.setattr(framing, "_RAW_DECODE", counting)
    return calls


def test_jsonseq_huge_value_in_small_chunks_is_parsed_once(raw_decode_calls: list[int]) -> None:
    value = json.dumps({"items": [{"k": i, "s": "}]\"{["} for i in range(2000)]})
    stream = value.encode()
    decoder = JSONSequenceDecoder()
    events: list[ServerSentEvent] = []
    for start in range(0, len(stream), 7):
        events += decoder.feed(stream[start : start + 7])
    events += decoder.end()
    assert [e.data for e in events] == [value]
    assert len(raw_decode_calls) == 2


def test_jsonseq_escapes_split_from_what_they_escape_are_parsed_once(raw_decode_calls: list[int]) -> None:
    stream = b'{"a": "x\\"}\\\\\\"]", "b": ["\\\\", "\\""]}"\\"\\\\"'
    expected = ['{"a": "x\\"}\\\\\\"]", "b": ["\\\\", "\\""]}', '"\\"\\\\"']
    assert [json.loads(text) for text in expected] == [{"a": 'x"}\\"]', "b": ["\\", '"']}, '"\\']
    assert jsonseq(*one_byte_chunks(stream)) == expected
    assert len(raw_decode_calls) == 4


def test_jsonseq_huge_number_in_small_chunks_is_parsed_once(raw_decode_calls: list[int]) -> None:
    stream = b"-" + b"7" * 3000 + b".5 "
    decoder = JSONSequenceDecoder()
    events: list[ServerSentEvent] = []
    for start in range(0, len(stream), 3):
        events += decoder.feed(stream[start : start + 3])
    assert [e.data for e in events] == [stream.decode().strip()]
    assert len(raw_decode_calls) == 2


JSON_STRING_CHARS = st.sampled_from(["a", '"', "\\", "{", "}", "[", "]", "é", "😀", "\n", " "])
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=JSON_STRING_CHARS, max_size=6),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet='ab"{}\\', max_size=3), children, max_size=4),
    max_leaves=8,
)


@st.composite
def json_streams(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """Values serialized back to back with random (possibly no) whitespace between."""
    texts: list[str] = []
    parts: list[str] = [draw(st.sampled_from(["", " ", "\n"]))]
    for value in draw(st.lists(JSON_VALUES, max_size=8)):
        text = json.dumps(
            value,
            ensure_ascii=draw(st.booleans()),
            indent=draw(st.sampled_from([None, None, 2])),
            separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])),
        )
        gap = draw(st.sampled_from(["", "", " ", "\n", "\r\n", "\t "]))
        if texts and not gap and texts[-1][-1] in "0123456789.eE" and text[0] in "-0123456789":
            gap = " "
        parts += [gap, text]
        texts.append(text)
    parts.append(draw(st.sampled_from(["", " ", "\n"])))
    return "".join(parts).encode(), texts


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_jsonseq_any_chunking_gives_the_source_texts(data: st.DataObject) -> None:
    stream, texts = data.draw(json_streams())
    chunks = data.draw(splits(stream))
    assert jsonseq(*chunks) == jsonseq(stream) == texts


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_jsonseq_any_chunking_gives_the_same_outcome_on_bad_input(data: st.DataObject) -> None:
    pieces = st.sampled_from(
        ['{"a":1}', "[", "]", "{", "}", '"', "\\", "1", "-", ".", "e", "tru", "e", " ", "x", "null"]
    )
    stream = "".join(data.draw(st.lists(pieces, max_size=12))).encode()
    chunks = data.draw(splits(stream))

    def outcome(parts: list[bytes]) -> tuple[list[str], str | None]:
        decoder = JSONSequenceDecoder()
        events: list[ServerSentEvent] = []
        for part in parts:
            events += decoder.feed(part)
        try:
            events += decoder.end()
        except JSONSequenceError as error:
            return [e.data for e in events + error.events], str(error)
        return [e.data for e in events], None

    assert outcome(chunks) == outcome([stream])


# -- text ---------------------------------------------------------------------


def test_text_each_chunk_becomes_one_text_event() -> None:
    assert run(TextDecoder(), b"Hello", b", world") == [
        ServerSentEvent("text", "Hello", "", None),
        ServerSentEvent("text", ", world", "", None),
    ]


def test_text_keeps_line_breaks_and_whitespace() -> None:
    assert [e.data for e in run(TextDecoder(), b" a\r\n\n b ")] == [" a\r\n\n b "]


def test_text_empty_chunk_gives_no_event() -> None:
    assert run(TextDecoder(), b"", b"a", b"") == [ServerSentEvent("text", "a", "", None)]


def test_text_multibyte_character_split_across_chunks() -> None:
    decoder = TextDecoder()
    assert decoder.feed(b"caf\xc3") == [ServerSentEvent("text", "caf", "", None)]
    assert decoder.feed(b"\xa9 \xf0\x9f") == [ServerSentEvent("text", "é ", "", None)]
    assert decoder.feed(b"\x98") == []
    assert decoder.feed(b"\x80!") == [ServerSentEvent("text", "😀!", "", None)]


def test_text_invalid_utf8_becomes_replacement_characters() -> None:
    assert [e.data for e in run(TextDecoder(), b"a\xffb")] == ["a\ufffdb"]


def test_text_end_flushes_incomplete_character() -> None:
    decoder = TextDecoder()
    assert decoder.feed(b"a\xe2\x82") == [ServerSentEvent("text", "a", "", None)]
    assert decoder.end() == [ServerSentEvent("text", "\ufffd", "", None)]
    assert decoder.end() == []
    assert decoder.feed(b"\xac") == [ServerSentEvent("text", "\ufffd", "", None)]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_text_any_chunking_gives_the_same_text(data: st.DataObject) -> None:
    pieces = st.sampled_from(
        [b"a", b"\n", b"\xc3\xa9", b"\xf0\x9f\x98\x80", b"\xe2", b"\x82", b"\xff", b"\xf0"]
    )
    stream = b"".join(data.draw(st.lists(pieces, max_size=30)))
    chunks = data.draw(splits(stream))
    events = run(TextDecoder(), *chunks)
    assert all(e.event == "text" and e.data for e in events)
    assert "".join(e.data for e in events) == stream.decode("utf-8", "replace")


# -- sniffing -----------------------------------------------------------------


def sniffed(*chunks: bytes) -> list[tuple[str, str]]:
    return [(e.event, e.data) for e in run(SniffingDecoder(), *chunks)]


def test_sniffing_object_start_means_json() -> None:
    assert sniffed(b'{"a":1}', b'{"a":2}') == [("message", '{"a":1}'), ("message", '{"a":2}')]


def test_sniffing_array_start_after_whitespace_means_json() -> None:
    assert sniffed(b" \n", b"\t ", b" [1]\n[2]") == [("message", "[1]"), ("message", "[2]")]


def test_sniffing_other_start_means_text_with_leading_whitespace_kept() -> None:
    assert sniffed(b" \n", b" Hello", b", world") == [("text", " \n Hello"), ("text", ", world")]


def test_sniffing_quote_or_number_start_means_text() -> None:
    assert sniffed(b'"Hi," she said') == [("text", '"Hi," she said')]
    assert sniffed(b"42 is the answer") == [("text", "42 is the answer")]


def test_sniffing_whitespace_only_stream_is_text() -> None:
    assert sniffed(b" ", b"\n") == [("text", " \n")]
    assert sniffed() == []


def test_sniffing_bracket_text_that_is_not_json_falls_back_to_text() -> None:
    assert sniffed(b"[Verse", b" 1]\nla ", b"la") == [("text", "[Verse 1]\nla "), ("text", "la")]


def test_sniffing_json_after_first_value_stays_json() -> None:
    decoder = SniffingDecoder()
    assert decoder.feed(b"[1] tail") == [ServerSentEvent(data="[1]")]
    with pytest.raises(JSONSequenceError, match="'tail'"):
        decoder.end()


def test_sniffing_truncated_json_raises() -> None:
    decoder = SniffingDecoder()
    assert decoder.feed(b'{"a": [1, ') == []
    with pytest.raises(JSONSequenceError, match=r"""'\{"a": \[1,'"""):
        decoder.end()


def test_sniffing_end_resets() -> None:
    decoder = SniffingDecoder()
    decoder.feed(b"text")
    decoder.end()
    assert run(decoder, b"[1]") == [ServerSentEvent(data="[1]")]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_sniffing_any_chunking_gives_the_same_outcome(data: st.DataObject) -> None:
    pieces = st.sampled_from([" ", "\n", "[", "]", "{", "}", '"a"', ":", "1", ",", "x", "é", "😀"])
    stream = "".join(data.draw(st.lists(pieces, max_size=12))).encode()
    chunks = data.draw(splits(stream))

    def outcome(parts: list[bytes]) -> tuple[str, list[str] | str, str | None]:
        decoder = SniffingDecoder()
        events: list[ServerSentEvent] = []
        error = None
        for part in parts:
            events += decoder.feed(part)
        try:
            events += decoder.end()
        except JSONSequenceError as exc:
            events += exc.events
            error = str(exc)
        kinds = {e.event for e in events}
        if kinds == {"text"}:
            return "text", "".join(e.data for e in events), error
        assert kinds <= {"message"}
        return "json", [e.data for e in events], error

    result = outcome(chunks)
    assert result == outcome([stream])
    if result[0] == "text":
        assert result[1] == stream.decode()
