import { afterEach, describe as group, expect, it } from "vitest";
import type { TimelinePoint } from "../src/protocol";
import { ManualScheduler } from "../src/scheduler";
import { StreamStore } from "../src/store";
import { describe, summarize } from "../src/timing-summary";
import { mountView, type ViewHandle } from "../src/view";
import { FakeModel } from "./fake-model";

const mounted: Array<{ view: ViewHandle; el: HTMLElement }> = [];
afterEach(() => {
  for (const { view, el } of mounted.splice(0)) {
    view.destroy();
    el.remove();
  }
});

function mount(initial: ConstructorParameters<typeof FakeModel>[0] = {}) {
  const model = new FakeModel({ run_id: 1, ...initial });
  const store = new StreamStore(model.asModel()).start();
  const scheduler = new ManualScheduler();
  const el = document.createElement("div");
  document.body.append(el);
  const view = mountView({ model: model.asModel(), el, store, scheduler });
  mounted.push({ view, el });
  const strip = () => el.querySelector<HTMLElement>(".sse-widget-timing")!;
  return { model, store, scheduler, el, strip };
}

/** A steady stream: one token every 50 ms from 0.4 s. */
const steady: TimelinePoint[] = Array.from({ length: 20 }, (_, i) => [0.4 + i * 0.05, 4 * (i + 1), i + 1]);

group("what the timeline says", () => {
  it("a steady stream: first token, mean rate, no stall", () => {
    const summary = summarize(steady, {}, 1.4);
    expect(summary.ttft).toBeCloseTo(0.4);
    expect(summary.rate).toBeCloseTo(19 / 0.95);
    expect(summary.stall).toBeNull();
    expect(summary.buffered).toBe(false);
    expect(describe(summary, "done")).toBe("Timing: first token after 0.40 s; 20.0 tokens/s on average; no stalls.");
  });

  it("a stall is the longest gap well over the typical one, the run's unfinished end included", () => {
    const stalled: TimelinePoint[] = [...steady.slice(0, 10), ...steady.slice(10).map(([t, c, k]): TimelinePoint => [t + 1.5, c, k])];
    const summary = summarize(stalled, { ttft_ms: 400, tokens_per_s: 6.1 }, 3.0);
    expect(summary.stall?.start).toBeCloseTo(0.85);
    expect(summary.stall?.end).toBeCloseTo(2.4);
    expect(describe(summary, "done")).toContain("longest stall 1.55 s at 0.85 s");
    expect(summary.rate).toBe(6.1); // the stats' rate wins, so strip and stats line agree
    const hanging = summarize(steady.slice(0, 5), {}, 4.0);
    expect(hanging.stall).toEqual({ start: steady[4]![0], end: 4.0 });
  });

  it("a buffered stream: everything in one arrival after a long silence", () => {
    const summary = summarize([[2.1, 3, 1], [2.105, 400, 100]], {}, 2.2);
    expect(summary.buffered).toBe(true);
    expect(describe(summary, "done")).toBe(
      "Timing: first token after 2.10 s; 100 tokens arrived at once: the stream looks buffered on the way; no stalls.",
    );
    expect(summarize(steady, {}, 1.4).buffered).toBe(false);
  });

  it("before the first token", () => {
    expect(describe(summarize([], {}, 0.7), "connecting")).toBe("Timing: waiting for the first token, 0.70 s so far.");
    expect(describe(summarize([], {}, 0.7), "error")).toBe("Timing: no tokens arrived.");
  });
});

group("the strip in the view", () => {
  it("is not built until shown, and shows with the inspector or on its own", () => {
    const { model, scheduler, strip } = mount({ status: "done" });
    expect(strip().hidden).toBe(true);
    expect(strip().querySelector("svg")).toBeNull();
    model.set("inspect", true);
    scheduler.flush();
    expect(strip().hidden).toBe(false);
    expect(strip().querySelector("svg")).not.toBeNull();
    model.set("inspect", false);
    expect(strip().hidden).toBe(true);
    model.set("timing", true);
    expect(strip().hidden).toBe(false);
  });

  it("draws the points from deltas, snapshots and the final trait, with a text alternative", () => {
    const { model, scheduler, strip } = mount({ status: "streaming", timing: true });
    model.custom({ type: "delta", run: 1, seq: 1, text: "ab", points: [[0.4, 2, 1]] });
    model.custom({ type: "delta", run: 1, seq: 2, text: "cd", points: [[0.5, 4, 2]] });
    scheduler.flush();
    const svg = strip().querySelector("svg")!;
    expect(svg.getAttribute("role")).toBe("img");
    expect(svg.getAttribute("aria-label")).toMatch(/^Timing: first token after 0\.40 s; 10\.0 tokens\/s/);
    expect(strip().querySelector("figcaption")!.getAttribute("aria-hidden")).toBe("true");
    expect(svg.querySelector(".sse-widget-timing-line")!.getAttribute("d")).toMatch(/^M4\.0,52\.0H[\d.]+V33\.0H[\d.]+V14\.0/);
    // A gap in seq: the points wait for the snapshot, then the deltas after it apply.
    model.custom({ type: "delta", run: 1, seq: 4, text: "gh", points: [[0.7, 8, 4]] });
    model.custom({ type: "snapshot", run: 1, seq: 3, text: "abcdef", timeline: [[0.4, 2, 1], [0.5, 4, 2], [0.6, 6, 3]] });
    scheduler.flush();
    expect(svg.querySelector(".sse-widget-timing-label:last-of-type")).not.toBeNull();
    expect([...svg.querySelectorAll("text")].map((t) => t.textContent)).toContain("4 tokens");
    model.update({ status: "done", timeline: [[0.4, 2, 1], [2.4, 400, 100]], stats: { elapsed_ms: 2500 } });
    scheduler.flush();
    expect([...svg.querySelectorAll("text")].map((t) => t.textContent)).toContain("100 tokens");
    expect(strip().dataset.stall).toBe("2.000");
    // A new run starts empty.
    model.update({ run_id: 2, status: "connecting", timeline: [], stats: {} });
    scheduler.flush();
    expect(svg.querySelector(".sse-widget-timing-line")).toBeNull();
    expect(svg.getAttribute("aria-label")).toMatch(/^Timing: waiting for the first token/);
  });

  it("spans the shared axis when it is longer than the run", () => {
    const { model, scheduler, strip } = mount({ status: "done", timing: true, timeline: steady, stats: { elapsed_ms: 1400 } });
    scheduler.flush();
    expect(strip().dataset.extent).toBe("1.4");
    model.set("timing_axis", 5);
    scheduler.flush();
    expect(strip().dataset.extent).toBe("5");
    const labels = [...strip().querySelectorAll("text")].map((t) => t.textContent);
    expect(labels).toContain("5 s");
  });
});
