/**
 * The reasoning ("thinking") panel above the answer, plain text only. In the
 * DOM only while there is some; open while the model thinks and no answer has
 * come yet, then collapsed, unless the user chose (the store keeps that choice
 * for the run, across rebuilt views).
 */
import { h, type Region } from "./dom";
import type { StreamStore } from "./store";

export interface ReasoningDeps {
  store: StreamStore;
  running: () => boolean;
  /** The node the panel goes before when it appears. */
  before: Node;
}

export interface ReasoningRegion extends Region {
  /** The panel, in `parent` or not. */
  readonly panel: HTMLDetailsElement;
}

export function mountReasoning(parent: HTMLElement, deps: ReasoningDeps): ReasoningRegion {
  const { store } = deps;
  const doc = parent.ownerDocument;
  const panel = h(doc, "details", "sse-widget-reasoning");
  const summary = h(doc, "summary", "sse-widget-reasoning-summary", "Reasoning");
  const body = h(doc, "div", "sse-widget-reasoning-text");
  const text = doc.createTextNode("");
  body.append(text);
  panel.append(summary, body);

  // The open state this view last gave the panel itself. When the panel's
  // state differs from it, the user toggled the panel.
  let openSet = false;
  function noteUserToggle(): void {
    if (panel.open !== openSet) {
      openSet = panel.open;
      store.setReasoningOpen(panel.open);
    }
  }
  // Toggle events also follow our own changes (asynchronously): only a state
  // this view did not set is the user's choice.
  const listeners = new AbortController();
  panel.addEventListener("toggle", () => noteUserToggle(), { signal: listeners.signal });

  return {
    panel,
    update(): void {
      // A click whose toggle event has not come yet must not be undone here.
      noteUserToggle();
      const value = store.reasoning;
      if (text.data !== value) {
        const old = text.data;
        if (old !== "" && value.startsWith(old)) text.appendData(value.slice(old.length));
        else text.data = value;
      }
      if (value === "") panel.remove();
      else if (panel.parentNode !== parent) parent.insertBefore(panel, deps.before);
      const open = store.reasoningOpen ?? (deps.running() && store.state.text === "");
      if (panel.open !== open) {
        openSet = open;
        panel.open = open;
      }
    },
    destroy(): void {
      noteUserToggle(); // a click whose toggle event has not come yet
      listeners.abort();
      panel.remove();
    },
  };
}
