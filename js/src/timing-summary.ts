/**
 * What a run's timeline says, in numbers and in words: the time to the first
 * token, the mean rate, the longest stall, and whether the stream was held
 * back on the way (buffered). The words are the timing strip's text
 * alternative for screen readers, and its caption.
 */
import type { Stats, Status, TimelinePoint } from "./protocol";

/** A gap counts as a stall from this long, and from this many times the typical gap. */
const STALL_MIN_S = 0.5;
const STALL_FACTOR = 5;

export interface TimingSummary {
  /** Seconds to the first token; null before it. */
  ttft: number | null;
  /** Mean tokens per second from the first token to the last; null with fewer than two apart. */
  rate: number | null;
  /** The longest stall after the first token, if any gap qualifies. */
  stall: { start: number; end: number } | null;
  /** True when nearly all output came in one arrival after a long silence (held back on the way). */
  buffered: boolean;
  tokens: number;
  /** Seconds the run has lasted (to now while it runs). */
  end: number;
}

/** Seconds as the strip writes them. */
export const seconds = (s: number): string => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;

/** What the points say: first token, mean rate, longest stall, buffering. */
export function summarize(
  points: readonly TimelinePoint[],
  stats: Stats,
  end: number,
): TimingSummary {
  const first = points[0];
  const last = points[points.length - 1];
  const tokens = last ? last[2] : 0;
  const ttft = typeof stats.ttft_ms === "number" ? stats.ttft_ms / 1000 : first ? first[0] : null;
  let rate = typeof stats.tokens_per_s === "number" ? stats.tokens_per_s : null;
  if (rate === null && first && last && last[0] > first[0] && tokens > first[2]) {
    rate = (tokens - first[2]) / (last[0] - first[0]);
  }
  const gaps: Array<{ start: number; end: number }> = [];
  for (let i = 1; i < points.length; i++) {
    gaps.push({ start: (points[i - 1] as TimelinePoint)[0], end: (points[i] as TimelinePoint)[0] });
  }
  // A run that ended (or runs on) without more output after its last arrival.
  if (last && end > last[0]) gaps.push({ start: last[0], end });
  const lengths = gaps.map((g) => g.end - g.start).sort((a, b) => a - b);
  // The lower median: with few gaps, the stall itself must not set what is typical.
  const typical = lengths.length ? (lengths[Math.floor((lengths.length - 1) / 2)] as number) : 0;
  let stall: TimingSummary["stall"] = null;
  for (const gap of gaps) {
    const length = gap.end - gap.start;
    if (length >= STALL_MIN_S && length >= STALL_FACTOR * typical && (!stall || length > stall.end - stall.start)) {
      stall = gap;
    }
  }
  let buffered = false;
  if (first && tokens >= 6 && first[0] >= 1) {
    const biggest = Math.max(...points.map((p, i) => p[2] - (i > 0 ? (points[i - 1] as TimelinePoint)[2] : 0)));
    buffered = biggest >= 0.8 * tokens;
  }
  return { ttft, rate, stall, buffered, tokens, end };
}

/** The strip in words, for screen readers (and the caption under it). */
export function describe(summary: TimingSummary, status: Status): string {
  if (summary.ttft === null) {
    return status === "connecting" || status === "streaming"
      ? `Timing: waiting for the first token, ${seconds(summary.end)} so far.`
      : "Timing: no tokens arrived.";
  }
  const parts = [`first token after ${seconds(summary.ttft)}`];
  if (summary.buffered) {
    parts.push(`${summary.tokens} tokens arrived at once: the stream looks buffered on the way`);
  } else if (summary.rate !== null) {
    parts.push(`${summary.rate.toFixed(1)} tokens/s on average`);
  }
  parts.push(
    summary.stall
      ? `longest stall ${seconds(summary.stall.end - summary.stall.start)} at ${seconds(summary.stall.start)}`
      : "no stalls",
  );
  return `Timing: ${parts.join("; ")}.`;
}
