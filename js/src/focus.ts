/**
 * Keyboard focus across a run's changes and across views.
 *
 * The control under focus may go away: Stop is disabled when a run ends,
 * Retry when one starts, and front ends replace the whole view when its
 * output is updated (JupyterLab does at the end of every run), which drops
 * focus to <body>. `focusAfter` says where focus goes; a FocusMemory, one per
 * model, remembers which control held it, so a new view can take it back.
 * Focus only ever moves when it was inside the widget, never from elsewhere
 * on the page.
 */

export type Control = "inspect" | "stop" | "retry" | "copy" | "output" | "other";

export interface FocusState {
  live: boolean;
  enabled: (control: Control) => boolean;
}

/**
 * Where focus goes when `held` had it and the run went from `wasLive` to the
 * state now: a run that starts takes it to Stop; a control that can no longer
 * be used hands it on (Stop to Retry, Retry to Stop), else it stays.
 */
export function focusAfter(held: Control, wasLive: boolean, state: FocusState): Control {
  if (state.live && !wasLive) return "stop";
  if (held !== "other" && state.enabled(held)) return held;
  if (held === "other") return "other";
  if (state.live) return "stop";
  return state.enabled("retry") ? "retry" : "output";
}

export interface Held {
  control: Control;
  live: boolean;
}

/** Which control of a model's views held focus, kept while focus is inside one of them or fell out of one. */
export class FocusMemory {
  private held: Held | null = null;
  private readonly roots = new Set<HTMLElement>();

  /** Follow focus in `root`; returns the cleanup. */
  watch(root: HTMLElement, controlOf: (el: Element) => Control, live: () => boolean): () => void {
    const doc = root.ownerDocument;
    this.roots.add(root);
    const listeners = new AbortController();
    root.addEventListener(
      "focusin",
      (event: FocusEvent) => {
        if (event.target instanceof Element) this.held = { control: controlOf(event.target), live: live() };
      },
      { signal: listeners.signal },
    );
    root.addEventListener(
      "focusout",
      () => {
        // A view removed under focus keeps the memory (a new one takes it
        // back); focus that went elsewhere clears it.
        queueMicrotask(() => {
          if (!root.isConnected) return;
          if (!this.inside(doc.activeElement)) this.held = null;
        });
      },
      { signal: listeners.signal },
    );
    return () => {
      listeners.abort();
      this.roots.delete(root);
    };
  }

  /** What held focus in a view that went away, when focus has gone nowhere since. */
  fallen(doc: Document): Held | null {
    const active = doc.activeElement;
    return active === null || active === doc.body ? this.held : null;
  }

  private inside(el: Element | null): boolean {
    for (const root of this.roots) if (root.isConnected && el !== null && root.contains(el)) return true;
    return false;
  }
}

const memories = new WeakMap<object, FocusMemory>();

/** The FocusMemory of the model `key` stands for (its store). */
export function focusMemory(key: object): FocusMemory {
  let memory = memories.get(key);
  if (!memory) {
    memory = new FocusMemory();
    memories.set(key, memory);
  }
  return memory;
}
