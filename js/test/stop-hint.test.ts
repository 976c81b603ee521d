import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ManualScheduler } from "../src/scheduler";
import { STOP_UNANSWERED } from "../src/stop-hint";
import { StreamStore } from "../src/store";
import { mountView, type ViewHandle } from "../src/view";
import { FakeModel } from "./fake-model";

let view: ViewHandle | null = null;

function mount(status: "streaming" | "done" = "streaming") {
  const model = new FakeModel({ run_id: 1, status });
  const el = document.createElement("div");
  view = mountView({
    model: model.asModel(),
    el,
    store: new StreamStore(model.asModel()).start(),
    scheduler: new ManualScheduler(),
    stopAnswerMs: 500,
  });
  const hint = el.querySelector<HTMLElement>(".sse-widget-stop-hint")!;
  const stop = el.querySelector<HTMLButtonElement>(".sse-widget-stop")!;
  return { model, hint, stop };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  view?.destroy();
  view = null;
  vi.useRealTimers();
});

describe("a Stop the kernel does not answer", () => {
  it("says in one line to interrupt the kernel once the Stop waited too long", () => {
    const { model, hint, stop } = mount();
    stop.click();
    expect(model.sent).toContainEqual({ type: "stop", run: 1 });
    vi.advanceTimersByTime(499);
    expect(hint.hidden).toBe(true);
    vi.advanceTimersByTime(1);
    expect(hint.hidden).toBe(false);
    expect(hint.textContent).toBe(STOP_UNANSWERED);
    expect(hint.getAttribute("role")).toBe("status");
    expect(STOP_UNANSWERED).not.toContain("\n");

    // The interrupt stops the run: the hint goes.
    model.update({ status: "stopped" });
    expect(hint.hidden).toBe(true);
    expect(hint.textContent).toBe("");
  });

  it("stays hidden when Python answers in time", () => {
    const { model, hint, stop } = mount();
    stop.click();
    vi.advanceTimersByTime(20);
    model.update({ status: "stopped" });
    vi.advanceTimersByTime(2000);
    expect(hint.hidden).toBe(true);
  });

  it("goes when another run starts, and a late timer after that shows nothing", () => {
    const { model, hint, stop } = mount();
    stop.click();
    vi.advanceTimersByTime(600);
    expect(hint.hidden).toBe(false);
    model.update({ run_id: 2, status: "connecting" });
    expect(hint.hidden).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(hint.hidden).toBe(true);
  });

  it("shows nothing for a click while no run is live", () => {
    const { hint, stop } = mount("done");
    stop.click();
    vi.advanceTimersByTime(2000);
    expect(hint.hidden).toBe(true);
  });
});
