/**
 * The messages and synced state shared by the Python model (sse_widget/widget.py)
 * and this view. Python owns the truth; the view renders it and sends intents.
 *
 * Synced traits (Python -> view):
 *   status, text, reasoning, error, error_detail, notice, stats, run_id, markdown,
 *   label, can_retry, inspect, load_images
 *   `text` and `reasoning` are synced when a run starts (reset to "") and when it
 *   ends, never per delta.
 *
 * Custom messages (Python -> view): DeltaMessage, SnapshotMessage, EventsMessage.
 *   Within a run, `seq` counts 1, 2, 3, ... A view that sees a gap, or mounts while
 *   a run is live, asks for a snapshot and continues from it.
 *
 * Custom messages (view -> Python): StopIntent, RetryIntent, SnapshotRequest,
 *   EventsRequest.
 */

export type Status = "idle" | "connecting" | "streaming" | "done" | "stopped" | "error";

export interface Stats {
  ttft_ms?: number | null;
  elapsed_ms?: number;
  chunks?: number;
  chars?: number;
  tokens?: number;
  tokens_estimated?: boolean;
  tokens_per_s?: number | null;
}

export interface DeltaMessage {
  type: "delta";
  run: number;
  seq: number;
  text: string;
  /** Reasoning ("thinking") text streamed beside the answer, when there is any. */
  reasoning?: string;
  /** Sent at most a few times per second, not with every delta. */
  stats?: Stats;
}

export interface SnapshotMessage {
  type: "snapshot";
  run: number;
  seq: number;
  text: string;
  reasoning?: string;
  stats?: Stats;
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
}

export const RUNNING: ReadonlySet<Status> = new Set(["connecting", "streaming"]);
