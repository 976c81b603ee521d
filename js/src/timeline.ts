/**
 * Model-level timeline of a run: its output over time, as Python measured it
 * (when the bytes arrived in the kernel), shared by every view of one widget.
 *
 * Points come the way the text does (see protocol.ts): new ones in each
 * DeltaMessage, all of them in a SnapshotMessage (both routed here by the
 * StreamStore, as `store.timeline`), and the `timeline` trait whole when a
 * run starts (empty) and ends. Deltas are applied in `seq` order;
 * after a gap the log waits for the snapshot the store asks for, keeping the
 * deltas that come meanwhile and applying those newer than the snapshot.
 */
import type { TimelinePoint } from "./protocol";

/** The most points kept; past this, every other one is dropped (the final trait replaces them). */
export const MAX_POINTS = 4000;
/** How many deltas are held while waiting for a snapshot. */
const MAX_HELD = 2000;

/** The points in a message or trait value; malformed ones are left out. */
export function timelinePoints(value: unknown): TimelinePoint[] {
  if (!Array.isArray(value)) return [];
  const points: TimelinePoint[] = [];
  for (const row of value) {
    if (!Array.isArray(row) || row.length < 3) continue;
    const [t, chars, tokens] = row as unknown[];
    if ([t, chars, tokens].every((v) => typeof v === "number" && Number.isFinite(v))) {
      points.push([t as number, chars as number, tokens as number]);
    }
  }
  return points;
}

/** The part of a model the log reads. */
export interface TimelineModel {
  get(key: "timeline" | "run_id"): unknown;
  on(event: "change:timeline" | "change:run_id", callback: () => void): void;
  off(event: "change:timeline" | "change:run_id", callback: () => void): void;
}

export interface TimelineState {
  readonly run: number;
  readonly points: readonly TimelinePoint[];
}

interface Held {
  seq: number;
  points: TimelinePoint[];
}

export class TimelineLog {
  private readonly model: TimelineModel;
  private readonly listeners = new Set<(state: TimelineState) => void>();
  private current: TimelineState;
  private seq = 0;
  private waiting = false;
  private held: Held[] = [];
  private started = false;

  private readonly onTrait = (): void => this.replace(this.runId(), timelinePoints(this.model.get("timeline")));
  private readonly onRunId = (): void => {
    if (this.runId() !== this.current.run) this.onTrait();
  };

  constructor(model: TimelineModel) {
    this.model = model;
    this.current = { run: this.runId(), points: timelinePoints(model.get("timeline")) };
  }

  start(): this {
    if (this.started) return this;
    this.started = true;
    this.model.on("change:timeline", this.onTrait);
    this.model.on("change:run_id", this.onRunId);
    return this;
  }

  dispose(): void {
    if (this.started) {
      this.model.off("change:timeline", this.onTrait);
      this.model.off("change:run_id", this.onRunId);
    }
    this.started = false;
    this.listeners.clear();
  }

  get state(): TimelineState {
    return this.current;
  }

  subscribe(listener: (state: TimelineState) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private runId(): number {
    const run = this.model.get("run_id");
    return typeof run === "number" ? run : 0;
  }

  /** Apply a delta's or snapshot's points (other messages are ignored). */
  apply(raw: unknown): void {
    if (raw === null || typeof raw !== "object") return;
    const m = raw as Record<string, unknown>;
    if ((m.type !== "delta" && m.type !== "snapshot") || typeof m.run !== "number" || typeof m.seq !== "number") {
      return;
    }
    if (m.run < this.current.run || m.run < this.runId()) return; // an older run's
    if (m.run > this.current.run) this.replace(m.run, []);
    if (m.type === "snapshot") {
      if (!this.waiting && m.seq < this.seq) return;
      const newer = this.held.filter((d) => d.seq > (m.seq as number)).sort((a, b) => a.seq - b.seq);
      this.waiting = false;
      this.held = [];
      this.seq = m.seq;
      this.current = { ...this.current, points: timelinePoints(m.timeline) };
      this.append(newer);
      this.notify();
      return;
    }
    const delta = { seq: m.seq, points: timelinePoints(m.points) };
    if (this.waiting) {
      this.held.push(delta);
      if (this.held.length > MAX_HELD) this.held.shift();
      return;
    }
    if (this.append([delta])) this.notify();
  }

  /** Apply consecutive deltas; true when any point was added. A gap waits for a snapshot. */
  private append(deltas: Held[]): boolean {
    let points = this.current.points as TimelinePoint[];
    let added = false;
    for (const [i, d] of deltas.entries()) {
      if (d.seq <= this.seq) continue;
      if (d.seq > this.seq + 1) {
        this.waiting = true;
        this.held = deltas.slice(i);
        break;
      }
      this.seq = d.seq;
      if (d.points.length === 0) continue;
      points = points.concat(d.points);
      added = true;
    }
    while (points.length > MAX_POINTS) points = points.filter((_, i) => i % 2 === 0 || i === points.length - 1);
    if (added) this.current = { ...this.current, points };
    return added;
  }

  private replace(run: number, points: TimelinePoint[]): void {
    if (run !== this.current.run) {
      this.seq = 0;
      this.waiting = false;
      this.held = [];
    }
    this.current = { run, points };
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener(this.current);
  }
}
