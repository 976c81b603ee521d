import { afterEach, describe, expect, it } from "vitest";
import { focusAfter, type Control } from "../src/focus";
import { ManualScheduler } from "../src/scheduler";
import { StreamStore } from "../src/store";
import { mountView, type ViewHandle } from "../src/view";
import { FakeModel } from "./fake-model";

const all = (): boolean => true;
const only =
  (...names: Control[]) =>
  (c: Control): boolean =>
    names.includes(c);

describe("focusAfter", () => {
  it("takes focus to Stop when a run starts, from anywhere in the widget", () => {
    for (const held of ["retry", "copy", "output", "other", "inspect"] as Control[]) {
      expect(focusAfter(held, false, { live: true, enabled: all })).toBe("stop");
    }
  });

  it("hands Stop's focus to Retry when the run ends, or to the text without a Retry", () => {
    expect(focusAfter("stop", true, { live: false, enabled: only("retry", "copy") })).toBe("retry");
    expect(focusAfter("stop", true, { live: false, enabled: only("copy") })).toBe("output");
  });

  it("leaves focus on a control that still works", () => {
    expect(focusAfter("copy", true, { live: false, enabled: all })).toBe("copy");
    expect(focusAfter("other", true, { live: true, enabled: all })).toBe("other");
  });
});

const mounted: Array<{ view: ViewHandle; el: HTMLElement }> = [];
afterEach(() => {
  for (const { view, el } of mounted.splice(0)) {
    view.destroy();
    el.remove();
  }
});

function mount(model: FakeModel, store: StreamStore, attach = true) {
  const el = document.createElement("div");
  if (attach) document.body.append(el);
  const scheduler = new ManualScheduler();
  const view = mountView({ model: model.asModel(), el, store, scheduler });
  mounted.push({ view, el });
  return { el, view, scheduler, q: (s: string) => el.querySelector(s) as HTMLButtonElement };
}

describe("focus in the view", () => {
  it("moves from Retry to Stop when the new run starts, and back when it is stopped", () => {
    const model = new FakeModel({ run_id: 1, status: "stopped", can_retry: true });
    const { q } = mount(model, new StreamStore(model.asModel()).start());
    q(".sse-widget-retry").focus();
    model.update({ run_id: 2, status: "connecting" });
    expect(document.activeElement).toBe(q(".sse-widget-stop"));
    model.set("status", "stopped");
    expect(document.activeElement).toBe(q(".sse-widget-retry"));
  });

  it("never takes focus from outside the widget", () => {
    const model = new FakeModel({ run_id: 1, status: "done", can_retry: true });
    const { q } = mount(model, new StreamStore(model.asModel()).start());
    const input = document.createElement("input");
    document.body.append(input);
    input.focus();
    model.update({ run_id: 2, status: "connecting" });
    model.set("status", "done");
    expect(document.activeElement).toBe(input);
    expect(q(".sse-widget-stop")).not.toBe(document.activeElement);
    input.remove();
  });

  it("a view that replaces one under focus takes it back once attached", async () => {
    const model = new FakeModel({ run_id: 1, status: "streaming", can_retry: true });
    const store = new StreamStore(model.asModel()).start();
    const first = mount(model, store);
    first.q(".sse-widget-stop").focus();
    model.set("status", "stopped");
    expect(document.activeElement).toBe(first.q(".sse-widget-retry"));
    first.el.remove(); // the front end drops the old view's DOM
    await Promise.resolve();
    expect(document.activeElement).toBe(document.body);
    const second = mount(model, store, false);
    expect(document.activeElement).toBe(document.body);
    document.body.append(second.el);
    second.scheduler.flush();
    expect(document.activeElement).toBe(second.q(".sse-widget-retry"));
  });

  it("a new view leaves focus alone when the user moved it elsewhere", async () => {
    const model = new FakeModel({ run_id: 1, status: "done", can_retry: true });
    const store = new StreamStore(model.asModel()).start();
    const first = mount(model, store);
    first.q(".sse-widget-retry").focus();
    const input = document.createElement("input");
    document.body.append(input);
    input.focus();
    await Promise.resolve();
    first.el.remove();
    input.blur();
    mount(model, store);
    expect(document.activeElement).toBe(document.body);
    input.remove();
  });

  it("hides Stop and Retry when the controls trait is off", () => {
    const model = new FakeModel({ run_id: 1, status: "streaming", controls: false });
    const { q } = mount(model, new StreamStore(model.asModel()).start());
    expect(q(".sse-widget-stop").hidden).toBe(true);
    expect(q(".sse-widget-retry").hidden).toBe(true);
    expect(q(".sse-widget-copy").hidden).toBe(false);
  });
});
