/**
 * Model-level log of raw wire events for the event inspector.
 *
 * Fed by EventsMessage custom messages (routed here by the StreamStore), so
 * every view of one widget shows the same events. Only the newest
 * MAX_EVENT_ROWS are kept; `total` counts every event of the run, so a view
 * can append just the events it has not shown yet.
 */
import type { EventsMessage } from "./protocol";

/** The most events kept (and shown) at once. */
export const MAX_EVENT_ROWS = 2000;

export interface WireEvent {
  /** Milliseconds since the request started. */
  readonly ms: number;
  readonly type: string;
  readonly data: string;
  readonly id: string;
}

export interface EventLogState {
  /** The run the events belong to. */
  readonly run: number;
  /** Changes whenever the list is replaced (reset, new run); views rebuild then. */
  readonly generation: number;
  /** Events received for this run and generation, including those no longer kept. */
  readonly total: number;
  /** The newest events, oldest first; at most MAX_EVENT_ROWS. */
  readonly events: readonly WireEvent[];
}

export type EventLogListener = (state: EventLogState) => void;

function asEvent(value: unknown): WireEvent | null {
  if (!Array.isArray(value) || value.length < 3) return null;
  const [ms, type, data, id] = value as unknown[];
  if (typeof ms !== "number" || !Number.isFinite(ms)) return null;
  if (typeof type !== "string" || typeof data !== "string") return null;
  return { ms, type, data, id: typeof id === "string" ? id : "" };
}

/** Narrow an incoming custom message to an EventsMessage; malformed events are left out. */
export function parseEventsMessage(msg: unknown): EventsMessage | null {
  if (msg === null || typeof msg !== "object") return null;
  const m = msg as Record<string, unknown>;
  if (m.type !== "events" || typeof m.run !== "number" || !Array.isArray(m.events)) return null;
  const events: EventsMessage["events"] = [];
  for (const raw of m.events) {
    const event = asEvent(raw);
    if (event) events.push([event.ms, event.type, event.data, event.id]);
  }
  const out: EventsMessage = { type: "events", run: m.run, events };
  if (m.reset === true) out.reset = true;
  return out;
}

export class EventLog {
  private readonly max: number;
  private readonly listeners = new Set<EventLogListener>();
  private current: EventLogState;

  constructor(run = 0, max = MAX_EVENT_ROWS) {
    this.max = Math.max(1, Math.floor(max));
    this.current = { run, generation: 0, total: 0, events: [] };
  }

  get state(): EventLogState {
    return this.current;
  }

  subscribe(listener: EventLogListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  clearListeners(): void {
    this.listeners.clear();
  }

  /** A new run started: the list empties (nothing happens for the same run). */
  startRun(run: number): void {
    if (run === this.current.run) return;
    this.replace(run, []);
  }

  /**
   * Apply an EventsMessage: older runs are dropped, a newer run or `reset`
   * replaces the list, anything else appends.
   */
  apply(msg: EventsMessage): void {
    if (msg.run < this.current.run) return;
    const events = msg.events.map(([ms, type, data, id]) => ({ ms, type, data, id }));
    if (msg.reset === true || msg.run > this.current.run) {
      this.replace(msg.run, events);
      return;
    }
    if (events.length === 0) return;
    const kept = this.current.events.concat(events);
    this.set({
      ...this.current,
      total: this.current.total + events.length,
      events: kept.length > this.max ? kept.slice(kept.length - this.max) : kept,
    });
  }

  private replace(run: number, events: WireEvent[]): void {
    this.set({
      run,
      generation: this.current.generation + 1,
      total: events.length,
      events: events.length > this.max ? events.slice(events.length - this.max) : events,
    });
  }

  private set(state: EventLogState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}
