/**
 * The view's clipboard: copies the answer or a code block, and says "Copied"
 * (or "Copy failed") for a moment, in a live region and on the button clicked.
 */
import { h, type Region } from "./dom";
import { CODE_COPY_CLASS } from "./markdown-render";

export interface ClipboardDeps {
  /** Where the code blocks' Copy buttons are reset when the message goes. */
  root: HTMLElement;
  /** Clipboard writer; defaults to navigator.clipboard.writeText. */
  writeClipboard?: (text: string) => Promise<void>;
  /** How long "Copied" stays visible, in ms. */
  copiedMs?: number;
}

export interface ClipboardRegion extends Region {
  copy(text: string, button?: HTMLButtonElement): void;
}

function defaultClipboard(text: string): Promise<void> {
  const clipboard = typeof navigator !== "undefined" ? navigator.clipboard : undefined;
  if (!clipboard || typeof clipboard.writeText !== "function") {
    return Promise.reject(new Error("Clipboard not available"));
  }
  return clipboard.writeText(text);
}

function setLabel(button: Element, text: string): void {
  const label = button.firstChild;
  if (label && label.nodeType === Node.TEXT_NODE) label.nodeValue = text;
}

export function mountClipboard(parent: HTMLElement, deps: ClipboardDeps): ClipboardRegion {
  const writeClipboard = deps.writeClipboard ?? defaultClipboard;
  const copiedMs = deps.copiedMs ?? 1500;
  const copied = h(parent.ownerDocument, "span", "sse-widget-copied");
  copied.setAttribute("role", "status");
  parent.append(copied);
  let destroyed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function show(message: string, button?: HTMLButtonElement): void {
    copied.textContent = message;
    if (button) setLabel(button, "Copied");
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      copied.textContent = "";
      for (const b of deps.root.querySelectorAll(`.${CODE_COPY_CLASS}`)) setLabel(b, "Copy");
    }, copiedMs);
  }

  return {
    copy(text: string, button?: HTMLButtonElement): void {
      writeClipboard(text).then(
        () => {
          if (!destroyed) show("Copied", button);
        },
        () => {
          if (!destroyed) show("Copy failed");
        },
      );
    },
    update(): void {},
    destroy(): void {
      destroyed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      copied.remove();
    },
  };
}
