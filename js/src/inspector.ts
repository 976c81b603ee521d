/**
 * The event inspector: the run's raw wire events beside the answer, newest at
 * the bottom, following the newest row while the user is at the bottom.
 */
import { h, type Region } from "./dom";
import { MAX_EVENT_ROWS, type WireEvent } from "./events";
import { formatEventTime } from "./format";
import type { StreamStore } from "./store";

/** Within this many pixels of the end, the event list counts as scrolled to the bottom. */
const STICKY_PX = 8;

export interface InspectorDeps {
  store: StreamStore;
  inspecting: () => boolean;
}

export interface InspectorRegion extends Region {
  /** Show or hide the panel as the `inspect` trait says (rows come with `update`). */
  toggle(): void;
}

function eventRow(doc: Document, event: WireEvent): HTMLLIElement {
  const row = h(doc, "li", "sse-widget-event");
  const type = h(doc, "span", "sse-widget-event-type", event.type);
  if (event.id !== "") type.title = `id: ${event.id}`;
  row.append(
    h(doc, "span", "sse-widget-event-time", formatEventTime(event.ms)),
    type,
    h(doc, "span", "sse-widget-event-data", event.data),
  );
  return row;
}

export function mountInspector(parent: HTMLElement, deps: InspectorDeps): InspectorRegion {
  const { store, inspecting } = deps;
  const doc = parent.ownerDocument;
  const panel = h(doc, "section", "sse-widget-events");
  panel.setAttribute("aria-label", "Raw events");
  panel.hidden = true;
  const count = h(doc, "div", "sse-widget-events-count");
  const list = h(doc, "ol", "sse-widget-events-list");
  list.tabIndex = 0;
  list.setAttribute("aria-label", "Events, oldest first");
  panel.append(count, list);
  parent.append(panel);

  // Rows shown so far: of which list generation, and how many of its events.
  let shownGeneration = -1;
  let shownTotal = 0;
  // The user's scrolling decides; a list laid out later (not in the page yet,
  // hidden, resized) scrolls down then.
  let stickToBottom = true;
  function scrollToNewest(): void {
    if (stickToBottom && list.scrollHeight > list.clientHeight) list.scrollTop = list.scrollHeight;
  }
  const listeners = new AbortController();
  list.addEventListener(
    "scroll",
    () => {
      stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight <= STICKY_PX;
    },
    { signal: listeners.signal },
  );
  const resizeObserver =
    typeof ResizeObserver === "function" ? new ResizeObserver(() => scrollToNewest()) : null;
  resizeObserver?.observe(list);

  return {
    toggle(): void {
      panel.hidden = !inspecting();
    },
    update(): void {
      if (!inspecting()) return;
      const log = store.events.state;
      if (log.generation !== shownGeneration) {
        list.replaceChildren();
        shownGeneration = log.generation;
        shownTotal = 0;
        stickToBottom = true;
      }
      const fresh = Math.min(log.total - shownTotal, log.events.length);
      if (fresh > 0) {
        const rows = doc.createDocumentFragment();
        for (let i = log.events.length - fresh; i < log.events.length; i++) {
          rows.append(eventRow(doc, log.events[i] as WireEvent));
        }
        list.append(rows);
        let extra = list.childElementCount - MAX_EVENT_ROWS;
        while (extra-- > 0) list.firstElementChild?.remove();
        scrollToNewest();
      }
      shownTotal = log.total;
      const shown = list.childElementCount;
      const text =
        log.total > shown
          ? `Last ${shown} of ${log.total} events`
          : `${log.total} ${log.total === 1 ? "event" : "events"}`;
      if (count.textContent !== text) count.textContent = text;
    },
    destroy(): void {
      listeners.abort();
      resizeObserver?.disconnect();
      panel.remove();
    },
  };
}
