/**
 * The view's chrome: label, status (a live region), the buttons and the
 * notice. Buttons and Esc send the user's intents to Python; the inspector
 * toggle sets the `inspect` trait. Focus follows the run (focus.ts): from Stop
 * to Retry when it ends, to Stop when one starts, never from outside the widget.
 */
import { h, str, type Region } from "./dom";
import { focusAfter, type Control, type FocusMemory, type FocusState } from "./focus";
import { statusText } from "./format";
import { retryIntent, stopIntent } from "./protocol";
import type { Model } from "./store";

export interface ControlsDeps {
  model: Model;
  running: () => boolean;
  inspecting: () => boolean;
  /** The root: its status attribute, inspecting class and Esc key. */
  root: HTMLElement;
  /** Where the label and status go. */
  header: HTMLElement;
  /** The answer region: busy while live, focused when Stop goes away. */
  output: () => HTMLElement;
  /** Copy the answer. */
  copy: () => void;
  /** A Stop for `run` was sent. */
  stopSent: (run: number) => void;
  /** Which control held focus, across this model's views. */
  memory: FocusMemory;
}

export interface ControlsRegion extends Region {
  /** Enable the Copy button when there is text. */
  setCopyable(copyable: boolean): void;
  /**
   * Once the view is in the document: take back the focus that fell out of an
   * older view of this model (replaced under it). False while not attached yet.
   */
  adoptFocus(): boolean;
}

function button(doc: Document, name: string, text: string, title: string): HTMLButtonElement {
  const el = h(doc, "button", `sse-widget-button sse-widget-${name}`, text);
  el.type = "button";
  el.title = title;
  return el;
}

/** Mounts the buttons into `parent` (the header's actions), label and status into `deps.header`. */
export function mountControls(parent: HTMLElement, deps: ControlsDeps): ControlsRegion {
  const { model, running, inspecting, root } = deps;
  const doc = parent.ownerDocument;
  const label = h(doc, "span", "sse-widget-label");
  // A live region: assistive technology hears the run start and end here,
  // while the text region stays quiet (aria-busy) until the run is over.
  const status = h(doc, "span", "sse-widget-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-atomic", "true");
  deps.header.append(label, status);
  const stop = button(doc, "stop", "Stop", "Stop generating (Esc)");
  const retry = button(doc, "retry", "Retry", "Run the request again");
  const copy = button(doc, "copy", "Copy", "Copy the answer as markdown");
  const inspect = button(doc, "inspect", "Events", "Show the raw events of the stream");
  inspect.setAttribute("aria-pressed", "false");
  parent.append(inspect, stop, retry, copy);
  // One line of advice that is not an error; a live region from the start.
  const notice = h(doc, "div", "sse-widget-notice");
  notice.setAttribute("role", "status");
  notice.hidden = true;
  root.append(notice);

  const elements: Record<Exclude<Control, "other">, () => HTMLElement> = {
    inspect: () => inspect,
    stop: () => stop,
    retry: () => retry,
    copy: () => copy,
    output: deps.output,
  };
  const controlOf = (el: Element): Control => {
    for (const [name, get] of Object.entries(elements)) if (get() === el) return name as Control;
    return "other";
  };
  const usable = (el: HTMLButtonElement): boolean => !el.disabled && !el.hidden;
  const state = (): FocusState => ({
    live: running(),
    enabled: (control) => {
      if (control === "other" || control === "output") return true;
      return usable(elements[control]() as HTMLButtonElement);
    },
  });
  const moveFocus = (target: Control): void => {
    if (target === "other") return;
    let el = elements[target]();
    if (el instanceof HTMLButtonElement && !usable(el)) el = deps.output();
    if (doc.activeElement !== el) el.focus();
  };
  const unwatch = deps.memory.watch(root, controlOf, running);
  let wasLive = running();

  const sendStop = (): void => {
    const intent = stopIntent(model.get("run_id"));
    model.send(intent);
    deps.stopSent(intent.run);
  };
  const listeners = new AbortController();
  const until = { signal: listeners.signal };
  stop.addEventListener("click", () => running() && sendStop(), until);
  retry.addEventListener("click", () => model.send(retryIntent()), until);
  copy.addEventListener("click", () => deps.copy(), until);
  inspect.addEventListener(
    "click",
    () => {
      model.set("inspect", !inspecting());
      model.save_changes();
    },
    until,
  );
  root.addEventListener(
    "keydown",
    (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !running()) return;
      event.preventDefault();
      event.stopPropagation();
      // Esc is Stop pressed: focus goes where Stop's does (to Retry once stopped).
      if (usable(stop)) stop.focus();
      sendStop();
    },
    until,
  );

  return {
    setCopyable(copyable: boolean): void {
      const held = doc.activeElement === copy;
      copy.disabled = !copyable;
      if (held && copy.disabled) moveFocus(focusAfter("copy", wasLive, state()));
    },
    adoptFocus(): boolean {
      if (!root.isConnected) return false;
      const fallen = deps.memory.fallen(doc);
      if (fallen) moveFocus(focusAfter(fallen.control === "other" ? "output" : fallen.control, fallen.live, state()));
      return true;
    },
    update(): void {
      const live = running();
      root.dataset.status = str(model.get("status")) || "idle";
      status.textContent = statusText(root.dataset.status);
      deps.output().setAttribute("aria-busy", live ? "true" : "false");
      const text = str(model.get("label"));
      label.textContent = text;
      label.hidden = text === "";
      const active = doc.activeElement;
      const held = active !== null && root.contains(active) ? controlOf(active) : null;
      const own = model.get("controls") !== false;
      stop.hidden = retry.hidden = !own;
      stop.disabled = !live;
      retry.disabled = !(model.get("can_retry") === true && !live);
      if (held !== null) moveFocus(focusAfter(held, wasLive, state()));
      wasLive = live;
      const advice = str(model.get("notice"));
      if (notice.textContent !== advice) notice.textContent = advice;
      notice.hidden = advice === "";
      const on = inspecting();
      inspect.setAttribute("aria-pressed", on ? "true" : "false");
      root.classList.toggle("sse-widget-inspecting", on);
    },
    destroy(): void {
      listeners.abort();
      unwatch();
      label.remove();
      status.remove();
      notice.remove();
      for (const el of [inspect, stop, retry, copy]) el.remove();
    },
  };
}
