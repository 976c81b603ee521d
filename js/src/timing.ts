/**
 * The timing strip: a run's tokens over time, drawn as plain SVG, so the wait
 * for the first token, steady streaming, bursts and stalls show at a glance.
 *
 * The curve is cumulative (tokens so far), stepped at each arrival: a steady
 * stream is a ramp, a stall a flat stretch (shaded), a burst a cliff, and a
 * stream buffered on the way one cliff after a long flat wait. Ticks along
 * the bottom mark the arrivals. Colours come from the theme (widget.css); the
 * text alternative says the same in words (first token, mean rate, longest
 * stall). Shown while the inspector is open, or on its own with `timing`.
 */
import type { Region } from "./dom";
import { h } from "./dom";
import type { Stats, Status, TimelinePoint } from "./protocol";
import type { TimelineLog } from "./timeline";

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 72;
const PLOT_TOP = 14;
const PLOT_BOTTOM = 52;
const PAD_X = 4;
/** Room right of the run's end, so a last cliff (a buffered stream) does not hide in the edge. */
const PAD_RIGHT = 10;
const FALLBACK_WIDTH = 600;
/** A gap counts as a stall from this long, and from this many times the typical gap. */
const STALL_MIN_S = 0.5;
const STALL_FACTOR = 5;
/** How often a live strip is redrawn while nothing arrives, so a stall grows visibly. */
const LIVE_TICK_MS = 250;

export interface TimingSummary {
  /** Seconds to the first token; null before it. */
  ttft: number | null;
  /** Mean tokens per second from the first token to the last; null with fewer than two apart. */
  rate: number | null;
  /** The longest stall after the first token, if any gap qualifies. */
  stall: { start: number; end: number } | null;
  /** True when nearly all output came in one arrival after a long silence (held back on the way). */
  buffered: boolean;
  tokens: number;
  /** Seconds the run has lasted (to now while it runs). */
  end: number;
}

const seconds = (s: number): string => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;

/** What the points say: first token, mean rate, longest stall, buffering. */
export function summarize(
  points: readonly TimelinePoint[],
  stats: Stats,
  end: number,
): TimingSummary {
  const first = points[0];
  const last = points[points.length - 1];
  const tokens = last ? last[2] : 0;
  const ttft = typeof stats.ttft_ms === "number" ? stats.ttft_ms / 1000 : first ? first[0] : null;
  let rate = typeof stats.tokens_per_s === "number" ? stats.tokens_per_s : null;
  if (rate === null && first && last && last[0] > first[0] && tokens > first[2]) {
    rate = (tokens - first[2]) / (last[0] - first[0]);
  }
  const gaps: Array<{ start: number; end: number }> = [];
  for (let i = 1; i < points.length; i++) {
    gaps.push({ start: (points[i - 1] as TimelinePoint)[0], end: (points[i] as TimelinePoint)[0] });
  }
  // A run that ended (or runs on) without more output after its last arrival.
  if (last && end > last[0]) gaps.push({ start: last[0], end });
  const lengths = gaps.map((g) => g.end - g.start).sort((a, b) => a - b);
  // The lower median: with few gaps, the stall itself must not set what is typical.
  const typical = lengths.length ? (lengths[Math.floor((lengths.length - 1) / 2)] as number) : 0;
  let stall: TimingSummary["stall"] = null;
  for (const gap of gaps) {
    const length = gap.end - gap.start;
    if (length >= STALL_MIN_S && length >= STALL_FACTOR * typical && (!stall || length > stall.end - stall.start)) {
      stall = gap;
    }
  }
  let buffered = false;
  if (first && tokens >= 6 && first[0] >= 1) {
    const biggest = Math.max(...points.map((p, i) => p[2] - (i > 0 ? (points[i - 1] as TimelinePoint)[2] : 0)));
    buffered = biggest >= 0.8 * tokens;
  }
  return { ttft, rate, stall, buffered, tokens, end };
}

/** The strip in words, for screen readers (and the caption under it). */
export function describe(summary: TimingSummary, status: Status): string {
  if (summary.ttft === null) {
    return status === "connecting" || status === "streaming"
      ? `Timing: waiting for the first token, ${seconds(summary.end)} so far.`
      : "Timing: no tokens arrived.";
  }
  const parts = [`first token after ${seconds(summary.ttft)}`];
  if (summary.buffered) {
    parts.push(`${summary.tokens} tokens arrived at once: the stream looks buffered on the way`);
  } else if (summary.rate !== null) {
    parts.push(`${summary.rate.toFixed(1)} tokens/s on average`);
  }
  parts.push(
    summary.stall
      ? `longest stall ${seconds(summary.stall.end - summary.stall.start)} at ${seconds(summary.stall.start)}`
      : "no stalls",
  );
  return `Timing: ${parts.join("; ")}.`;
}

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

/** The part of a model the strip reads. */
export interface TimingModel {
  get(key: "status" | "stats" | "timing" | "inspect" | "timing_axis" | "run_id"): unknown;
}

export interface TimingDeps {
  model: TimingModel;
  timeline: TimelineLog;
  /** Ask the view for a frame (the strip redraws a live run a few times a second). */
  redraw: () => void;
  /** Milliseconds clock (tests inject one). */
  now?: () => number;
}

export interface TimingRegion extends Region {
  /** Show or hide the strip as `timing` and `inspect` say (drawing comes with `update`). */
  toggle(): void;
  /** True while the strip is shown. */
  shown(): boolean;
}

const RUNNING = new Set(["connecting", "streaming"]);

export function mountTimingStrip(parent: HTMLElement, before: Node | null, deps: TimingDeps): TimingRegion {
  const { model, timeline } = deps;
  const now = deps.now ?? (() => performance.now());
  const doc = parent.ownerDocument;
  const figure = h(doc, "figure", "sse-widget-timing");
  figure.hidden = true;
  parent.insertBefore(figure, before);
  // Built the first time the strip shows: most views never show it.
  let chart: { svg: SVGSVGElement; caption: HTMLElement } | null = null;
  let width = FALLBACK_WIDTH;
  let resize: ResizeObserver | null = null;
  let ticker: ReturnType<typeof setInterval> | null = null;

  function build(): { svg: SVGSVGElement; caption: HTMLElement } {
    const svg = doc.createElementNS(SVG, "svg");
    svg.setAttribute("class", "sse-widget-timing-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("height", String(HEIGHT));
    svg.setAttribute("width", "100%");
    svg.setAttribute("preserveAspectRatio", "none");
    const caption = h(doc, "figcaption", "sse-widget-timing-caption");
    caption.setAttribute("aria-hidden", "true"); // the chart's own label says the same
    figure.append(svg, caption);
    if (typeof ResizeObserver === "function") {
      resize = new ResizeObserver(() => {
        const measured = Math.round(svg.getBoundingClientRect().width);
        if (measured > 0 && measured !== width) {
          width = measured;
          deps.redraw();
        }
      });
      resize.observe(figure);
    }
    return { svg, caption };
  }

  const status = (): Status => model.get("status") as Status;
  const stats = (): Stats => {
    const value = model.get("stats");
    return value !== null && typeof value === "object" ? (value as Stats) : {};
  };
  const visible = (): boolean => model.get("timing") === true || model.get("inspect") === true;
  // The kernel's elapsed time, carried forward by the local clock while a run is live.
  let anchor = { run: -1, elapsed: 0, at: 0 };
  function elapsed(): number {
    const run = model.get("run_id") as number;
    const reported = (stats().elapsed_ms ?? 0) / 1000;
    if (anchor.run !== run || reported > anchor.elapsed) anchor = { run, elapsed: reported, at: now() };
    if (!RUNNING.has(status())) return reported;
    return anchor.elapsed + (now() - anchor.at) / 1000;
  }

  function follow(): void {
    const live = !figure.hidden && RUNNING.has(status());
    if (live && ticker === null) ticker = setInterval(deps.redraw, LIVE_TICK_MS);
    if (!live && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
  }

  return {
    shown: () => !figure.hidden,
    toggle(): void {
      figure.hidden = !visible();
      follow();
    },
    update(): void {
      follow();
      if (figure.hidden) return;
      chart ??= build();
      const points = timeline.state.points;
      const lastT = points.length ? (points[points.length - 1] as TimelinePoint)[0] : 0;
      const end = Math.max(elapsed(), lastT);
      const summary = summarize(points, stats(), end);
      const axis = Number(model.get("timing_axis")) || 0;
      drawStrip(chart.svg, points, summary, axis, width);
      const text = describe(summary, status());
      chart.svg.setAttribute("aria-label", text);
      if (chart.caption.textContent !== text) chart.caption.textContent = text;
      figure.dataset.buffered = String(summary.buffered);
      figure.dataset.stall = summary.stall ? (summary.stall.end - summary.stall.start).toFixed(3) : "";
      figure.dataset.extent = String(Math.max(axis, end));
    },
    destroy(): void {
      if (ticker !== null) clearInterval(ticker);
      resize?.disconnect();
      figure.remove();
    },
  };
}
