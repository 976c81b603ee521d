/**
 * The view's chrome: label, status (a live region), the buttons and the
 * notice. Buttons and Esc send the user's intents to Python; the inspector
 * toggle sets the `inspect` trait.
 */
import { h, str, type Region } from "./dom";
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
}

export interface ControlsRegion extends Region {
  /** Enable the Copy button when there is text. */
  setCopyable(copyable: boolean): void;
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
      sendStop();
    },
    until,
  );

  return {
    setCopyable(copyable: boolean): void {
      copy.disabled = !copyable;
    },
    update(): void {
      const live = running();
      root.dataset.status = str(model.get("status")) || "idle";
      status.textContent = statusText(root.dataset.status);
      deps.output().setAttribute("aria-busy", live ? "true" : "false");
      const text = str(model.get("label"));
      label.textContent = text;
      label.hidden = text === "";
      const stopHadFocus = doc.activeElement === stop;
      stop.disabled = !live;
      retry.disabled = !(model.get("can_retry") === true && !live);
      if (stopHadFocus && stop.disabled) (retry.disabled ? deps.output() : retry).focus();
      const advice = str(model.get("notice"));
      if (notice.textContent !== advice) notice.textContent = advice;
      notice.hidden = advice === "";
      const on = inspecting();
      inspect.setAttribute("aria-pressed", on ? "true" : "false");
      root.classList.toggle("sse-widget-inspecting", on);
    },
    destroy(): void {
      listeners.abort();
      label.remove();
      status.remove();
      notice.remove();
      for (const el of [inspect, stop, retry, copy]) el.remove();
    },
  };
}
