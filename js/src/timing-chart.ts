/**
 * The timing strip's drawing, in plain SVG: the cumulative tokens as a
 * stepped curve over the run's time, the wait before the first token and the
 * longest stall shaded, a tick per arrival, and a round time axis. Classes
 * only; the colours are the theme's (widget.css).
 */
import type { TimelinePoint } from "./protocol";
import { seconds, type TimingSummary } from "./timing-summary";

const SVG = "http://www.w3.org/2000/svg";
/** The strip's height in pixels. */
export const HEIGHT = 72;
const PLOT_TOP = 14;
const PLOT_BOTTOM = 52;
const PAD_X = 4;
/** Room right of the run's end, so a last cliff (a buffered stream) does not hide in the edge. */
const PAD_RIGHT = 10;

/** A round step for about `target` ticks over `extent` seconds. */
function tickStep(extent: number, target: number): number {
  const raw = extent / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function el<K extends keyof SVGElementTagNameMap>(
  doc: Document,
  tag: K,
  cls: string,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = doc.createElementNS(SVG, tag);
  node.setAttribute("class", cls);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Draw `points` over `extent` seconds into `svg`, `width` pixels wide. */
export function drawStrip(
  svg: SVGSVGElement,
  points: readonly TimelinePoint[],
  summary: TimingSummary,
  extent: number,
  width: number,
): void {
  const doc = svg.ownerDocument;
  const span = Math.max(extent, summary.end, 1e-3);
  const plotW = width - PAD_X - PAD_RIGHT;
  const x = (t: number): number => PAD_X + (Math.min(t, span) / span) * plotW;
  const top = Math.max(summary.tokens, 1);
  const y = (tokens: number): number => PLOT_BOTTOM - (tokens / top) * (PLOT_BOTTOM - PLOT_TOP);
  const nodes: SVGElement[] = [];
  nodes.push(
    el(doc, "rect", "sse-widget-timing-bg", { x: PAD_X, y: PLOT_TOP, width: width - 2 * PAD_X, height: PLOT_BOTTOM - PLOT_TOP }),
  );
  const wait = summary.ttft ?? summary.end;
  if (wait > 0) {
    nodes.push(
      el(doc, "rect", "sse-widget-timing-wait", { x: x(0), y: PLOT_TOP, width: x(wait) - x(0), height: PLOT_BOTTOM - PLOT_TOP }),
    );
  }
  if (summary.stall) {
    const { start, end } = summary.stall;
    nodes.push(
      el(doc, "rect", "sse-widget-timing-stall", {
        x: x(start),
        y: PLOT_TOP,
        width: Math.max(1, x(end) - x(start)),
        height: PLOT_BOTTOM - PLOT_TOP,
      }),
    );
  }
  // Ticks under the axis: a step that gives about five labels.
  const step = tickStep(span, 5);
  for (let t = 0, i = 0; t <= span + 1e-9 && i < 50; i++, t = i * step) {
    nodes.push(el(doc, "line", "sse-widget-timing-grid", { x1: x(t), x2: x(t), y1: PLOT_TOP, y2: PLOT_BOTTOM + 3 }));
    const label = el(doc, "text", "sse-widget-timing-label", { x: x(t), y: HEIGHT - 6 });
    label.setAttribute("text-anchor", i === 0 ? "start" : t + step > span + 1e-9 ? "end" : "middle");
    label.textContent = `${Number(t.toFixed(3))} s`;
    nodes.push(label);
  }
  // The curve, one vertex pair per pixel column at most: flat to each arrival, then up.
  if (points.length > 0) {
    let d = `M${x(0).toFixed(1)},${y(0).toFixed(1)}`;
    let rug = "";
    let lastX = -1;
    let level = 0;
    for (const [t, , tokens] of points) {
      const px = Math.round(x(t) * 2) / 2;
      if (px !== lastX) {
        d += `H${px}V${y(tokens).toFixed(1)}`;
        rug += `M${px},${PLOT_BOTTOM}v4`;
        lastX = px;
      } else {
        d += `V${y(tokens).toFixed(1)}`;
      }
      level = tokens;
    }
    d += `H${x(summary.end).toFixed(1)}`;
    const area = `${d}V${PLOT_BOTTOM}H${x(0).toFixed(1)}Z`;
    nodes.push(el(doc, "path", "sse-widget-timing-area", { d: area }));
    nodes.push(el(doc, "path", "sse-widget-timing-line", { d }));
    nodes.push(el(doc, "path", "sse-widget-timing-rug", { d: rug }));
    if (summary.buffered && summary.ttft !== null) {
      // The one arrival that brought (nearly) everything, drawn bold.
      const at = points.reduce((best, p, i) => {
        const step = p[2] - (i > 0 ? (points[i - 1] as TimelinePoint)[2] : 0);
        return step > best.step ? { t: p[0], step } : best;
      }, { t: 0, step: -1 }).t;
      nodes.push(el(doc, "line", "sse-widget-timing-burst", { x1: x(at), x2: x(at), y1: PLOT_TOP, y2: PLOT_BOTTOM }));
    }
    const total = el(doc, "text", "sse-widget-timing-label", { x: width - PAD_X, y: PLOT_TOP - 3 });
    total.setAttribute("text-anchor", "end");
    total.textContent = `${level} tokens`;
    nodes.push(total);
  }
  if (summary.ttft !== null) {
    const ttft = el(doc, "text", "sse-widget-timing-label", { x: PAD_X, y: PLOT_TOP - 3 });
    ttft.textContent = summary.buffered ? `all at once after ${seconds(summary.ttft)}` : `first token ${seconds(summary.ttft)}`;
    nodes.push(ttft);
  }
  svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
  svg.replaceChildren(...nodes);
}
