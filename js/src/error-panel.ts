/** The error panel: the one-line error and, on demand, its details. In the DOM only while there is an error. */
import { h, str, type Region } from "./dom";
import type { Model } from "./store";

export interface ErrorPanelDeps {
  model: Model;
  /** The node the panel goes before when it appears. */
  before: () => Node;
}

export function mountErrorPanel(parent: HTMLElement, deps: ErrorPanelDeps): Region {
  const { model } = deps;
  const doc = parent.ownerDocument;
  let panel: HTMLElement | null = null;
  let shownError = "";
  let shownDetail = "";

  return {
    update(): void {
      const message = str(model.get("error"));
      const detail = str(model.get("error_detail"));
      if (message === "") {
        panel?.remove();
        panel = null;
        return;
      }
      if (panel && message === shownError && detail === shownDetail) return;
      shownError = message;
      shownDetail = detail;
      if (!panel) {
        panel = h(doc, "div", "sse-widget-error");
        panel.setAttribute("role", "alert");
        parent.insertBefore(panel, deps.before());
      }
      const parts: Node[] = [h(doc, "p", "sse-widget-error-message", message)];
      if (detail !== "") {
        const details = h(doc, "details", "sse-widget-error-detail");
        details.append(h(doc, "summary", undefined, "Details"), h(doc, "pre", undefined, detail));
        parts.push(details);
      }
      const existing = panel.querySelector("details");
      const wasOpen = existing instanceof HTMLDetailsElement && existing.open;
      panel.replaceChildren(...parts);
      const details = panel.querySelector("details");
      if (details && wasOpen) details.open = true;
    },
    destroy(): void {
      panel?.remove();
      panel = null;
    },
  };
}
