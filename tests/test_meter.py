"""The meter's stats from known counts and times, and its buffering notice."""

from __future__ import annotations

from sse_widget.buffer import TextBuffer
from sse_widget.formats import Delta
from sse_widget.meter import Meter


def test_reported_usage_wins_over_the_estimate_and_reasoning_counts_for_first_token() -> None:
    meter = Meter()
    meter.read(50, now=10.2)
    meter.delta(Delta(reasoning="thinking"), now=10.5)
    meter.read(50, now=11.5)
    meter.delta(Delta(text="answer"), now=11.5)
    estimated = meter.stats(started=10.0, now=12.0, token_events=False)
    assert estimated["ttft_ms"] == 500 and estimated["elapsed_ms"] == 2000
    assert estimated["tokens"] == round(len("thinkinganswer") / 4) and estimated["tokens_estimated"] is True
    assert estimated["chunks"] == 1 and estimated["chars"] == len("answer") and estimated["bytes"] == 100
    meter.delta(Delta(usage={"output_tokens": 11, "input_tokens": 5}), now=11.6)
    reported = meter.stats(started=10.0, now=12.0, token_events=True)
    assert reported["tokens"] == 11 and reported["tokens_estimated"] is False
    assert reported["tokens_per_s"] == 10.0 and reported["input_tokens"] == 5


def test_many_tokens_in_few_reads_after_silence_is_flagged_as_buffered() -> None:
    meter = Meter()
    meter.read(5000, now=3.0)
    for _ in range(20):
        meter.delta(Delta(text="x"), now=3.0)
    assert "buffering" in meter.buffered_notice(started=0.0)
    assert meter.buffered_notice(started=2.5) == ""


def test_text_buffer_hands_over_each_piece_once() -> None:
    buffer = TextBuffer()
    buffer.append("a")
    buffer.append("b")
    assert buffer.pending and buffer.take() == "ab" and not buffer.pending
    buffer.append("c")
    assert buffer.value == "abc" and buffer.take() == "c"


def test_a_short_answer_held_back_and_sent_in_one_read_is_flagged_too() -> None:
    meter = Meter()
    meter.read(400, now=1.1)
    for _ in range(10):
        meter.delta(Delta(text="x"), now=1.1)
    assert "buffering" in meter.buffered_notice(started=0.0)

    slow_start = Meter()  # a slow first token, then a few tokens in their own reads
    for n in range(3):
        slow_start.read(40, now=1.5 + n / 10)
        slow_start.delta(Delta(text="x"), now=1.5 + n / 10)
    assert slow_start.buffered_notice(started=0.0) == ""


def test_tokens_in_one_read_or_within_a_moment_have_no_rate() -> None:
    one_read = Meter()
    one_read.read(5000, now=3.0)
    for n in range(50):
        one_read.delta(Delta(text="x"), now=3.0 + n * 0.01)  # a long answer parsed slowly: still one read
    assert one_read.stats(started=0.0, now=4.0, token_events=True)["tokens_per_s"] is None

    within_a_moment = Meter()
    for n in range(3):
        within_a_moment.read(10, now=3.0 + n * 0.001)
        within_a_moment.delta(Delta(text="x"), now=3.0 + n * 0.001)
    assert within_a_moment.stats(started=0.0, now=4.0, token_events=True)["tokens_per_s"] is None

    streamed = Meter()
    for n in range(11):
        streamed.read(10, now=3.0 + n * 0.05)
        streamed.delta(Delta(text="x"), now=3.0 + n * 0.05)
    assert streamed.stats(started=0.0, now=4.0, token_events=True)["tokens_per_s"] == 20.0


def test_no_text_and_no_report_is_no_token_count() -> None:
    meter = Meter()
    meter.read(200, now=1.0)  # an error body, say
    stats = meter.stats(started=0.0, now=1.0, token_events=False)
    assert stats["tokens"] is None and stats["tokens_per_s"] is None
    meter.delta(Delta(usage={"output_tokens": 0}), now=1.0)
    assert meter.stats(started=0.0, now=1.0, token_events=False)["tokens"] == 0, "a reported count is shown"
