/**
 * The timing strip: a run's tokens over time, so the wait for the first
 * token, steady streaming, bursts and stalls show at a glance.
 *
 * The curve is cumulative (tokens so far), stepped at each arrival: a steady
 * stream is a ramp, a stall a flat stretch (shaded), a burst a cliff, and a
 * stream buffered on the way one cliff after a long flat wait. Drawn by
 * timing-chart.ts, put in words by timing-summary.ts (the text alternative).
 * Shown while the inspector is open, or on its own with `timing`; its time
 * axis spans at least `timing_axis` (compare() gives its panes one).
 */
import type { Region } from "./dom";
import { h } from "./dom";
import type { Stats, Status, TimelinePoint } from "./protocol";
import type { TimelineLog } from "./timeline";
import { drawStrip, HEIGHT } from "./timing-chart";
import { describe, summarize } from "./timing-summary";

const SVG = "http://www.w3.org/2000/svg";
const FALLBACK_WIDTH = 600;
/** How often a live strip is redrawn while nothing arrives, so a stall grows visibly. */
const LIVE_TICK_MS = 250;

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
