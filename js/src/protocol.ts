/**
 * The messages and synced state shared by the Python model and this view: the
 * mirror of sse_widget/protocol.py. Python owns the truth; the view renders it
 * and sends intents. test/contract.test.ts holds both sides to one fixture
 * that Python writes (test/fixtures/protocol.json).
 *
 * Synced traits (Python -> view): TRAITS.
 *   `text` and `reasoning` are synced when a run starts (SYNCED_AT_START, reset
 *   to "") and when it ends (SYNCED_AT_END), never per delta.
 *
 * Custom messages (Python -> view): DeltaMessage, SnapshotMessage, EventsMessage.
 *   Within a run, `seq` counts 1, 2, 3, ... A view that sees a gap, or mounts while
 *   a run is live, asks for a snapshot and continues from it. The run's timeline
 *   travels the same way: new points in each delta, all of them in a snapshot,
 *   and the `timeline` trait synced whole when the run ends.
 *
 * Custom messages (view -> Python): StopIntent, RetryIntent, SnapshotRequest,
 *   EventsRequest.
 */

export const STATUSES = ["idle", "connecting", "streaming", "done", "stopped", "error"] as const;
export type Status = (typeof STATUSES)[number];

/** A run's numbers (sse_widget.protocol.Stats); a view may see any subset. */
export interface Stats {
  /** To the first token, reasoning included; null before it. */
  ttft_ms?: number | null;
  elapsed_ms?: number;
  /** Answer text events. */
  chunks?: number;
  chars?: number;
  /** Body bytes read. */
  bytes?: number;
  /** Network reads. */
  reads?: number;
  /** Reported by the provider, else estimated. */
  tokens?: number | null;
  tokens_estimated?: boolean;
  tokens_per_s?: number | null;
  /** Only when the provider reports it. */
  input_tokens?: number;
}

export const STATS_KEYS = [
  "ttft_ms", "elapsed_ms", "chunks", "chars", "bytes", "reads",
  "tokens", "tokens_estimated", "tokens_per_s", "input_tokens",
] as const;

/** [seconds since the request, characters so far, tokens so far], by when the bytes arrived. */
export type TimelinePoint = [number, number, number];

export interface DeltaMessage {
  type: "delta";
  run: number;
  seq: number;
  text: string;
  /** Reasoning ("thinking") text streamed beside the answer, when there is any. */
  reasoning?: string;
  /** Sent at most a few times per second, not with every delta. */
  stats?: Stats;
  /** The timeline points that arrived since the previous delta, when there are any. */
  points?: TimelinePoint[];
}

export interface SnapshotMessage {
  type: "snapshot";
  run: number;
  seq: number;
  text: string;
  reasoning?: string;
  stats?: Stats;
  /** The run's timeline up to `seq`. */
  timeline?: TimelinePoint[];
}

/**
 * Raw wire events for the event inspector, sent only while the `inspect` trait
 * is true. When inspection starts (or a new run starts while it is on) the
 * first message has `reset: true` and carries every event of the run so far.
 */
export interface EventsMessage {
  type: "events";
  run: number;
  reset?: boolean;
  /** [milliseconds since the request started, event type, data, id] */
  events: Array<[number, string, string, string]>;
}

export type KernelMessage = DeltaMessage | SnapshotMessage | EventsMessage;

export interface StopIntent {
  type: "stop";
  /** The run the user saw when clicking; a stop for an older run is ignored. */
  run: number;
}
export interface RetryIntent {
  type: "retry";
}
export interface SnapshotRequest {
  type: "snapshot";
}

/**
 * Sent by a front end whose model starts with the inspector already open (a
 * second browser tab, a reload): Python answers with an EventsMessage carrying
 * `reset: true` and every event of the run so far.
 */
export interface EventsRequest {
  type: "events";
}

export type ViewMessage = StopIntent | RetryIntent | SnapshotRequest | EventsRequest;

/** One tool call of a run: `arguments` is the JSON text streamed so far. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface WidgetModel {
  status: Status;
  text: string;
  reasoning: string;
  /** The run's tool calls, synced whole while they stream (at the flush rate). */
  tool_calls: ToolCall[];
  error: string;
  error_detail: string;
  /** One line of advice that is not an error (e.g. "the stream looks buffered upstream"). */
  notice: string;
  stats: Stats;
  run_id: number;
  markdown: boolean;
  label: string;
  can_retry: boolean;
  /** The event inspector is open; the view sets it (model.set + save_changes). */
  inspect: boolean;
  /** Remote images in the text load without a click (off: each waits for one). */
  load_images: boolean;
  /** The run's output over time; reset when a run starts, synced whole when it ends. */
  timeline: TimelinePoint[];
  /** Show the timing strip even with the inspector closed. */
  timing: boolean;
  /** Seconds the strip's time axis spans at least (compare() gives its panes one). */
  timing_axis: number;
  /** Show Stop and Retry; off where a container has one set for many widgets (ChatWidget). */
  controls: boolean;
}

export const RUNNING: ReadonlySet<Status> = new Set(["connecting", "streaming"]);

export const TRAITS = [
  "status", "text", "reasoning", "error", "error_detail", "notice", "inspect",
  "stats", "run_id", "markdown", "label", "can_retry", "load_images", "tool_calls", "controls",
  "timeline", "timing", "timing_axis",
] as const;
export const SYNCED_AT_START = [
  "run_id", "text", "reasoning", "tool_calls", "status", "error", "error_detail", "notice", "stats",
  "can_retry", "timeline",
] as const;
export const SYNCED_AT_END = [
  "text", "reasoning", "tool_calls", "status", "error", "error_detail", "notice", "stats", "timeline",
] as const;
export const INTENTS = ["stop", "retry", "snapshot", "events"] as const;

/** Compiles only when the two unions are the same. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Each list names exactly the keys of its type, or this does not compile.
[true, true, true] satisfies [
  Same<keyof Stats, (typeof STATS_KEYS)[number]>,
  Same<keyof WidgetModel, (typeof TRAITS)[number]>,
  Same<ViewMessage["type"], (typeof INTENTS)[number]>,
];

export function stopIntent(run: number): StopIntent {
  return { type: "stop", run };
}
export function retryIntent(): RetryIntent {
  return { type: "retry" };
}
export function snapshotRequest(): SnapshotRequest {
  return { type: "snapshot" };
}
export function eventsRequest(): EventsRequest {
  return { type: "events" };
}

// -- the toolbar (sse_widget.toolbar.Toolbar) --------------------------------

/** One button of a toolbar, as Python lists them in the `buttons` trait. */
export interface ToolbarButton {
  name: string;
  label: string;
  title?: string;
  disabled?: boolean;
}

export interface ToolbarModel {
  buttons: ToolbarButton[];
  /** Show a message box (a conversation's); its text goes out in a send intent. */
  input: boolean;
  placeholder: string;
}

export const TOOLBAR_TRAITS = ["buttons", "input", "placeholder"] as const;
export const TOOLBAR_INTENTS = ["click", "send"] as const;

export interface ToolbarClick {
  type: "click";
  name: string;
}
export interface ToolbarSend {
  type: "send";
  text: string;
}

[true, true] satisfies [
  Same<keyof ToolbarModel, (typeof TOOLBAR_TRAITS)[number]>,
  Same<(ToolbarClick | ToolbarSend)["type"], (typeof TOOLBAR_INTENTS)[number]>,
];

export function toolbarClick(name: string): ToolbarClick {
  return { type: "click", name };
}
export function toolbarSend(text: string): ToolbarSend {
  return { type: "send", text };
}
