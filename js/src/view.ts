/**
 * One view of the widget: builds the DOM, follows the model and the store,
 * and sends the user's intents (stop, retry, the event inspector's toggle)
 * back to Python.
 */
import { MAX_EVENT_ROWS, type WireEvent } from "./events";
import { formatEventTime, statParts, statusText } from "./format";
import { gateImages } from "./images";
import { CODE_COPY_CLASS, StreamingMarkdown } from "./markdown";
import type { RetryIntent, StopIntent } from "./protocol";
import type { FrameScheduler } from "./scheduler";
import { StopHint } from "./stop-hint";
import { isRunning, type Model, type StreamStore } from "./store";
import { ToolCallsRegion } from "./tools";

export interface ViewOptions {
  model: Model;
  el: HTMLElement;
  store: StreamStore;
  scheduler: FrameScheduler;
  /** Clipboard writer; defaults to navigator.clipboard.writeText. */
  writeClipboard?: (text: string) => Promise<void>;
  /** How long "Copied" stays visible, in ms. */
  copiedMs?: number;
  /** How long a Stop may go unanswered before the view says the kernel is busy, in ms. */
  stopAnswerMs?: number;
}

export interface ViewHandle {
  readonly root: HTMLElement;
  /** Render pending changes now (tests; normally done once per frame). */
  flush(): void;
  destroy(): void;
}

const CURSOR_TEXT = "▋";
const VOID_ELEMENTS = new Set(["BR", "HR", "IMG", "INPUT"]);
/** Elements the cursor may be placed inside of (the end of their text). */
const CURSOR_CONTAINERS = new Set([
  "P", "LI", "UL", "OL", "BLOCKQUOTE", "PRE", "TABLE", "THEAD", "TBODY", "TR", "TD", "TH",
  "H1", "H2", "H3", "H4", "H5", "H6", "DIV",
]);
const CHROME_TRAITS = [
  "status", "error", "error_detail", "label", "can_retry", "notice", "inspect",
] as const;
/** Within this many pixels of the end, the event list counts as scrolled to the bottom. */
const STICKY_PX = 8;

/**
 * The last finished markdown render of each model's text. Front ends rebuild
 * views (JupyterLab replaces a widget's view when its output is updated at the
 * end of a run): a view that mounts then copies these nodes instead of
 * rendering the whole text again.
 */
const finishedRenders = new WeakMap<StreamStore, { text: string; content: HTMLElement }>();
/** The image URLs the user loaded in each model's text, kept across views. */
const allowedImages = new WeakMap<StreamStore, Set<string>>();

function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function defaultClipboard(text: string): Promise<void> {
  const clipboard = typeof navigator !== "undefined" ? navigator.clipboard : undefined;
  if (!clipboard || typeof clipboard.writeText !== "function") {
    return Promise.reject(new Error("Clipboard not available"));
  }
  return clipboard.writeText(text);
}

/** The innermost element holding the end of `node`'s text. */
function cursorHost(node: Node): Element | null {
  if (node.nodeType !== Node.ELEMENT_NODE) return node.parentElement;
  let el = node as Element;
  if (VOID_ELEMENTS.has(el.tagName)) return el.parentElement;
  for (;;) {
    let last: Node | null = el.lastChild;
    while (last && last.nodeType === Node.TEXT_NODE && (last.nodeValue ?? "").trim() === "") {
      last = last.previousSibling;
    }
    if (!last || last.nodeType !== Node.ELEMENT_NODE) return el;
    const child = last as Element;
    const descend =
      CURSOR_CONTAINERS.has(child.tagName) || (child.tagName === "CODE" && el.tagName === "PRE");
    if (!descend) return el;
    el = child;
  }
}

export function mountView(options: ViewOptions): ViewHandle {
  const { model, el, store, scheduler } = options;
  const writeClipboard = options.writeClipboard ?? defaultClipboard;
  const copiedMs = options.copiedMs ?? 1500;
  const doc = el.ownerDocument;
  let destroyed = false;

  // ---- DOM -------------------------------------------------------------
  const root = h(doc, "div", "sse-widget");
  const header = h(doc, "div", "sse-widget-header");
  const label = h(doc, "span", "sse-widget-label");
  // A live region: assistive technology hears the run start and end here,
  // while the text region stays quiet (aria-busy) until the run is over.
  const status = h(doc, "span", "sse-widget-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-atomic", "true");
  const stats = h(doc, "span", "sse-widget-stats");
  const actions = h(doc, "span", "sse-widget-actions");
  const copied = h(doc, "span", "sse-widget-copied");
  copied.setAttribute("role", "status");
  const stopButton = h(doc, "button", "sse-widget-button sse-widget-stop", "Stop");
  const retryButton = h(doc, "button", "sse-widget-button sse-widget-retry", "Retry");
  const copyButton = h(doc, "button", "sse-widget-button sse-widget-copy", "Copy");
  const inspectButton = h(doc, "button", "sse-widget-button sse-widget-inspect", "Events");
  for (const button of [stopButton, retryButton, copyButton, inspectButton]) button.type = "button";
  stopButton.title = "Stop generating (Esc)";
  retryButton.title = "Run the request again";
  copyButton.title = "Copy the answer as markdown";
  inspectButton.title = "Show the raw events of the stream";
  inspectButton.setAttribute("aria-pressed", "false");
  actions.append(copied, inspectButton, stopButton, retryButton, copyButton);
  header.append(label, status, stats, actions);

  // One line of advice that is not an error; a live region from the start.
  const notice = h(doc, "div", "sse-widget-notice");
  notice.setAttribute("role", "status");
  notice.hidden = true;
  const stopHint = new StopHint(doc, { timeoutMs: options.stopAnswerMs });

  // Reasoning ("thinking") text, above the answer; plain text only. It is in
  // the DOM only while there is some.
  const reasoning = h(doc, "details", "sse-widget-reasoning");
  const reasoningSummary = h(doc, "summary", "sse-widget-reasoning-summary", "Reasoning");
  const reasoningBody = h(doc, "div", "sse-widget-reasoning-text");
  const reasoningText = doc.createTextNode("");
  reasoningBody.append(reasoningText);
  reasoning.append(reasoningSummary, reasoningBody);

  // The answer, and beside it (or below, when narrow) the event inspector.
  const body = h(doc, "div", "sse-widget-body");
  const output = h(doc, "div", "sse-widget-output");
  output.setAttribute("role", "log");
  output.setAttribute("aria-live", "polite");
  output.setAttribute("aria-label", "Response");
  output.tabIndex = 0;
  const cursor = h(doc, "span", "sse-widget-cursor", CURSOR_TEXT);
  cursor.setAttribute("aria-hidden", "true");

  const eventsPanel = h(doc, "section", "sse-widget-events");
  eventsPanel.setAttribute("aria-label", "Raw events");
  eventsPanel.hidden = true;
  const eventsCount = h(doc, "div", "sse-widget-events-count");
  const eventsList = h(doc, "ol", "sse-widget-events-list");
  eventsList.tabIndex = 0;
  eventsList.setAttribute("aria-label", "Events, oldest first");
  eventsPanel.append(eventsCount, eventsList);
  body.append(output, eventsPanel);

  // The tool calls the model makes, each a collapsible block (its own module).
  const tools = new ToolCallsRegion(doc, model);

  root.append(header, notice, stopHint.el, reasoning, tools.el, body);
  el.append(root);

  if (!allowedImages.has(store)) allowedImages.set(store, new Set());
  const images = gateImages(output, {
    loadAll: () => model.get("load_images") === true,
    allowed: allowedImages.get(store),
  });

  let errorPanel: HTMLElement | null = null;
  let content: HTMLElement | null = null;
  let markdown: StreamingMarkdown | null = null;
  let plainText: Text | null = null;
  let contentMode: "markdown" | "plain" | null = null;

  // ---- chrome (status, buttons, error): applied right away -------------
  function running(): boolean {
    return isRunning(model.get("status"));
  }

  function inspecting(): boolean {
    return model.get("inspect") === true;
  }

  function renderChrome(): void {
    const st = str(model.get("status")) || "idle";
    const live = running();
    root.dataset.status = st;
    status.textContent = statusText(st);
    output.setAttribute("aria-busy", live ? "true" : "false");

    const text = str(model.get("label"));
    label.textContent = text;
    label.hidden = text === "";

    const stopHadFocus = doc.activeElement === stopButton;
    stopButton.disabled = !live;
    retryButton.disabled = !(model.get("can_retry") === true && !live);
    if (stopHadFocus && stopButton.disabled) (retryButton.disabled ? output : retryButton).focus();

    const advice = str(model.get("notice"));
    if (notice.textContent !== advice) notice.textContent = advice;
    notice.hidden = advice === "";

    const inspect = inspecting();
    inspectButton.setAttribute("aria-pressed", inspect ? "true" : "false");
    eventsPanel.hidden = !inspect;
    root.classList.toggle("sse-widget-inspecting", inspect);

    renderError();
  }

  let shownError = "";
  let shownDetail = "";
  function renderError(): void {
    const message = str(model.get("error"));
    const detail = str(model.get("error_detail"));
    if (message === "") {
      errorPanel?.remove();
      errorPanel = null;
      return;
    }
    if (errorPanel && message === shownError && detail === shownDetail) return;
    shownError = message;
    shownDetail = detail;
    if (!errorPanel) {
      errorPanel = h(doc, "div", "sse-widget-error");
      errorPanel.setAttribute("role", "alert");
      root.insertBefore(errorPanel, reasoning.parentNode === root ? reasoning : tools.el);
    }
    const line = h(doc, "p", "sse-widget-error-message", message);
    const parts: Node[] = [line];
    if (detail !== "") {
      const details = h(doc, "details", "sse-widget-error-detail");
      details.append(h(doc, "summary", undefined, "Details"), h(doc, "pre", undefined, detail));
      parts.push(details);
    }
    const existing = errorPanel.querySelector("details");
    const wasOpen = existing instanceof HTMLDetailsElement && existing.open;
    errorPanel.replaceChildren(...parts);
    const details = errorPanel.querySelector("details");
    if (details && wasOpen) details.open = true;
  }

  // ---- text and stats: at most once per frame --------------------------
  let frame: number | null = null;

  function schedule(): void {
    if (frame === null) frame = scheduler.request(flushFrame);
  }

  function flushFrame(): void {
    frame = null;
    renderReasoning();
    renderText();
    renderStats();
    renderEvents();
  }

  /** Render now what the next frame would have rendered. */
  function flushPending(): void {
    if (frame !== null) {
      scheduler.cancel(frame);
      flushFrame();
    }
  }

  function ensureContent(): void {
    const mode = model.get("markdown") === false ? "plain" : "markdown";
    if (mode === contentMode && content) return;
    cursor.remove();
    content?.remove();
    contentMode = mode;
    markdown = null;
    plainText = null;
    const finished = finishedRenders.get(store);
    if (mode === "markdown" && finished && finished.text === store.state.text && !running()) {
      content = finished.content.cloneNode(true) as HTMLElement;
      for (const label of content.querySelectorAll(`.${CODE_COPY_CLASS}`)) {
        if (label.firstChild?.nodeType === Node.TEXT_NODE) label.firstChild.nodeValue = "Copy";
      }
      markdown = new StreamingMarkdown(content);
      markdown.adopt(store.state.text);
    } else if (mode === "markdown") {
      content = h(doc, "div", "sse-widget-markdown");
      markdown = new StreamingMarkdown(content);
    } else {
      content = h(doc, "div", "sse-widget-plain");
      plainText = doc.createTextNode("");
      content.append(plainText);
    }
    output.append(content);
  }

  function renderText(): void {
    ensureContent();
    const text = store.state.text;
    const live = running();
    if (markdown && content) {
      markdown.update(text, live);
      images.apply();
      if (!live) finishedRenders.set(store, { text, content });
      else if (finishedRenders.get(store)?.content === content) finishedRenders.delete(store);
    } else if (plainText && plainText.data !== text) {
      plainText.data = text;
    }
    copyButton.disabled = text === "";
    placeCursor(live);
  }

  function placeCursor(live: boolean): void {
    if (!live || !content) {
      cursor.remove();
      return;
    }
    let host: Element | null = content;
    if (markdown) {
      const last = markdown.lastNode();
      host = last ? (cursorHost(last) ?? content) : content;
    }
    if (host.lastChild !== cursor) host.append(cursor);
  }

  // The open state this view last gave the reasoning panel itself. When the
  // panel's state differs from it, the user toggled the panel.
  let reasoningOpenSet = false;

  function noteUserToggle(): void {
    if (reasoning.open !== reasoningOpenSet) {
      reasoningOpenSet = reasoning.open;
      store.setReasoningOpen(reasoning.open);
    }
  }

  function renderReasoning(): void {
    // A click whose toggle event has not come yet must not be undone here.
    noteUserToggle();
    const text = store.reasoning;
    if (reasoningText.data !== text) {
      const old = reasoningText.data;
      if (old !== "" && text.startsWith(old)) reasoningText.appendData(text.slice(old.length));
      else reasoningText.data = text;
    }
    if (text === "") {
      reasoning.remove();
    } else if (reasoning.parentNode !== root) {
      root.insertBefore(reasoning, tools.el);
    }
    // Open while the model thinks and no answer has come yet; then collapsed.
    const open = store.reasoningOpen ?? (running() && store.state.text === "");
    if (reasoning.open !== open) {
      reasoningOpenSet = open;
      reasoning.open = open;
    }
  }

  // Toggle events also follow our own changes (asynchronously): only a state
  // this view did not set is the user's choice.
  const onReasoningToggle = (): void => noteUserToggle();

  // Rows shown so far: of which list generation, and how many of its events.
  let shownGeneration = -1;
  let shownTotal = 0;

  function eventRow(event: WireEvent): HTMLLIElement {
    const row = h(doc, "li", "sse-widget-event");
    const time = h(doc, "span", "sse-widget-event-time", formatEventTime(event.ms));
    const type = h(doc, "span", "sse-widget-event-type", event.type);
    if (event.id !== "") type.title = `id: ${event.id}`;
    const data = h(doc, "span", "sse-widget-event-data", event.data);
    row.append(time, type, data);
    return row;
  }

  function atBottom(): boolean {
    return eventsList.scrollHeight - eventsList.scrollTop - eventsList.clientHeight <= STICKY_PX;
  }

  // Follow the newest row while the user is at the bottom of the list. The
  // user's scrolling decides; a list that gets laid out later (the view was
  // not in the page yet, the panel was hidden, the width changed) scrolls
  // down then.
  let stickToBottom = true;
  function scrollToNewest(): void {
    if (stickToBottom && eventsList.scrollHeight > eventsList.clientHeight) {
      eventsList.scrollTop = eventsList.scrollHeight;
    }
  }
  const onEventsScroll = (): void => {
    stickToBottom = atBottom();
  };
  const resizeObserver =
    typeof ResizeObserver === "function" ? new ResizeObserver(() => scrollToNewest()) : null;
  resizeObserver?.observe(eventsList);

  function renderEvents(): void {
    if (!inspecting()) return;
    const log = store.events.state;
    if (log.generation !== shownGeneration) {
      eventsList.replaceChildren();
      shownGeneration = log.generation;
      shownTotal = 0;
      stickToBottom = true;
    }
    const fresh = Math.min(log.total - shownTotal, log.events.length);
    if (fresh > 0) {
      const rows = doc.createDocumentFragment();
      for (let i = log.events.length - fresh; i < log.events.length; i++) {
        rows.append(eventRow(log.events[i] as WireEvent));
      }
      eventsList.append(rows);
      let extra = eventsList.childElementCount - MAX_EVENT_ROWS;
      while (extra-- > 0) eventsList.firstElementChild?.remove();
      scrollToNewest();
    }
    shownTotal = log.total;
    const shown = eventsList.childElementCount;
    const count =
      log.total > shown
        ? `Last ${shown} of ${log.total} events`
        : `${log.total} ${log.total === 1 ? "event" : "events"}`;
    if (eventsCount.textContent !== count) eventsCount.textContent = count;
  }

  function renderStats(): void {
    const parts = statParts(store.state.stats);
    const signature = parts.map((p) => p.text).join("|");
    if (stats.dataset.signature === signature) return;
    stats.dataset.signature = signature;
    const nodes: Node[] = [];
    parts.forEach((part, i) => {
      if (i > 0) {
        const sep = h(doc, "span", "sse-widget-stats-sep", " · ");
        sep.setAttribute("aria-hidden", "true");
        nodes.push(sep);
      }
      const item = h(doc, "span", `sse-widget-stat sse-widget-stat-${part.key}`, part.text);
      item.title = part.title;
      nodes.push(item);
    });
    stats.replaceChildren(...nodes);
  }

  // ---- intents ----------------------------------------------------------
  function sendStop(): void {
    const intent: StopIntent = { type: "stop", run: model.get("run_id") };
    model.send(intent);
    stopHint.sent(intent.run);
  }

  let copiedTimer: ReturnType<typeof setTimeout> | null = null;
  function showCopied(message: string, button?: HTMLButtonElement): void {
    copied.textContent = message;
    const label = button?.firstChild;
    if (button && label && label.nodeType === Node.TEXT_NODE) label.nodeValue = "Copied";
    if (copiedTimer !== null) clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => {
      copiedTimer = null;
      copied.textContent = "";
      for (const b of root.querySelectorAll<HTMLButtonElement>(`.${CODE_COPY_CLASS}`)) {
        if (b.firstChild && b.firstChild.nodeType === Node.TEXT_NODE) b.firstChild.nodeValue = "Copy";
      }
    }, copiedMs);
  }

  function copy(text: string, button?: HTMLButtonElement): void {
    writeClipboard(text).then(
      () => {
        if (!destroyed) showCopied("Copied", button);
      },
      () => {
        if (!destroyed) showCopied("Copy failed");
      },
    );
  }

  const onStop = (): void => {
    if (running()) sendStop();
  };
  const onRetry = (): void => {
    const intent: RetryIntent = { type: "retry" };
    model.send(intent);
  };
  const onCopy = (): void => copy(store.state.text);
  const onInspect = (): void => {
    model.set("inspect", !inspecting());
    model.save_changes();
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== "Escape" || !running()) return;
    event.preventDefault();
    event.stopPropagation();
    sendStop();
  };
  const onOutputClick = (event: MouseEvent): void => {
    const target = event.target instanceof Element ? event.target : null;
    const button = target?.closest<HTMLButtonElement>(`.${CODE_COPY_CLASS}`);
    if (!button || !output.contains(button)) return;
    const code = button.parentElement?.querySelector("code");
    copy(code?.textContent ?? "", button);
  };

  // Every DOM listener goes with one abort() when the view is destroyed.
  const listeners = new AbortController();
  const until = { signal: listeners.signal };
  stopButton.addEventListener("click", onStop, until);
  retryButton.addEventListener("click", onRetry, until);
  copyButton.addEventListener("click", onCopy, until);
  inspectButton.addEventListener("click", onInspect, until);
  eventsList.addEventListener("scroll", onEventsScroll, until);
  reasoning.addEventListener("toggle", onReasoningToggle, until);
  root.addEventListener("keydown", onKeyDown, until);
  output.addEventListener("click", onOutputClick, until);

  // ---- subscriptions ----------------------------------------------------
  // When a run ends, its final text is shown at once rather than on the next
  // frame: front ends may replace this view right after (an output update),
  // and a frame that never comes would leave the final DOM to the new view.
  // A microtask lets the rest of the same kernel update (the final text)
  // land first.
  let wasRunning = running();
  const finishNow = (): void => {
    if (!destroyed) flushPending();
  };
  const onChrome = (): void => {
    renderChrome();
    schedule();
    const live = running();
    stopHint.follow(model.get("run_id"), live);
    if (wasRunning && !live) queueMicrotask(finishNow);
    wasRunning = live;
  };
  const onMarkdownMode = (): void => schedule();
  const onLoadImages = (): void => images.apply();
  for (const trait of CHROME_TRAITS) model.on(`change:${trait}`, onChrome);
  model.on("change:markdown", onMarkdownMode);
  model.on("change:load_images", onLoadImages);
  const unsubscribe = store.subscribe(() => schedule());
  const unsubscribeEvents = store.events.subscribe(() => {
    if (inspecting()) schedule();
  });

  renderChrome();
  flushFrame();

  return {
    root,
    flush: flushPending,
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      noteUserToggle(); // a click whose toggle event has not come yet
      if (frame !== null) scheduler.cancel(frame);
      frame = null;
      if (copiedTimer !== null) clearTimeout(copiedTimer);
      copiedTimer = null;
      stopHint.clear();
      unsubscribe();
      unsubscribeEvents();
      for (const trait of CHROME_TRAITS) model.off(`change:${trait}`, onChrome);
      model.off("change:markdown", onMarkdownMode);
      model.off("change:load_images", onLoadImages);
      images.destroy();
      tools.destroy();
      listeners.abort();
      resizeObserver?.disconnect();
      root.remove();
    },
  };
}
