/**
 * anywidget entry of sse_widget.toolbar.Toolbar: one set of controls for a
 * group of streams (compare's "Stop all" / "Retry all") or a conversation
 * (ChatWidget's message box with Send, Stop, Retry, Clear), styled like the
 * widget's own buttons.
 *
 * Python owns which buttons exist and which are enabled (`buttons`); the view
 * sends `{type: "click", name}` and `{type: "send", text}`. Enter in the box
 * sends, Shift+Enter adds a line, an IME composition never sends; the box
 * grows with its text; Esc presses Stop. When the focused button is disabled
 * under it, focus goes to the box, else to the first button that works.
 */
import type { AnyModel } from "@anywidget/types";
import { h } from "./dom";
import { toolbarClick, toolbarSend, type ToolbarButton, type ToolbarModel } from "./protocol";

type Model = AnyModel<ToolbarModel>;

/** Enter alone sends; Shift+Enter is a new line; keys that finish an IME composition are the IME's. */
export function sendsOnEnter(event: Pick<KeyboardEvent, "key" | "shiftKey" | "isComposing" | "keyCode" | "altKey" | "ctrlKey" | "metaKey">): boolean {
  if (event.key !== "Enter" || event.shiftKey || event.altKey) return false;
  // 229: the keydown a browser sends while an IME handles the key.
  return !event.isComposing && event.keyCode !== 229;
}

/** Grow `box` to its text where CSS cannot (no `field-sizing: content`). */
export function fitToText(box: HTMLTextAreaElement): void {
  if (typeof CSS !== "undefined" && CSS.supports?.("field-sizing", "content")) return;
  box.style.height = "auto";
  box.style.height = `${box.scrollHeight}px`;
}

function buttonsOf(model: Model): ToolbarButton[] {
  const value = model.get("buttons");
  return Array.isArray(value) ? value : [];
}

export function renderToolbar(model: Model, el: HTMLElement): () => void {
  const doc = el.ownerDocument;
  const root = h(doc, "div", "sse-bar");
  const listeners = new AbortController();
  const until = { signal: listeners.signal };
  let box: HTMLTextAreaElement | null = null;
  if (model.get("input") === true) {
    box = h(doc, "textarea", "sse-bar-input");
    box.rows = 1;
    box.placeholder = String(model.get("placeholder") ?? "");
    box.setAttribute("aria-label", box.placeholder || "Message");
    root.append(box);
  }
  const row = h(doc, "div", "sse-bar-buttons");
  root.append(row);
  el.append(root);
  const made = new Map<string, HTMLButtonElement>();

  const enabled = (name: string): HTMLButtonElement | null => {
    const button = made.get(name);
    return button && !button.disabled ? button : null;
  };
  const send = (): void => {
    if (!box || !enabled("send")) return;
    const text = box.value;
    if (text.trim() === "") return;
    model.send(toolbarSend(text));
    box.value = "";
    fitToText(box);
  };

  function update(): void {
    const focused = doc.activeElement;
    const specs = buttonsOf(model);
    for (const spec of specs) {
      let button = made.get(spec.name);
      if (!button) {
        button = h(doc, "button", `sse-widget-button sse-bar-${spec.name}`);
        button.type = "button";
        const name = spec.name;
        button.addEventListener("click", () => (name === "send" ? send() : model.send(toolbarClick(name))), until);
        made.set(spec.name, button);
      }
      button.textContent = spec.label;
      button.title = spec.title ?? "";
      button.disabled = spec.disabled === true;
      row.append(button); // in the order given
    }
    for (const [name, button] of made) {
      if (!specs.some((s) => s.name === name)) {
        button.remove();
        made.delete(name);
      }
    }
    const lost = focused instanceof HTMLButtonElement && root.contains(focused) && (focused.disabled || !focused.isConnected);
    if (lost) (box ?? [...made.values()].find((b) => !b.disabled))?.focus();
  }

  if (box) {
    const input = box;
    input.addEventListener("input", () => fitToText(input), until);
    input.addEventListener("keypress", (event) => event.stopPropagation(), until);
    input.addEventListener(
      "keydown",
      (event: KeyboardEvent) => {
        // Typing is the box's, not the notebook's shortcuts' (as ipywidgets' text boxes do);
        // Esc goes on to the toolbar (Stop) and, when there is nothing to stop, to the page.
        if (event.key !== "Escape") event.stopPropagation();
        if (!sendsOnEnter(event)) return;
        event.preventDefault();
        send();
      },
      until,
    );
  }
  root.addEventListener(
    "keydown",
    (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !enabled("stop")) return;
      event.preventDefault();
      event.stopPropagation();
      model.send(toolbarClick("stop"));
    },
    until,
  );
  model.on("change:buttons", update);
  update();
  return () => {
    listeners.abort();
    model.off("change:buttons", update);
    root.remove();
  };
}

export default () => ({
  render({ model, el }: { model: Model; el: HTMLElement }): () => void {
    return renderToolbar(model, el);
  },
});
