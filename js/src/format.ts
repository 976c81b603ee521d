import type { Stats, Status } from "./protocol";

const STATUS_TEXT: Record<Status, string> = {
  idle: "Ready",
  connecting: "Connecting…",
  streaming: "Streaming…",
  done: "Done",
  stopped: "Stopped",
  error: "Error",
};

export function statusText(status: unknown): string {
  return typeof status === "string" && status in STATUS_TEXT
    ? STATUS_TEXT[status as Status]
    : "";
}

function finite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** 850 → "850 ms", 1234 → "1.2 s", 75_000 → "1 min 15 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)} min ${total % 60} s`;
}

export interface StatPart {
  key: "ttft" | "tokens" | "rate" | "elapsed";
  text: string;
  title: string;
}

/** The pieces of the stats line, in display order; missing values are left out. */
export function statParts(stats: Stats | null | undefined): StatPart[] {
  if (!stats) return [];
  const parts: StatPart[] = [];
  const approx = stats.tokens_estimated === true ? "≈" : "";
  const estimated = stats.tokens_estimated === true ? " (estimated)" : "";
  if (finite(stats.ttft_ms)) {
    parts.push({
      key: "ttft",
      text: `TTFT ${formatDuration(stats.ttft_ms)}`,
      title: "Time to first token",
    });
  }
  if (finite(stats.tokens)) {
    const n = Math.round(stats.tokens);
    parts.push({
      key: "tokens",
      text: `${approx}${n} ${n === 1 ? "token" : "tokens"}`,
      title: `Tokens${estimated}`,
    });
  }
  if (finite(stats.tokens_per_s)) {
    parts.push({
      key: "rate",
      text: `${approx}${stats.tokens_per_s.toFixed(1)} tok/s`,
      title: `Tokens per second${estimated}`,
    });
  }
  if (finite(stats.elapsed_ms)) {
    parts.push({ key: "elapsed", text: formatDuration(stats.elapsed_ms), title: "Elapsed" });
  }
  return parts;
}

/** An event's time in the inspector: milliseconds since the request started, "+123 ms". */
export function formatEventTime(ms: number): string {
  return `+${Math.max(0, Math.round(ms))} ms`;
}
