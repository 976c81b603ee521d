/**
 * The answer: markdown (sanitized, rendered incrementally) or plain text, with
 * a blinking cursor at the end of the text while the run is live. Remote
 * images wait for a click (or the `load_images` trait).
 */
import { h, type Region } from "./dom";
import { gateImages } from "./images";
import { StreamingMarkdown } from "./markdown";
import { CODE_COPY_CLASS } from "./markdown-render";
import type { Model, StreamStore } from "./store";

const CURSOR_TEXT = "▋";
const VOID_ELEMENTS = new Set(["BR", "HR", "IMG", "INPUT"]);
/** Elements the cursor may be placed inside of (the end of their text). */
const CURSOR_CONTAINERS = new Set([
  "P", "LI", "UL", "OL", "BLOCKQUOTE", "PRE", "TABLE", "THEAD", "TBODY", "TR", "TD", "TH",
  "H1", "H2", "H3", "H4", "H5", "H6", "DIV",
]);

/**
 * The last finished markdown render of each model's text. Front ends rebuild
 * views (JupyterLab replaces a widget's view when its output is updated at the
 * end of a run): a view that mounts then copies these nodes instead of
 * rendering the whole text again.
 */
const finishedRenders = new WeakMap<StreamStore, { text: string; content: HTMLElement }>();
/** The image URLs the user loaded in each model's text, kept across views. */
const allowedImages = new WeakMap<StreamStore, Set<string>>();

export interface AnswerDeps {
  model: Model;
  store: StreamStore;
  running: () => boolean;
  /** A code block's Copy button was clicked. */
  copyCode: (text: string, button: HTMLButtonElement) => void;
}

export interface AnswerRegion extends Region {
  /** The focusable text region. */
  readonly output: HTMLElement;
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

export function mountAnswer(parent: HTMLElement, deps: AnswerDeps): AnswerRegion {
  const { model, store, running } = deps;
  const doc = parent.ownerDocument;
  const output = h(doc, "div", "sse-widget-output");
  output.setAttribute("role", "log");
  output.setAttribute("aria-live", "polite");
  output.setAttribute("aria-label", "Response");
  output.tabIndex = 0;
  const cursor = h(doc, "span", "sse-widget-cursor", CURSOR_TEXT);
  cursor.setAttribute("aria-hidden", "true");
  parent.append(output);
  if (!allowedImages.has(store)) allowedImages.set(store, new Set());
  const images = gateImages(output, {
    loadAll: () => model.get("load_images") === true,
    allowed: allowedImages.get(store),
  });
  const onLoadImages = (): void => images.apply();
  model.on("change:load_images", onLoadImages);

  let content: HTMLElement | null = null;
  let markdown: StreamingMarkdown | null = null;
  let plainText: Text | null = null;
  let contentMode: "markdown" | "plain" | null = null;

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

  const listeners = new AbortController();
  output.addEventListener(
    "click",
    (event: MouseEvent) => {
      const target = event.target instanceof Element ? event.target : null;
      const button = target?.closest<HTMLButtonElement>(`.${CODE_COPY_CLASS}`);
      if (!button || !output.contains(button)) return;
      const code = button.parentElement?.querySelector("code");
      deps.copyCode(code?.textContent ?? "", button);
    },
    { signal: listeners.signal },
  );

  return {
    output,
    update(): void {
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
      placeCursor(live);
    },
    destroy(): void {
      model.off("change:load_images", onLoadImages);
      images.destroy();
      listeners.abort();
      output.remove();
    },
  };
}
