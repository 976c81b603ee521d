/**
 * One view of the widget: builds the DOM, follows the model and the store,
 * and sends the user's intents (stop, retry) back to Python.
 */
import { statParts, statusText } from "./format";
import { CODE_COPY_CLASS, StreamingMarkdown } from "./markdown";
import type { RetryIntent, StopIntent } from "./protocol";
import type { FrameScheduler } from "./scheduler";
import { isRunning, type Model, type StreamStore } from "./store";

export interface ViewOptions {
  model: Model;
  el: HTMLElement;
  store: StreamStore;
  scheduler: FrameScheduler;
  /** Clipboard writer; defaults to navigator.clipboard.writeText. */
  writeClipboard?: (text: string) => Promise<void>;
  /** How long "Copied" stays visible, in ms. */
  copiedMs?: number;
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
const CHROME_TRAITS = ["status", "error", "error_detail", "label", "can_retry"] as const;

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
  const status = h(doc, "span", "sse-widget-status");
  const stats = h(doc, "span", "sse-widget-stats");
  const actions = h(doc, "span", "sse-widget-actions");
  const copied = h(doc, "span", "sse-widget-copied");
  copied.setAttribute("role", "status");
  const stopButton = h(doc, "button", "sse-widget-button sse-widget-stop", "Stop");
  const retryButton = h(doc, "button", "sse-widget-button sse-widget-retry", "Retry");
  const copyButton = h(doc, "button", "sse-widget-button sse-widget-copy", "Copy");
  for (const button of [stopButton, retryButton, copyButton]) button.type = "button";
  stopButton.title = "Stop generating (Esc)";
  retryButton.title = "Run the request again";
  copyButton.title = "Copy the answer as markdown";
  actions.append(copied, stopButton, retryButton, copyButton);
  header.append(label, status, stats, actions);

  const output = h(doc, "div", "sse-widget-output");
  output.setAttribute("role", "log");
  output.setAttribute("aria-live", "polite");
  output.setAttribute("aria-label", "Response");
  output.tabIndex = 0;
  const cursor = h(doc, "span", "sse-widget-cursor", CURSOR_TEXT);
  cursor.setAttribute("aria-hidden", "true");

  root.append(header, output);
  el.append(root);

  let errorPanel: HTMLElement | null = null;
  let content: HTMLElement | null = null;
  let markdown: StreamingMarkdown | null = null;
  let plainText: Text | null = null;
  let contentMode: "markdown" | "plain" | null = null;

  // ---- chrome (status, buttons, error): applied right away -------------
  function running(): boolean {
    return isRunning(model.get("status"));
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
      root.insertBefore(errorPanel, output);
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
    renderText();
    renderStats();
  }

  function ensureContent(): void {
    const mode = model.get("markdown") === false ? "plain" : "markdown";
    if (mode === contentMode && content) return;
    cursor.remove();
    content?.remove();
    contentMode = mode;
    markdown = null;
    plainText = null;
    if (mode === "markdown") {
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
    if (markdown) {
      markdown.update(text, live);
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

  stopButton.addEventListener("click", onStop);
  retryButton.addEventListener("click", onRetry);
  copyButton.addEventListener("click", onCopy);
  root.addEventListener("keydown", onKeyDown);
  output.addEventListener("click", onOutputClick);

  // ---- subscriptions ----------------------------------------------------
  const onChrome = (): void => {
    renderChrome();
    schedule();
  };
  const onMarkdownMode = (): void => schedule();
  for (const trait of CHROME_TRAITS) model.on(`change:${trait}`, onChrome);
  model.on("change:markdown", onMarkdownMode);
  const unsubscribe = store.subscribe(() => schedule());

  renderChrome();
  flushFrame();

  return {
    root,
    flush(): void {
      if (frame !== null) {
        scheduler.cancel(frame);
        flushFrame();
      }
    },
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      if (frame !== null) scheduler.cancel(frame);
      frame = null;
      if (copiedTimer !== null) clearTimeout(copiedTimer);
      copiedTimer = null;
      unsubscribe();
      for (const trait of CHROME_TRAITS) model.off(`change:${trait}`, onChrome);
      model.off("change:markdown", onMarkdownMode);
      stopButton.removeEventListener("click", onStop);
      retryButton.removeEventListener("click", onRetry);
      copyButton.removeEventListener("click", onCopy);
      root.removeEventListener("keydown", onKeyDown);
      output.removeEventListener("click", onOutputClick);
      root.remove();
    },
  };
}
