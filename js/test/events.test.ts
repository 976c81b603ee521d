/** The event inspector: the model-level event log, the Events toggle and the panel. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventLog, MAX_EVENT_ROWS, parseEventsMessage } from "../src/events";
import { formatEventTime } from "../src/format";
import { ManualScheduler } from "../src/scheduler";
import { parseKernelMessage, StreamStore } from "../src/store";
import { mountView, type ViewHandle } from "../src/view";
import widget from "../src/widget";
import { delta, events, FakeModel, numbered } from "./fake-model";

describe("parseEventsMessage", () => {
  it("keeps well-formed events and leaves malformed ones out", () => {
    expect(
      parseEventsMessage({
        type: "events",
        run: 2,
        reset: true,
        events: [
          [1.5, "message", "{}", "7"],
          [2, "ping", "", ""],
          [3, "message", "x"], // no id: ""
          ["4", "message", "x", ""],
          [5, 6, "x", ""],
          [Number.NaN, "message", "x", ""],
          "nope",
          null,
        ],
      }),
    ).toEqual({
      type: "events",
      run: 2,
      reset: true,
      events: [
        [1.5, "message", "{}", "7"],
        [2, "ping", "", ""],
        [3, "message", "x", ""],
      ],
    });
    for (const bad of [null, {}, { type: "events", run: "1", events: [] }, { type: "events", run: 1 }, { type: "events", run: 1, events: {} }]) {
      expect(parseEventsMessage(bad)).toBeNull();
    }
    expect(parseEventsMessage({ type: "events", run: 1, reset: "yes", events: [] })).toEqual({ type: "events", run: 1, events: [] });
    expect(parseKernelMessage(events(1, [[0, "message", "a", ""]]))).toEqual(events(1, [[0, "message", "a", ""]]));
  });
});

describe("EventLog", () => {
  it("appends, replaces on reset and on a newer run, and drops older runs", () => {
    const log = new EventLog(1);
    const seen: number[] = [];
    log.subscribe((s) => seen.push(s.total));
    log.apply({ type: "events", run: 1, events: numbered(0, 2) });
    log.apply({ type: "events", run: 1, events: numbered(2, 1) });
    expect(log.state.events.map((e) => e.data)).toEqual(["data 0", "data 1", "data 2"]);
    expect(log.state.events[0]).toEqual({ ms: 0, type: "message", data: "data 0", id: "0" });
    expect(log.state.total).toBe(3);
    const generation = log.state.generation;

    log.apply({ type: "events", run: 1, reset: true, events: numbered(10, 2) });
    expect(log.state.events.map((e) => e.data)).toEqual(["data 10", "data 11"]);
    expect(log.state.total).toBe(2);
    expect(log.state.generation).toBe(generation + 1);

    log.apply({ type: "events", run: 0, events: numbered(99, 1) });
    expect(log.state.total).toBe(2);

    log.apply({ type: "events", run: 2, events: numbered(20, 1) });
    expect(log.state.run).toBe(2);
    expect(log.state.events.map((e) => e.data)).toEqual(["data 20"]);
    expect(log.state.generation).toBe(generation + 2);

    log.startRun(2); // same run: nothing happens
    expect(log.state.total).toBe(1);
    log.startRun(3);
    expect(log.state).toEqual({ run: 3, generation: generation + 3, total: 0, events: [] });
    expect(seen).toEqual([2, 3, 2, 1, 0]);
  });

  it("keeps only the newest events, counting all of them", () => {
    const log = new EventLog(1);
    log.apply({ type: "events", run: 1, events: numbered(0, MAX_EVENT_ROWS - 1) });
    log.apply({ type: "events", run: 1, events: numbered(MAX_EVENT_ROWS - 1, 600) });
    expect(MAX_EVENT_ROWS).toBe(2000);
    expect(log.state.total).toBe(2599);
    expect(log.state.events).toHaveLength(2000);
    expect(log.state.events[0]!.data).toBe("data 599");
    expect(log.state.events[1999]!.data).toBe("data 2598");
    log.apply({ type: "events", run: 1, reset: true, events: numbered(0, 2500) });
    expect(log.state.total).toBe(2500);
    expect(log.state.events).toHaveLength(2000);
    expect(log.state.events[0]!.data).toBe("data 500");
  });
});

describe("StreamStore routes events", () => {
  function setup(initial: ConstructorParameters<typeof FakeModel>[0] = {}) {
    const model = new FakeModel({ run_id: 2, status: "idle", ...initial });
    const store = new StreamStore(model.asModel()).start();
    return { model, store };
  }

  it("feeds its event log and drops runs older than run_id", () => {
    const { model, store } = setup();
    model.custom(events(2, numbered(0, 2), true));
    model.custom(events(2, numbered(2, 1)));
    model.custom(events(1, numbered(50, 3)));
    expect(store.events.state.events.map((e) => e.id)).toEqual(["0", "1", "2"]);
    expect(store.events.state.run).toBe(2);
    // Events do not touch the text, and need no snapshot.
    expect(store.state.text).toBe("");
    expect(model.sent).toEqual([]);
  });

  it("clears the list when a new run starts", () => {
    const { model, store } = setup();
    model.custom(events(2, numbered(0, 4), true));
    model.update({ run_id: 3, text: "", status: "connecting" });
    expect(store.events.state.events).toEqual([]);
    expect(store.events.state.run).toBe(3);
    model.custom(events(2, numbered(9, 1))); // late, of the old run
    expect(store.events.state.total).toBe(0);
    model.custom(events(3, numbered(0, 1)));
    expect(store.events.state.total).toBe(1);
  });

  it("an events message of a newer run starts that run", () => {
    const { model, store } = setup();
    model.custom(delta(2, 1, "old answer"));
    model.custom(events(3, numbered(0, 1)));
    expect(store.state.run).toBe(3);
    expect(store.state.text).toBe("");
    expect(store.events.state.run).toBe(3);
    expect(store.events.state.total).toBe(1);
    model.custom(delta(3, 1, "new"));
    expect(store.state.text).toBe("new");
  });

  it("dispose stops the event log's listeners", () => {
    const { model, store } = setup();
    const listener = vi.fn();
    store.events.subscribe(listener);
    store.dispose();
    model.custom(events(2, numbered(0, 1)));
    expect(listener).not.toHaveBeenCalled();
    expect(model.listenerCount()).toBe(0);
  });
});

const mounted: ViewHandle[] = [];

afterEach(() => {
  for (const view of mounted.splice(0)) {
    view.root.parentElement?.remove();
    view.destroy();
  }
});

function mount(initial: ConstructorParameters<typeof FakeModel>[0] = {}, shared?: { model: FakeModel; store: StreamStore }) {
  const model = shared?.model ?? new FakeModel({ run_id: 1, status: "idle", ...initial });
  const store = shared?.store ?? new StreamStore(model.asModel()).start();
  const scheduler = new ManualScheduler();
  const el = document.createElement("div");
  document.body.append(el);
  const view = mountView({ model: model.asModel(), el, store, scheduler });
  mounted.push(view);
  const q = <T extends Element = HTMLElement>(selector: string) => el.querySelector(selector) as T | null;
  const rows = () =>
    Array.from(el.querySelectorAll(".sse-widget-events .sse-widget-event"), (row) =>
      Array.from(row.children, (cell) => cell.textContent),
    );
  return { model, store, scheduler, el, view, q, rows };
}

describe("Events toggle button", () => {
  it("is a toggle button named Events, off by default", () => {
    const { q } = mount();
    const button = q<HTMLButtonElement>("button.sse-widget-inspect")!;
    expect(button).not.toBeNull();
    expect(button.getAttribute("type")).toBe("button");
    expect(button.textContent).toBe("Events");
    expect(button.getAttribute("aria-pressed")).toBe("false");
    expect(button.disabled).toBe(false);
    expect(q(".sse-widget-header")!.contains(button)).toBe(true);
  });

  it("sets the inspect trait and saves it; follows the trait", () => {
    const { model, q } = mount();
    const button = q<HTMLButtonElement>("button.sse-widget-inspect")!;
    const panel = q(".sse-widget-events")!;
    expect(panel.hidden).toBe(true);
    button.click();
    expect(model.get("inspect")).toBe(true);
    expect(model.saves).toBe(1);
    expect(button.getAttribute("aria-pressed")).toBe("true");
    expect(panel.hidden).toBe(false);
    button.click();
    expect(model.get("inspect")).toBe(false);
    expect(model.saves).toBe(2);
    expect(button.getAttribute("aria-pressed")).toBe("false");
    expect(panel.hidden).toBe(true);
    // A change from Python (or another view) shows too, without a save.
    model.set("inspect", true);
    expect(button.getAttribute("aria-pressed")).toBe("true");
    expect(panel.hidden).toBe(false);
    expect(model.saves).toBe(2);
    // Intents to the kernel are not involved.
    expect(model.sent).toEqual([]);
  });
});

describe("Events panel", () => {
  it("sits beside the answer in the body", () => {
    const { q } = mount({ inspect: true });
    const body = q(".sse-widget-body")!;
    expect(Array.from(body.children, (c) => c.className)).toEqual(["sse-widget-output", "sse-widget-events"]);
    expect(q(".sse-widget")!.classList.contains("sse-widget-inspecting")).toBe(true);
  });

  it("lists time, type and data as text, newest at the bottom", () => {
    const { model, scheduler, q, rows } = mount({ inspect: true });
    model.custom(
      events(
        1,
        [
          [0, "message", '{"a": 1}', "1"],
          [123.4, "ping", "", ""],
          [1500, "", "<img src=x onerror=alert(1)>\n  second line", "3"],
        ],
        true,
      ),
    );
    scheduler.flush();
    expect(rows()).toEqual([
      ["+0 ms", "message", '{"a": 1}'],
      ["+123 ms", "ping", ""],
      ["+1500 ms", "", "<img src=x onerror=alert(1)>\n  second line"],
    ]);
    const panel = q(".sse-widget-events")!;
    expect(panel.querySelector("img")).toBeNull();
    expect(panel.querySelector(".sse-widget-event-type")!.getAttribute("title")).toBe("id: 1");
    expect(panel.querySelectorAll(".sse-widget-event-type")[1]!.hasAttribute("title")).toBe(false);
    expect(q(".sse-widget-events-count")!.textContent).toBe("3 events");
    model.custom(events(1, [[1600, "message", "[DONE]", ""]]));
    scheduler.flush();
    expect(rows().at(-1)).toEqual(["+1600 ms", "message", "[DONE]"]);
    expect(q(".sse-widget-events-count")!.textContent).toBe("4 events");
  });

  it("appends new rows without rebuilding old ones; reset replaces them", () => {
    const { model, scheduler, q, rows } = mount({ inspect: true });
    model.custom(events(1, numbered(0, 2), true));
    scheduler.flush();
    const first = q(".sse-widget-event");
    model.custom(events(1, numbered(2, 2)));
    scheduler.flush();
    expect(q(".sse-widget-event")).toBe(first);
    expect(rows().map((r) => r[2])).toEqual(["data 0", "data 1", "data 2", "data 3"]);
    model.custom(events(1, numbered(7, 1), true));
    scheduler.flush();
    expect(rows()).toEqual([["+70 ms", "message", "data 7"]]);
    expect(q(".sse-widget-event")).not.toBe(first);
  });

  it("drops messages of older runs and clears on a new run", () => {
    const { model, scheduler, rows } = mount({ inspect: true, run_id: 2 });
    model.custom(events(2, numbered(0, 2), true));
    model.custom(events(1, numbered(5, 1)));
    scheduler.flush();
    expect(rows().map((r) => r[2])).toEqual(["data 0", "data 1"]);
    model.update({ run_id: 3, status: "connecting", text: "" });
    scheduler.flush();
    expect(rows()).toEqual([]);
    model.custom(events(2, numbered(8, 1)));
    model.custom(events(3, numbered(1, 1)));
    scheduler.flush();
    expect(rows()).toEqual([["+10 ms", "message", "data 1"]]);
  });

  it("keeps at most the last 2000 rows in the DOM", () => {
    const { model, scheduler, el, q } = mount({ inspect: true });
    model.custom(events(1, numbered(0, 1500), true));
    scheduler.flush();
    model.custom(events(1, numbered(1500, 1000)));
    scheduler.flush();
    const list = el.querySelectorAll(".sse-widget-event");
    expect(list).toHaveLength(2000);
    expect(list[0]!.lastElementChild!.textContent).toBe("data 500");
    expect(list[1999]!.lastElementChild!.textContent).toBe("data 2499");
    expect(q(".sse-widget-events-count")!.textContent).toBe("Last 2000 of 2500 events");
  });

  it("renders nothing while closed, and catches up when opened", () => {
    const { model, scheduler, el, rows } = mount({ inspect: false });
    model.custom(events(1, numbered(0, 3), true));
    expect(scheduler.pending).toBe(0);
    scheduler.flush();
    expect(el.querySelectorAll(".sse-widget-event")).toHaveLength(0);
    model.set("inspect", true);
    scheduler.flush();
    expect(rows().map((r) => r[2])).toEqual(["data 0", "data 1", "data 2"]);
    model.set("inspect", false);
    model.custom(events(1, numbered(3, 1)));
    model.set("inspect", true);
    scheduler.flush();
    expect(rows().map((r) => r[2])).toEqual(["data 0", "data 1", "data 2", "data 3"]);
  });

  it("scrolls to the newest row only while the user is at the bottom", () => {
    const { model, scheduler, q } = mount({ inspect: true });
    const list = q(".sse-widget-events-list")!;
    // Rows 20 px high in a 200 px high list.
    Object.defineProperty(list, "scrollHeight", { configurable: true, get: () => list.childElementCount * 20 });
    Object.defineProperty(list, "clientHeight", { configurable: true, get: () => 200 });
    model.custom(events(1, numbered(0, 50), true));
    scheduler.flush();
    expect(list.scrollTop).toBe(1000); // a new list starts at the bottom

    const userScroll = (top: number) => {
      list.scrollTop = top;
      list.dispatchEvent(new Event("scroll"));
    };
    userScroll(800); // at the bottom (1000 - 200)
    model.custom(events(1, numbered(50, 10)));
    scheduler.flush();
    expect(list.scrollTop).toBe(1200);

    userScroll(300); // the user scrolled up to read
    model.custom(events(1, numbered(60, 10)));
    scheduler.flush();
    expect(list.scrollTop).toBe(300);

    userScroll(1400 - 200 - 4); // back down, near enough to the end
    model.custom(events(1, numbered(70, 10)));
    scheduler.flush();
    expect(list.scrollTop).toBe(1600);

    userScroll(100);
    model.custom(events(1, numbered(0, 5), true)); // a new list starts at the bottom again
    scheduler.flush();
    model.custom(events(1, numbered(5, 20)));
    scheduler.flush();
    expect(list.scrollTop).toBe(500);
  });

  it("is shared by every view of the model, including one rendered later", async () => {
    const model = new FakeModel({ run_id: 1, status: "idle", inspect: true });
    const entry = widget();
    const cleanupInit = entry.initialize({ model: model as never });
    const el1 = document.createElement("div");
    const el2 = document.createElement("div");
    document.body.append(el1, el2);
    const cleanup1 = entry.render({ model: model as never, el: el1 });
    model.custom(events(1, numbered(0, 2), true));
    const cleanup2 = entry.render({ model: model as never, el: el2 });
    model.custom(events(1, numbered(2, 1)));
    const texts = (el: HTMLElement) =>
      Array.from(el.querySelectorAll(".sse-widget-event-data"), (cell) => cell.textContent);
    await vi.waitFor(() => {
      expect(texts(el1)).toEqual(["data 0", "data 1", "data 2"]);
      expect(texts(el2)).toEqual(["data 0", "data 1", "data 2"]);
    });
    cleanup1();
    cleanup2();
    cleanupInit();
    expect(model.listenerCount()).toBe(0);
    el1.remove();
    el2.remove();
  });
});

describe("formatEventTime", () => {
  it("shows whole milliseconds since the request started", () => {
    expect([0, 0.4, 123.4, 123.5, 98765, -3].map(formatEventTime)).toEqual([
      "+0 ms",
      "+0 ms",
      "+123 ms",
      "+124 ms",
      "+98765 ms",
      "+0 ms",
    ]);
  });
});

describe("notice", () => {
  it("is a status line under the header, hidden while empty", () => {
    const { model, q } = mount();
    const notice = q(".sse-widget-notice")!;
    expect(notice.getAttribute("role")).toBe("status");
    expect(notice.hidden).toBe(true);
    expect(notice.textContent).toBe("");
    expect(notice.previousElementSibling).toBe(q(".sse-widget-header"));
    model.set("notice", "The stream arrived in one burst: a proxy may be buffering it.");
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toBe("The stream arrived in one burst: a proxy may be buffering it.");
    model.set("notice", "<b>not html</b>");
    expect(notice.textContent).toBe("<b>not html</b>");
    expect(notice.children).toHaveLength(0);
    model.set("notice", "");
    expect(notice.hidden).toBe(true);
    expect(notice.textContent).toBe("");
  });

  it("is not an error: the error panel and the text stay as they are", () => {
    const { model, scheduler, q } = mount({ status: "done", text: "All of it" });
    model.set("notice", "Looks buffered upstream.");
    scheduler.flush();
    expect(q(".sse-widget-error")).toBeNull();
    expect(q(".sse-widget")!.getAttribute("data-status")).toBe("done");
    expect(q(".sse-widget-output")!.textContent).toBe("All of it");
  });
});
