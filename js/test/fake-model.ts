import type { Model, Traits } from "../src/store";

type Handler = (...args: unknown[]) => void;

/** A minimal in-memory stand-in for an anywidget model. */
export class FakeModel {
  readonly attributes: Record<string, unknown>;
  readonly sent: unknown[] = [];
  /** How many times save_changes() was called. */
  saves = 0;
  private readonly handlers = new Map<string, Handler[]>();

  constructor(initial: Partial<Traits> = {}) {
    this.attributes = {
      status: "idle",
      text: "",
      reasoning: "",
      tool_calls: [],
      error: "",
      error_detail: "",
      stats: {},
      run_id: 0,
      markdown: true,
      label: "",
      can_retry: false,
      notice: "",
      inspect: false,
      load_images: false,
      controls: true,
      ...initial,
    };
  }

  get(key: string): any {
    return this.attributes[key];
  }

  /** Set one trait and fire change:<key> (like Backbone, only when it changed). */
  set(key: string, value: unknown): void {
    if (Object.is(this.attributes[key], value)) return;
    this.attributes[key] = value;
    this.emit(`change:${key}`);
  }

  /** Set several traits first, then fire their change events (one kernel update). */
  update(values: Record<string, unknown>): void {
    const changed = Object.keys(values).filter((k) => !Object.is(this.attributes[k], values[k]));
    Object.assign(this.attributes, values);
    for (const key of changed) this.emit(`change:${key}`);
  }

  on(name: string, handler: Handler): void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler);
    this.handlers.set(name, list);
  }

  off(name?: string | null, handler?: Handler | null): void {
    if (!name) {
      this.handlers.clear();
      return;
    }
    if (!handler) {
      this.handlers.delete(name);
      return;
    }
    const list = this.handlers.get(name);
    if (!list) return;
    const index = list.indexOf(handler);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.handlers.delete(name);
  }

  send(content: unknown): void {
    this.sent.push(content);
  }

  save_changes(): void {
    this.saves++;
  }

  readonly widget_manager = {
    get_model: () => Promise.reject(new Error("not available in tests")),
  };

  /** Deliver a custom message from "Python". */
  custom(msg: unknown): void {
    this.emit("msg:custom", msg, []);
  }

  emit(name: string, ...args: unknown[]): void {
    for (const handler of [...(this.handlers.get(name) ?? [])]) handler(...args);
  }

  listenerCount(name?: string): number {
    if (name) return this.handlers.get(name)?.length ?? 0;
    let total = 0;
    for (const list of this.handlers.values()) total += list.length;
    return total;
  }

  asModel(): Model {
    return this as unknown as Model;
  }
}

export function delta(run: number, seq: number, text: string, stats?: object) {
  return stats ? { type: "delta", run, seq, text, stats } : { type: "delta", run, seq, text };
}

export function snapshot(run: number, seq: number, text: string, stats?: object) {
  return stats ? { type: "snapshot", run, seq, text, stats } : { type: "snapshot", run, seq, text };
}

/** A delta carrying reasoning text (and, optionally, answer text). */
export function thinking(run: number, seq: number, reasoning: string, text = "") {
  return { type: "delta", run, seq, text, reasoning };
}

export type RawEvent = [number, string, string, string];

export function events(run: number, list: RawEvent[], reset = false) {
  return reset ? { type: "events", run, reset: true, events: list } : { type: "events", run, events: list };
}

/** `n` events numbered from `from`: [from * 10 ms, "message", `data <i>`, `<i>`]. */
export function numbered(from: number, n: number): RawEvent[] {
  return Array.from({ length: n }, (_, k): RawEvent => {
    const i = from + k;
    return [i * 10, "message", `data ${i}`, String(i)];
  });
}
