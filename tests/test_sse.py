"""SSEDecoder against the WHATWG "Server-sent events" parsing rules (9.2.5, 9.2.6)."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sse_widget.sse import ServerSentEvent, SSEDecoder

Row = tuple[str, str, str, "int | None"]


def rows(events: list[ServerSentEvent]) -> list[Row]:
    """Events as plain tuples, for exact comparison."""
    return [(e.event, e.data, e.id, e.retry) for e in events]


def decode(*chunks: bytes) -> list[Row]:
    """Feed ``chunks`` to a fresh decoder, then end the stream."""
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.end()
    return rows(events)


def datas(*chunks: bytes) -> list[str]:
    """The ``data`` of every event decoded from ``chunks``."""
    return [row[1] for row in decode(*chunks)]


def message(data: str, id: str = "", event: str = "message", retry: int | None = None) -> Row:
    return (event, data, id, retry)


# -- the event object ---------------------------------------------------------


def test_event_defaults() -> None:
    assert ServerSentEvent() == ServerSentEvent(event="message", data="", id="", retry=None)


def test_event_is_immutable() -> None:
    event = ServerSentEvent(data="x")
    with pytest.raises(AttributeError):
        event.data = "y"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")


def test_event_json_parses_data() -> None:
    assert ServerSentEvent(data='{"a": [1, 2.5, null]}').json() == {"a": [1, 2.5, None]}


def test_event_json_raises_on_invalid_data() -> None:
    with pytest.raises(ValueError):
        ServerSentEvent(data="not json").json()


# -- line ends ----------------------------------------------------------------


def test_lf_ends_lines() -> None:
    assert decode(b"data: a\n\n") == [message("a")]


def test_cr_ends_lines() -> None:
    assert decode(b"data: a\r\r") == [message("a")]


def test_crlf_ends_lines() -> None:
    assert decode(b"data: a\r\n\r\n") == [message("a")]


def test_mixed_line_ends() -> None:
    assert decode(b"data: a\rdata: b\ndata: c\r\n\r\ndata: d\n\r") == [message("a\nb\nc"), message("d")]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    assert decode(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == [message("a\nb")]


def test_cr_at_chunk_end_then_text_is_a_line_end() -> None:
    assert decode(b"data: a\r", b"data: b\r", b"\r") == [message("a\nb")]


def test_cr_then_empty_chunk_then_lf_is_one_line_end() -> None:
    assert decode(b"data: a\r", b"", b"\n", b"data: b\n\n") == [message("a\nb")]


def test_cr_cr_is_two_line_ends() -> None:
    assert decode(b"data: a\r\rdata: b\r\r") == [message("a"), message("b")]


def test_lf_cr_is_two_line_ends() -> None:
    assert decode(b"data: a\n\rdata: b\n\r") == [message("a"), message("b")]


@pytest.mark.parametrize(
    "separator",
    ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"],
    ids=["LS", "PS", "NEL", "VT", "FF", "FS", "GS", "RS"],
)
def test_other_unicode_line_breaks_are_data(separator: str) -> None:
    stream = f"data: a{separator}b\n\n".encode()
    assert datas(stream) == [f"a{separator}b"]
    assert datas(*[stream[i : i + 1] for i in range(len(stream))]) == [f"a{separator}b"]


# -- byte order mark ----------------------------------------------------------


def test_bom_at_start_is_stripped() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [message("a")]


def test_bom_before_field_name_does_not_hide_it() -> None:
    assert decode(b"\xef\xbb\xbfid: 7\n\n") == []
    decoder = SSEDecoder()
    decoder.feed(b"\xef\xbb\xbfid: 7\n\n")
    assert decoder.last_event_id == "7"


@pytest.mark.parametrize(
    "chunks",
    [
        [b"\xef", b"\xbb\xbfdata: a\n\n"],
        [b"\xef\xbb", b"\xbfdata: a\n\n"],
        [b"\xef", b"\xbb", b"\xbf", b"data: a\n\n"],
        [b"", b"\xef", b"", b"\xbb\xbf", b"", b"data: a\n\n"],
    ],
)
def test_bom_split_across_chunks_is_stripped(chunks: list[bytes]) -> None:
    assert decode(*chunks) == [message("a")]


def test_only_one_bom_is_stripped() -> None:
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\n") == []
    assert datas(b"\xef\xbb\xbf\n\xef\xbb\xbfdata: a\n\ndata: \xef\xbb\xbf\n\n") == ["\ufeff"]


def test_bom_after_start_is_data() -> None:
    assert datas(b"data: \xef\xbb\xbfa\n\n") == ["\ufeffa"]
    assert datas(b"data: a\n\n", b"\xef\xbb\xbfdata: b\n\n") == ["a"]


def test_incomplete_bom_at_start_is_data() -> None:
    assert datas(b"\xef\xbb", b"data: a\n\n") == []
    assert decode(b"\xef\xbb") == []
    decoder = SSEDecoder()
    assert decoder.feed(b"\xef\xbb") == []
    assert rows(decoder.feed(b"\n:\n\ndata: x\n\n")) == [message("x")]


def test_bom_prefix_then_other_bytes_is_data() -> None:
    assert datas(b"data:\xef", b"\xbb\xbf\n\n") == ["\ufeff"]


# -- UTF-8 --------------------------------------------------------------------


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert datas(b"data: a\xffb\xc3(\n\n") == ["a\ufffdb\ufffd("]


def test_truncated_sequence_before_line_end_becomes_one_replacement() -> None:
    assert datas(b"data: \xe2\x82\ndata: \xf0\x9f\x98\r\n\n") == ["\ufffd\n\ufffd"]


def test_multibyte_character_split_across_chunks() -> None:
    stream = "data: é€😀\n\n".encode()
    for cut in range(len(stream) + 1):
        assert datas(stream[:cut], stream[cut:]) == ["é€😀"], cut


def test_multibyte_character_in_one_byte_chunks() -> None:
    stream = "event: ünï\ndata: 日本語 😀\nid: ✓\n\n".encode()
    expected = [message("日本語 😀", "✓", "ünï")]
    assert decode(*[stream[i : i + 1] for i in range(len(stream))]) == expected


def test_nul_in_data_is_kept() -> None:
    assert datas(b"data: a\x00b\n\n") == ["a\x00b"]


# -- fields -------------------------------------------------------------------


def test_comment_lines_are_ignored() -> None:
    assert decode(b": hello\ndata: a\n:data: b\n\n") == [message("a")]


def test_comment_only_block_dispatches_nothing() -> None:
    assert decode(b": keep-alive\n\n:\n\n") == []


def test_line_without_colon_is_field_with_empty_value() -> None:
    assert decode(b"data\n\n") == [message("")]
    assert decode(b"data\ndata\n\n") == [message("\n")]


def test_one_leading_space_is_stripped_from_value() -> None:
    assert datas(b"data: a\n\n") == ["a"]


def test_only_one_leading_space_is_stripped() -> None:
    assert datas(b"data:  a \n\n") == [" a "]


def test_value_without_space_after_colon() -> None:
    assert datas(b"data:a\n\n") == ["a"]


def test_tab_after_colon_is_kept() -> None:
    assert datas(b"data:\ta\n\n") == ["\ta"]


def test_value_may_contain_colons() -> None:
    assert datas(b"data: a: b:c\n\n") == ["a: b:c"]


def test_field_names_are_case_sensitive_and_exact() -> None:
    assert decode(b"Data: a\nDATA: b\ndata : c\n data: d\n\n") == []


def test_unknown_fields_are_ignored() -> None:
    assert decode(b"foo: bar\ndata: a\nbaz\n\n") == [message("a")]


# -- data ---------------------------------------------------------------------


def test_multiple_data_lines_are_joined_with_lf() -> None:
    assert datas(b"data: a\ndata: b\ndata: c\n\n") == ["a\nb\nc"]


def test_empty_data_value_dispatches_empty_string() -> None:
    assert decode(b"data:\n\n") == [message("")]
    assert decode(b"data: \n\n") == [message("")]


def test_empty_data_lines_keep_their_line_breaks() -> None:
    assert datas(b"data:\ndata: a\ndata:\n\n") == ["\na\n"]


def test_only_one_trailing_lf_is_removed() -> None:
    assert datas(b"data: a\ndata:\n\n") == ["a\n"]


def test_block_without_data_dispatches_nothing() -> None:
    assert decode(b"event: x\n\nretry: 5\n\n\n\n") == []


# -- event type ---------------------------------------------------------------


def test_event_type_defaults_to_message() -> None:
    assert decode(b"data: a\n\n")[0][0] == "message"


def test_event_type_is_set_by_event_field() -> None:
    assert decode(b"event: update\ndata: a\n\n") == [message("a", event="update")]


def test_empty_event_type_means_message() -> None:
    assert decode(b"event:\ndata: a\n\n") == [message("a")]
    assert decode(b"event\ndata: a\n\n") == [message("a")]


def test_last_event_field_in_a_block_wins() -> None:
    assert decode(b"event: x\nevent: y\ndata: a\n\n") == [message("a", event="y")]


def test_event_type_is_reset_after_dispatch() -> None:
    assert decode(b"event: x\ndata: a\n\ndata: b\n\n") == [message("a", event="x"), message("b")]


def test_event_type_is_reset_by_block_without_data() -> None:
    assert decode(b"event: x\n\ndata: a\n\n") == [message("a")]


# -- last event ID ------------------------------------------------------------


def test_id_is_attached_to_event() -> None:
    assert decode(b"id: 1\ndata: a\n\n") == [message("a", "1")]


def test_id_persists_across_events_until_changed() -> None:
    assert decode(b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\ndata: d\n\n") == [
        message("a", "1"),
        message("b", "1"),
        message("c", "2"),
        message("d", "2"),
    ]


def test_id_after_data_in_same_block_applies() -> None:
    assert decode(b"data: a\nid: 9\n\n") == [message("a", "9")]


def test_id_only_block_updates_last_event_id_without_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 42\n\n") == []
    assert decoder.last_event_id == "42"
    assert rows(decoder.feed(b"data: a\n\n")) == [message("a", "42")]


def test_empty_id_resets_last_event_id() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\ndata: a\n\nid\ndata: b\n\n")
    assert rows(events) == [message("a", "1"), message("b", "")]
    assert decoder.last_event_id == ""


def test_id_containing_nul_is_ignored() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\n\nid: 2\x003\ndata: a\n\n")
    assert rows(events) == [message("a", "1")]
    assert decoder.last_event_id == "1"


def test_id_keeps_leading_and_trailing_text() -> None:
    assert decode(b"id:  x y \ndata: a\n\n") == [message("a", " x y ")]


def test_last_event_id_only_changes_at_blank_line() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 1\n\nid: 2\ndata: a\n")
    assert decoder.last_event_id == "1"
    decoder.feed(b"\n")
    assert decoder.last_event_id == "2"


def test_last_event_id_can_be_seeded() -> None:
    decoder = SSEDecoder(last_event_id="abc")
    assert decoder.last_event_id == "abc"
    assert rows(decoder.feed(b"data: a\n\n")) == [message("a", "abc")]


# -- retry --------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("1500", 1500), ("007", 7)])
def test_retry_accepts_ascii_digits(value: str, expected: int) -> None:
    decoder = SSEDecoder()
    events = decoder.feed(f"retry: {value}\ndata: a\n\n".encode())
    assert rows(events) == [message("a", retry=expected)]
    assert decoder.reconnection_time == expected


@pytest.mark.parametrize(
    "line",
    ["retry: 1a", "retry: -1", "retry:  1", "retry: ", "retry", "retry: 1.5", "retry: +1", "retry: 1 ",
     "retry: \uff11", "retry: \u0661", "retry: \u00b2"],
)
def test_retry_rejects_anything_but_ascii_digits(line: str) -> None:
    decoder = SSEDecoder()
    events = decoder.feed(f"{line}\ndata: a\n\n".encode())
    assert rows(events) == [message("a")]
    assert decoder.reconnection_time is None


def test_invalid_retry_keeps_previous_reconnection_time() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"retry: 100\ndata: a\n\nretry: x\ndata: b\n\n")
    assert rows(events) == [message("a", retry=100), message("b")]
    assert decoder.reconnection_time == 100


def test_retry_is_attached_only_to_event_of_its_block() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"retry: 100\ndata: a\n\ndata: b\n\nretry: 200\nretry: 300\ndata: c\n\n")
    assert rows(events) == [message("a", retry=100), message("b"), message("c", retry=300)]
    assert decoder.reconnection_time == 300


def test_retry_without_data_sets_reconnection_time_only() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"retry: 2500\n\ndata: a\n\n")
    assert rows(events) == [message("a")]
    assert decoder.reconnection_time == 2500


def test_retry_applies_as_soon_as_its_line_ends() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 12")
    assert decoder.reconnection_time is None
    decoder.feed(b"34\n")
    assert decoder.reconnection_time == 1234


def test_retry_too_long_for_python_int_is_ignored() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 5\n\nretry: " + b"9" * 5000 + b"\n\n")
    assert decoder.reconnection_time == 5


def test_retry_with_many_leading_zeros() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: " + b"0" * 5000 + b"42\n\n")
    assert decoder.reconnection_time == 42


# -- end of stream ------------------------------------------------------------


def test_unfinished_block_is_discarded_at_end() -> None:
    decoder = SSEDecoder()
    assert rows(decoder.feed(b"data: a\n\ndata: b\n")) == [message("a")]
    assert decoder.end() == []


def test_unterminated_last_line_is_discarded_at_end() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\nid: 5\n\nretry: 7")
    assert decoder.end() == []
    assert decoder.reconnection_time is None
    assert decoder.last_event_id == "5"


def test_id_of_unfinished_block_does_not_become_last_event_id() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 1\n\nid: 2\ndata: a\n")
    decoder.end()
    assert decoder.last_event_id == "1"


def test_end_readies_decoder_for_next_stream() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 300\nid: 4\n\nevent: x\ndata: lost")
    decoder.end()
    events = decoder.feed(b"\xef\xbb\xbf\ndata: b\n\n")
    assert rows(events) == [message("b", "4")]
    assert decoder.reconnection_time == 300


def test_end_forgets_a_pending_cr() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\r")
    decoder.end()
    assert rows(decoder.feed(b"\ndata: b\n\n")) == [message("b")]


def test_empty_chunks_are_harmless() -> None:
    assert decode(b"", b"data: a", b"", b"\n", b"", b"\n", b"") == [message("a")]


# -- mixing simple and complex blocks ------------------------------------------


def test_simple_and_complex_blocks_interleave() -> None:
    stream = (
        b"data: 1\n\ndata: 2\n\nevent: e\ndata: 3\n\ndata: 4\n\nid: 7\n\n"
        b"data: 5\n\ndata:6\n\n: c\ndata: 7\n\ndata: 8\ndata: 9\n\ndata: 10\n\n"
    )
    expected = [
        message("1"),
        message("2"),
        message("3", event="e"),
        message("4"),
        message("5", "7"),
        message("6", "7"),
        message("7", "7"),
        message("8\n9", "7"),
        message("10", "7"),
    ]
    assert decode(stream) == expected
    for cut in range(len(stream) + 1):
        assert decode(stream[:cut], stream[cut:]) == expected, cut


def test_block_started_in_earlier_chunk_is_completed() -> None:
    assert decode(b"id: 5\n", b"data: a\n\ndata: b\n\n") == [message("a", "5"), message("b", "5")]
    assert decode(b"event: e\n", b"data: a\n\ndata: b\n\n") == [message("a", event="e"), message("b")]
    assert decode(b"retry: 9\n", b"data: a\n\ndata: b\n\n") == [message("a", retry=9), message("b")]
    assert decode(b"data: x\n", b"data: a\n\ndata: b\n\n") == [message("x\na"), message("b")]
    assert decode(b"data: x\n", b"\ndata: a\n\n") == [message("x"), message("a")]


def test_runs_of_data_blocks_without_space() -> None:
    assert datas(b"data:1\n\ndata: 2\n\ndata:3\n\n") == ["1", "2", "3"]
    assert datas(b"data:1\n\ndata:  2\n\ndata:3\n\n") == ["1", " 2", "3"]
    assert datas(b"data:1\n\ndata:\n\ndata:3\n\n") == ["1", "", "3"]
    assert datas(b"data: 1\n\ndata:2\n\ndata: 3\n\n") == ["1", "2", "3"]


def test_runs_of_event_and_data_blocks() -> None:
    stream = b"event: a\ndata: 1\n\nevent: b\ndata: 2\n\nevent: c\ndata:\n\n"
    expected = [message("1", event="a"), message("2", event="b"), message("", event="c")]
    assert decode(stream) == expected
    for cut in range(len(stream) + 1):
        assert decode(stream[:cut], stream[cut:]) == expected, cut


def test_run_of_event_blocks_with_an_empty_event_name() -> None:
    assert decode(b"event: a\ndata: 1\n\nevent: \ndata: 2\n\n") == [
        message("1", event="a"),
        message("2"),
    ]


def test_run_of_event_blocks_with_an_odd_block() -> None:
    assert decode(b"event: a\ndata: 1\n\nevent: b\nid: 3\n\nevent: c\ndata: 2\n\n") == [
        message("1", event="a"),
        message("2", "3", event="c"),
    ]
    assert decode(b"event: a\ndata: 1\n\nevent: b\ndata: 2\ndata: 3\n\n") == [
        message("1", event="a"),
        message("2\n3", event="b"),
    ]
    assert decode(b"event: a\n\nevent: b\ndata: 1\n\nevent: c\n\n") == [message("1", event="b")]
    assert decode(b"event: a\ndata: 1\n\nevent: b\ndata:2\n\n") == [
        message("1", event="a"),
        message("2", event="b"),
    ]


def test_data_that_looks_like_a_field_stays_data() -> None:
    assert datas(b"data: data: x\n\ndata: id: 3\n\n") == ["data: x", "id: 3"]


# -- properties ---------------------------------------------------------------


def reference(stream: bytes) -> tuple[list[Row], str, int | None]:
    """A direct, character-at-a-time reading of the spec's parsing algorithm."""
    text = stream.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    events: list[Row] = []
    data = ""
    event_type = ""
    id_buffer = ""
    last_event_id = ""
    reconnection_time: int | None = None
    block_retry: int | None = None

    def process(line: str) -> None:
        nonlocal data, event_type, id_buffer, last_event_id, reconnection_time, block_retry
        if line == "":
            last_event_id = id_buffer
            if data == "":
                event_type = ""
                block_retry = None
                return
            if data.endswith("\n"):
                data = data[:-1]
            events.append((event_type or "message", data, last_event_id, block_retry))
            data = ""
            event_type = ""
            block_retry = None
            return
        if line.startswith(":"):
            return
        if ":" in line:
            field = line[: line.index(":")]
            value = line[line.index(":") + 1 :]
            if value.startswith(" "):
                value = value[1:]
        else:
            field = line
            value = ""
        if field == "event":
            event_type = value
        elif field == "data":
            data += value + "\n"
        elif field == "id":
            if "\x00" not in value:
                id_buffer = value
        elif field == "retry":
            if value and all(c in "0123456789" for c in value):
                reconnection_time = int(value)
                block_retry = int(value)

    line = ""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\r":
            process(line)
            line = ""
            if i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
        elif char == "\n":
            process(line)
            line = ""
        else:
            line += char
        i += 1
    return events, last_event_id, reconnection_time


def run_chunks(chunks: list[bytes]) -> tuple[list[Row], str, int | None]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.end()
    return rows(events), decoder.last_event_id, decoder.reconnection_time


@st.composite
def splits(draw: st.DrawFn, stream: bytes) -> list[bytes]:
    """``stream`` cut at arbitrary points, including empty and one-byte chunks."""
    mode = draw(st.sampled_from(["bytes", "lines", "random", "random"]))
    if mode == "bytes":
        return [stream[i : i + 1] for i in range(len(stream))]
    if mode == "lines":
        return re.findall(rb"[^\r\n]*[\r\n]?", stream)
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in pairwise(bounds)]


TRICKY_TEXT = st.text(
    alphabet=st.sampled_from(
        ["a", "Z", " ", ":", "\r", "\n", "\u2028", "\u2029", "\x85", "\x0b", "\ufeff", "\x00"]
        + ["é", "日", "😀", "1", "0"]
    ),
    max_size=8,
)
FIELD_NAMES = st.sampled_from(["data", "event", "id", "retry", "", "dat", "Data", "foo"])
LINE_ENDS = st.sampled_from(["\n", "\r", "\r\n"])


@st.composite
def field_streams(draw: st.DrawFn) -> bytes:
    """Streams made of field lines, comments and blank lines with tricky values."""
    parts: list[str] = ["\ufeff"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 14))):
        kind = draw(st.sampled_from(["field", "field", "field", "bare", "comment", "blank", "retry"]))
        if kind == "field":
            separator = draw(st.sampled_from([":", ": ", ":  "]))
            parts.append(draw(FIELD_NAMES) + separator + draw(TRICKY_TEXT))
        elif kind == "bare":
            parts.append(draw(FIELD_NAMES))
        elif kind == "comment":
            parts.append(":" + draw(TRICKY_TEXT))
        elif kind == "retry":
            parts.append("retry: " + draw(st.sampled_from(["0", "1500", "12a", "", "-3", " 4"])))
        else:
            parts.append("")
        parts.append(draw(LINE_ENDS))
    return "".join(parts).encode()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_chunking_gives_the_same_result_as_one_chunk(data: st.DataObject) -> None:
    stream = data.draw(field_streams())
    chunks = data.draw(splits(stream))
    assert run_chunks(chunks) == run_chunks([stream])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_field_streams_match_reference(data: st.DataObject) -> None:
    stream = data.draw(field_streams())
    chunks = data.draw(splits(stream))
    assert run_chunks(chunks) == reference(stream)


EDGE_PIECES = [
    b"\r", b"\n", b":", b" ", b"data", b"id", b"event", b"retry",
    b"\xef\xbb\xbf", b"\x00", b"1", b"x", b"\xe2\x80\xa8", b"\xe2", b"\xff",
]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_bytes_match_reference(data: st.DataObject) -> None:
    stream = b"".join(data.draw(st.lists(st.sampled_from(EDGE_PIECES), max_size=40)))
    chunks = data.draw(splits(stream))
    assert run_chunks(chunks) == reference(stream)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_simple_data_runs_match_reference(data: st.DataObject) -> None:
    values = data.draw(st.lists(st.text(alphabet="ab :é😀\u2028{}", max_size=6), max_size=20))
    fields = data.draw(st.sampled_from([["data: "], ["data:"], ["data: ", "data:"]]))
    end = data.draw(LINE_ENDS)
    prefix = data.draw(st.sampled_from(["", "id: 3" + end, "event: e" + end, "data: x" + end, end]))
    blocks = [data.draw(st.sampled_from(fields)) + f"{v}{end}{end}" for v in values]
    stream = (prefix + "".join(blocks)).encode()
    chunks = data.draw(splits(stream))
    assert run_chunks(chunks) == reference(stream)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_event_and_data_runs_match_reference(data: st.DataObject) -> None:
    names = st.sampled_from(["", "a", "delta", "é", "data: x"])
    values = st.text(alphabet="ab :é😀\u2028{}", max_size=6)
    end = data.draw(LINE_ENDS)
    blocks = data.draw(
        st.lists(
            st.one_of(
                st.builds(lambda n, v: f"event: {n}{end}data: {v}{end}{end}", names, values),
                st.builds(lambda v: f"data: {v}{end}{end}", values),
                st.builds(lambda n, v: f"event: {n}{end}id: {v}{end}{end}", names, values),
            ),
            max_size=20,
        )
    )
    stream = "".join(blocks).encode()
    chunks = data.draw(splits(stream))
    assert run_chunks(chunks) == reference(stream)


def test_reference_sanity() -> None:
    assert reference(b"\xef\xbb\xbfid: 1\r\ndata: a\r\rdata\n\nretry: 5\n") == (
        [("message", "a", "1", None), ("message", "", "1", None)],
        "1",
        5,
    )


def test_events_compare_by_value() -> None:
    assert ServerSentEvent("message", "a") == ServerSentEvent(data="a")
    assert ServerSentEvent(data="a") != ServerSentEvent(data="b")
