/**
 * Model-level stream state shared by every view of one widget.
 *
 * The store applies DeltaMessage / SnapshotMessage custom messages on top of
 * the synced traits. Python stays the source of truth: `text` and `reasoning`
 * synced by Python always win, and any doubt (a gap in `seq`, a view that
 * mounts mid-stream) is resolved by asking Python for a snapshot. Deltas that
 * arrive while the snapshot is on its way are kept, and the ones newer than
 * the snapshot are applied on top of it, so the live stream goes on.
 *
 * EventsMessage custom messages go to a sibling EventLog (`store.events`),
 * which keeps the event inspector's rows for every view of the model; the
 * timeline points in deltas and snapshots to a TimelineLog (`store.timeline`).
 */
import type { AnyModel } from "@anywidget/types";
import { EventLog, parseEventsMessage } from "./events";
import { TimelineLog, timelinePoints } from "./timeline";
import {
  RUNNING,
  type DeltaMessage,
  type EventsRequest,
  type KernelMessage,
  type SnapshotMessage,
  type SnapshotRequest,
  type Stats,
  type Status,
  type WidgetModel,
} from "./protocol";

/** Traits of the widget as seen through an anywidget model. */
export type Traits = { [K in keyof WidgetModel]: WidgetModel[K] };
export type Model = AnyModel<Traits>;

export interface StoreState {
  /** The run the text belongs to. */
  readonly run: number;
  /** The last `seq` applied for this run (0 before any delta). */
  readonly seq: number;
  readonly text: string;
  readonly stats: Stats;
  /** True while deltas are held back because a snapshot was requested. */
  readonly awaitingSnapshot: boolean;
}

/** Called after every change of the text, the reasoning, the stats or the run. */
export type StoreListener = (state: StoreState) => void;

export interface StoreOptions {
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /**
   * While waiting for a snapshot, a new request is sent if deltas keep coming
   * and the last request is older than this (the first one may have been lost).
   */
  snapshotRetryMs?: number;
  /** How many deltas are kept while a snapshot is pending (the oldest go first). */
  maxHeldDeltas?: number;
}

function asNumber(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function asStats(value: unknown): Stats {
  return value !== null && typeof value === "object" ? (value as Stats) : {};
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Narrow an incoming custom message to the kernel message contract. */
export function parseKernelMessage(msg: unknown): KernelMessage | null {
  if (msg === null || typeof msg !== "object") return null;
  const m = msg as Record<string, unknown>;
  if (m.type === "events") return parseEventsMessage(msg);
  if (m.type !== "delta" && m.type !== "snapshot") return null;
  if (typeof m.run !== "number" || typeof m.seq !== "number" || typeof m.text !== "string") {
    return null;
  }
  const out: DeltaMessage | SnapshotMessage = { type: m.type, run: m.run, seq: m.seq, text: m.text };
  if (typeof m.reasoning === "string") out.reasoning = m.reasoning;
  if (m.stats !== null && typeof m.stats === "object") out.stats = m.stats as Stats;
  if (out.type === "delta" && m.points !== undefined) out.points = timelinePoints(m.points);
  if (out.type === "snapshot" && m.timeline !== undefined) out.timeline = timelinePoints(m.timeline);
  return out;
}

export function isRunning(status: unknown): boolean {
  return RUNNING.has(status as Status);
}

export class StreamStore {
  /** The event inspector's rows, shared by every view of the model. */
  readonly events: EventLog;
  /** The run's output over time, for the timing strip. */
  readonly timeline: TimelineLog;
  private readonly model: Model;
  private readonly now: () => number;
  private readonly snapshotRetryMs: number;
  private readonly maxHeldDeltas: number;
  /** Deltas of the current run received while a snapshot is pending, in arrival order. */
  private held: DeltaMessage[] = [];
  private readonly listeners = new Set<StoreListener>();
  private current: StoreState;
  private reasoningText: string;
  private reasoningChoice: { run: number; open: boolean } | null = null;
  private lastRequestAt = Number.NEGATIVE_INFINITY;
  private started = false;
  private disposed = false;

  private readonly onCustom = (msg: unknown): void => this.handleMessage(msg);
  private readonly onRunId = (): void => this.handleRunId();
  private readonly onText = (): void => this.handleText();
  private readonly onReasoning = (): void => this.handleReasoning();
  private readonly onStats = (): void => this.handleStats();
  private readonly onStatus = (): void => this.handleStatus();

  constructor(model: Model, options: StoreOptions = {}) {
    this.model = model;
    this.now = options.now ?? (() => Date.now());
    this.snapshotRetryMs = options.snapshotRetryMs ?? 2000;
    this.maxHeldDeltas = options.maxHeldDeltas ?? 10_000;
    this.current = {
      run: asNumber(model.get("run_id"), 0),
      seq: 0,
      text: asString(model.get("text")),
      stats: asStats(model.get("stats")),
      awaitingSnapshot: false,
    };
    this.reasoningText = asString(model.get("reasoning"));
    this.events = new EventLog(this.current.run);
    this.timeline = new TimelineLog(model);
  }

  /**
   * Attach the model listeners; asks for a snapshot when a run is live, and for
   * the run's events when the inspector is already open.
   */
  start(): this {
    if (this.started || this.disposed) return this;
    this.started = true;
    this.model.on("msg:custom", this.onCustom);
    this.model.on("change:run_id", this.onRunId);
    this.model.on("change:text", this.onText);
    this.model.on("change:reasoning", this.onReasoning);
    this.model.on("change:stats", this.onStats);
    this.model.on("change:status", this.onStatus);
    this.timeline.start();
    if (isRunning(this.model.get("status"))) this.requestSnapshot();
    if (this.model.get("inspect")) this.requestEvents();
    return this;
  }

  /** Remove every listener this store added to the model. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.started) {
      this.model.off("msg:custom", this.onCustom);
      this.model.off("change:run_id", this.onRunId);
      this.model.off("change:text", this.onText);
      this.model.off("change:reasoning", this.onReasoning);
      this.model.off("change:stats", this.onStats);
      this.model.off("change:status", this.onStatus);
    }
    this.listeners.clear();
    this.events.clearListeners();
    this.timeline.dispose();
  }

  get state(): StoreState {
    return this.current;
  }

  /** The reasoning ("thinking") text of the run in `state`, kept like its text. */
  get reasoning(): string {
    return this.reasoningText;
  }

  /**
   * Whether the user opened (true) or closed (false) the reasoning of the
   * current run; null while they have not touched it. Kept here rather than
   * in a view because front ends rebuild views (e.g. when an output is
   * updated at the end of a run), and shared by every view of the model.
   */
  get reasoningOpen(): boolean | null {
    const choice = this.reasoningChoice;
    return choice !== null && choice.run === this.current.run ? choice.open : null;
  }

  /** Remember the user's open/closed choice for the current run's reasoning. */
  setReasoningOpen(open: boolean): void {
    if (this.disposed || this.reasoningOpen === open) return;
    this.reasoningChoice = { run: this.current.run, open };
    this.update({});
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Ask Python for the full text of the live run; deltas wait until it comes. */
  requestSnapshot(): void {
    if (this.disposed) return;
    this.lastRequestAt = this.now();
    if (!this.current.awaitingSnapshot) this.update({ awaitingSnapshot: true });
    const request: SnapshotRequest = { type: "snapshot" };
    this.model.send(request);
  }

  /** Ask Python for every event of the run so far (the inspector is open, the log is empty). */
  requestEvents(): void {
    if (this.disposed) return;
    const request: EventsRequest = { type: "events" };
    this.model.send(request);
  }

  /** Apply `patch` (and a new reasoning text, when given), then notify. */
  private update(patch: Partial<StoreState>, reasoning?: string): void {
    this.current = { ...this.current, ...patch };
    if (!this.current.awaitingSnapshot) this.held = [];
    if (reasoning !== undefined) this.reasoningText = reasoning;
    for (const listener of [...this.listeners]) listener(this.current);
  }

  private handleMessage(raw: unknown): void {
    const msg = parseKernelMessage(raw);
    if (msg === null) return;
    this.timeline.apply(msg);
    const modelRun = asNumber(this.model.get("run_id"), 0);
    if (msg.run < modelRun || msg.run < this.current.run) return; // stale run
    if (msg.run > this.current.run) {
      // A message for a run the synced traits have not announced yet.
      this.current = { run: msg.run, seq: 0, text: "", stats: {}, awaitingSnapshot: false };
      this.reasoningText = "";
      this.held = [];
      this.events.startRun(msg.run);
      if (msg.type === "events") this.update({});
    }
    if (msg.type === "events") {
      this.events.apply(msg);
      return;
    }
    if (msg.type === "snapshot") {
      // An unrequested snapshot (asked for by another front end) older than
      // what is already shown is ignored.
      if (!this.current.awaitingSnapshot && msg.seq < this.current.seq) return;
      this.applySnapshot(msg);
      return;
    }
    if (this.current.awaitingSnapshot) {
      if (this.now() - this.lastRequestAt >= this.snapshotRetryMs) this.requestSnapshot();
      this.hold(msg);
      if (msg.stats) this.update({ stats: msg.stats });
      return;
    }
    this.appendDeltas([msg]);
  }

  private hold(msg: DeltaMessage): void {
    this.held.push(msg);
    if (this.held.length > this.maxHeldDeltas) this.held.shift();
  }

  /** The snapshot's text, then the held deltas newer than it. */
  private applySnapshot(msg: SnapshotMessage): void {
    const newer = this.held.filter((d) => d.seq > msg.seq).sort((a, b) => a.seq - b.seq);
    this.current = {
      ...this.current,
      seq: msg.seq,
      text: msg.text,
      stats: msg.stats ?? this.current.stats,
      awaitingSnapshot: false,
    };
    this.reasoningText = msg.reasoning ?? "";
    this.held = [];
    this.appendDeltas(newer, true);
  }

  /**
   * Append consecutive deltas in one update; a gap asks for a snapshot and
   * holds the deltas after it. `notify` forces an update when none applies.
   */
  private appendDeltas(deltas: DeltaMessage[], notify = false): void {
    let { seq, text, stats } = this.current;
    let reasoning = this.reasoningText;
    let applied = 0;
    for (const d of deltas) {
      if (d.seq > seq + 1) break; // a gap
      applied += 1;
      if (d.seq <= seq) continue; // duplicate
      seq = d.seq;
      text += d.text;
      stats = d.stats ?? stats;
      if (d.reasoning) reasoning += d.reasoning;
    }
    const rest = deltas.slice(applied);
    if (seq !== this.current.seq || notify) this.update({ seq, text, stats }, reasoning);
    if (rest.length > 0) {
      const latest = rest[rest.length - 1]?.stats;
      if (latest) this.current = { ...this.current, stats: latest };
      this.requestSnapshot();
      for (const d of rest) this.hold(d);
    }
  }

  private handleRunId(): void {
    const run = asNumber(this.model.get("run_id"), 0);
    if (run === this.current.run) return;
    this.events.startRun(run);
    this.update(
      {
        run,
        seq: 0,
        text: asString(this.model.get("text")),
        stats: asStats(this.model.get("stats")),
        awaitingSnapshot: false,
      },
      asString(this.model.get("reasoning")),
    );
  }

  private handleText(): void {
    const text = asString(this.model.get("text"));
    const patch: { -readonly [K in keyof StoreState]?: StoreState[K] } = { text };
    // Once the run is over the synced text is final: nothing left to wait for.
    if (!isRunning(this.model.get("status"))) patch.awaitingSnapshot = false;
    this.update(patch);
  }

  private handleReasoning(): void {
    this.update({}, asString(this.model.get("reasoning")));
  }

  private handleStatus(): void {
    // A finished run gets its final text synced; a pending snapshot is moot.
    if (this.current.awaitingSnapshot && !isRunning(this.model.get("status"))) {
      this.update({ awaitingSnapshot: false });
    }
  }

  private handleStats(): void {
    this.update({ stats: asStats(this.model.get("stats")) });
  }
}
