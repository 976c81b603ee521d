/** The stats line in the header: TTFT, tokens, rate, elapsed, separated by dots. */
import { h, type Region } from "./dom";
import { statParts } from "./format";
import type { Stats } from "./protocol";

export function mountStatsLine(parent: HTMLElement, deps: { stats: () => Stats }): Region {
  const doc = parent.ownerDocument;
  const line = h(doc, "span", "sse-widget-stats");
  parent.append(line);
  return {
    update(): void {
      const parts = statParts(deps.stats());
      const signature = parts.map((p) => p.text).join("|");
      if (line.dataset.signature === signature) return;
      line.dataset.signature = signature;
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
      line.replaceChildren(...nodes);
    },
    destroy(): void {
      line.remove();
    },
  };
}
