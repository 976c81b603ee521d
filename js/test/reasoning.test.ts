/** Reasoning ("thinking") text: kept by the store like the answer, shown above it. */
import { afterEach, describe, expect, it } from "vitest";
import { ManualScheduler } from "../src/scheduler";
import { parseKernelMessage, StreamStore } from "../src/store";
import { mountView, type ViewHandle } from "../src/view";
import { delta, FakeModel, snapshot, thinking } from "./fake-model";

function setup(initial: ConstructorParameters<typeof FakeModel>[0] = {}) {
  const model = new FakeModel({ run_id: 1, status: "idle", ...initial });
  const store = new StreamStore(model.asModel(), { now: () => 0 });
  return { model, store };
}

describe("StreamStore reasoning", () => {
  it("accumulates reasoning from deltas beside the text", () => {
    const { model, store } = setup();
    store.start();
    model.custom(thinking(1, 1, "Let me "));
    model.custom(thinking(1, 2, "think."));
    model.custom(thinking(1, 3, " Done.", "The answer"));
    model.custom(delta(1, 4, " is 42."));
    expect(store.reasoning).toBe("Let me think. Done.");
    expect(store.state.text).toBe("The answer is 42.");
    expect(store.state.seq).toBe(4);
    expect(model.sent).toEqual([]);
  });

  it("notifies subscribers of reasoning-only deltas", () => {
    const { model, store } = setup();
    store.start();
    const seen: string[] = [];
    store.subscribe(() => seen.push(`${store.reasoning}|${store.state.text}`));
    model.custom(thinking(1, 1, "a"));
    model.custom(thinking(1, 2, "b"));
    model.custom(delta(1, 3, "x"));
    expect(seen).toEqual(["a|", "ab|", "ab|x"]);
  });

  it("snapshot replaces the reasoning; a snapshot without reasoning clears it", () => {
    const { model, store } = setup();
    store.start();
    model.custom(thinking(1, 1, "draft thoughts"));
    model.custom({ type: "snapshot", run: 1, seq: 5, text: "Answer", reasoning: "All the thoughts" });
    expect(store.reasoning).toBe("All the thoughts");
    expect(store.state.text).toBe("Answer");
    model.custom(thinking(1, 6, " and more"));
    expect(store.reasoning).toBe("All the thoughts and more");
    model.custom(snapshot(1, 9, "Answer only"));
    expect(store.reasoning).toBe("");
    expect(store.state.text).toBe("Answer only");
  });

  it("a seq gap asks for a snapshot; reasoning deltas wait for it", () => {
    const { model, store } = setup();
    store.start();
    model.custom(thinking(1, 1, "one "));
    model.custom(thinking(1, 3, "three ")); // seq 2 was lost
    expect(model.sent).toEqual([{ type: "snapshot" }]);
    model.custom(thinking(1, 4, "four "));
    expect(store.reasoning).toBe("one ");
    model.custom({ type: "snapshot", run: 1, seq: 4, text: "", reasoning: "one two three four " });
    model.custom(thinking(1, 5, "five"));
    expect(store.reasoning).toBe("one two three four five");
  });

  it("resets on a new run, from run_id or from a message of a newer run", () => {
    const { model, store } = setup();
    store.start();
    model.custom(thinking(1, 1, "old thoughts", "old answer"));
    model.update({ run_id: 2, text: "", reasoning: "", status: "connecting", stats: {} });
    expect(store.reasoning).toBe("");
    expect(store.state.text).toBe("");
    model.custom(thinking(1, 2, "late thoughts of run 1"));
    expect(store.reasoning).toBe("");
    model.custom(thinking(2, 1, "new"));
    expect(store.reasoning).toBe("new");
    model.custom(thinking(3, 1, "newer"));
    expect(store.state.run).toBe(3);
    expect(store.reasoning).toBe("newer");
  });

  it("takes change:reasoning as authoritative", () => {
    const { model, store } = setup({ status: "streaming" });
    store.start();
    model.custom({ type: "snapshot", run: 1, seq: 2, text: "", reasoning: "ab" });
    model.custom(thinking(1, 3, "c"));
    expect(store.reasoning).toBe("abc");
    model.update({ reasoning: "abc, all of it", text: "Final", status: "done" });
    expect(store.reasoning).toBe("abc, all of it");
    expect(store.state.text).toBe("Final");
    model.set("reasoning", "");
    expect(store.reasoning).toBe("");
  });

  it("starts from the synced reasoning trait", () => {
    const { store } = setup({ status: "done", text: "A", reasoning: "R" });
    store.start();
    expect(store.reasoning).toBe("R");
  });

  it("parses reasoning only when it is a string", () => {
    expect(parseKernelMessage({ type: "delta", run: 1, seq: 1, text: "", reasoning: "r" })).toEqual({
      type: "delta",
      run: 1,
      seq: 1,
      text: "",
      reasoning: "r",
    });
    const odd = parseKernelMessage({ type: "snapshot", run: 1, seq: 1, text: "t", reasoning: 5 });
    expect(odd).toEqual({ type: "snapshot", run: 1, seq: 1, text: "t" });
    expect(odd !== null && "reasoning" in odd).toBe(false);
  });

  it("remembers the user's open/closed choice for the current run only", () => {
    const { model, store } = setup();
    store.start();
    let notified = 0;
    store.subscribe(() => notified++);
    expect(store.reasoningOpen).toBeNull();
    store.setReasoningOpen(true);
    expect(store.reasoningOpen).toBe(true);
    expect(notified).toBe(1);
    store.setReasoningOpen(true); // no change, no notification
    expect(notified).toBe(1);
    store.setReasoningOpen(false);
    expect(store.reasoningOpen).toBe(false);
    model.update({ run_id: 2, status: "connecting", text: "", reasoning: "" });
    expect(store.reasoningOpen).toBeNull();
  });

  it("dispose removes the reasoning listener too", () => {
    const { model, store } = setup();
    store.start();
    store.dispose();
    expect(model.listenerCount()).toBe(0);
  });
});

const mounted: ViewHandle[] = [];

/** Let queued tasks (details toggle events) run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function mount(initial: ConstructorParameters<typeof FakeModel>[0] = {}, shared?: { model: FakeModel; store: StreamStore }) {
  // The store starts before a run is live, so it does not wait for a snapshot.
  const model = shared?.model ?? new FakeModel({ run_id: 1, ...initial, status: "idle" });
  const store = shared?.store ?? new StreamStore(model.asModel()).start();
  if (!shared) model.set("status", initial.status ?? "idle");
  const scheduler = new ManualScheduler();
  const el = document.createElement("div");
  document.body.append(el);
  const view = mountView({ model: model.asModel(), el, store, scheduler });
  mounted.push(view);
  const details = () => el.querySelector<HTMLDetailsElement>("details.sse-widget-reasoning");
  return { model, store, scheduler, el, view, details };
}

afterEach(() => {
  for (const view of mounted.splice(0)) {
    view.root.parentElement?.remove();
    view.destroy();
  }
});

describe("view reasoning", () => {
  it("is not shown while there is no reasoning", () => {
    const { model, scheduler, details } = mount({ status: "streaming" });
    model.custom(snapshot(1, 1, "Just an answer"));
    scheduler.flush();
    expect(details()).toBeNull();
  });

  it("is a details element above the answer, with a Reasoning summary and plain text", () => {
    const { model, scheduler, el, details } = mount({ status: "streaming" });
    model.custom({ type: "snapshot", run: 1, seq: 1, text: "", reasoning: "Think <b>bold</b> *not md*\nline 2" });
    scheduler.flush();
    const d = details()!;
    expect(d).not.toBeNull();
    expect(d.tagName).toBe("DETAILS");
    expect(d.hidden).toBe(false);
    const summary = d.querySelector(":scope > summary")!;
    expect(summary.textContent).toBe("Reasoning");
    const body = d.querySelector(".sse-widget-reasoning-text")!;
    expect(body.textContent).toBe("Think <b>bold</b> *not md*\nline 2");
    expect(body.children).toHaveLength(0); // text only: nothing parsed
    // Between the header and the answer, outside the answer's log region.
    const root = el.querySelector(".sse-widget")!;
    const output = el.querySelector(".sse-widget-output")!;
    expect(d.parentElement).toBe(root);
    expect(d.compareDocumentPosition(output) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(output.contains(d)).toBe(false);
    expect(output.textContent).toBe("▋");
  });

  it("is open while thinking, and collapses once answer text arrives", () => {
    const { model, scheduler, details } = mount({ status: "streaming" });
    model.custom(thinking(1, 1, "Hmm"));
    scheduler.flush();
    expect(details()!.open).toBe(true);
    model.custom(thinking(1, 2, ", right."));
    scheduler.flush();
    expect(details()!.open).toBe(true);
    expect(details()!.textContent).toBe("ReasoningHmm, right.");
    model.custom(delta(1, 3, "Answer"));
    scheduler.flush();
    expect(details()!.open).toBe(false);
    model.update({ status: "done", text: "Answer", reasoning: "Hmm, right." });
    scheduler.flush();
    expect(details()!.open).toBe(false);
    expect(details()!.querySelector(".sse-widget-reasoning-text")!.textContent).toBe("Hmm, right.");
  });

  it("is collapsed when the run is not streaming", () => {
    const { scheduler, details } = mount({ status: "done", text: "", reasoning: "Thought only" });
    scheduler.flush();
    expect(details()!.open).toBe(false);
    expect(details()!.hidden).toBe(false);
  });

  it("keeps the user's choice for the rest of the run, and forgets it on a new run", async () => {
    const { model, scheduler, details } = mount({ status: "streaming" });
    model.custom(thinking(1, 1, "Thinking"));
    scheduler.flush();
    const d = details()!;
    expect(d.open).toBe(true);
    await tick(); // our own toggle event goes by
    // The user closes it while the model still thinks.
    d.querySelector("summary")!.click();
    expect(d.open).toBe(false);
    await tick();
    model.custom(thinking(1, 2, "."));
    scheduler.flush();
    expect(d.open).toBe(false);
    // ... and opens it again: it stays open after the answer starts.
    d.querySelector("summary")!.click();
    await tick();
    model.custom(delta(1, 3, "Answer"));
    model.set("status", "done");
    scheduler.flush();
    expect(d.open).toBe(true);

    // A new run starts from the automatic behaviour again.
    model.update({ run_id: 2, status: "streaming", text: "", reasoning: "" });
    scheduler.flush();
    expect(details()).toBeNull();
    model.custom(thinking(2, 1, "New thoughts"));
    scheduler.flush();
    expect(details()).toBe(d);
    expect(d.open).toBe(true);
    model.custom(delta(2, 2, "New answer"));
    scheduler.flush();
    expect(d.open).toBe(false);
  });

  it("keeps the user's choice when the view is rebuilt, and shares it with other views", async () => {
    const model = new FakeModel({ run_id: 1, status: "idle" });
    const store = new StreamStore(model.asModel()).start();
    model.set("status", "streaming");
    model.custom(thinking(1, 1, "Thinking"));
    const a = mount({}, { model, store });
    const b = mount({}, { model, store });
    a.scheduler.flush();
    b.scheduler.flush();
    await tick();
    // The user closes it in view a while the model thinks: b follows.
    a.details()!.querySelector("summary")!.click();
    await tick();
    b.scheduler.flush();
    expect(a.details()!.open).toBe(false);
    expect(b.details()!.open).toBe(false);
    // ... then opens it again and the answer streams to the end.
    a.details()!.querySelector("summary")!.click();
    await tick();
    model.custom(delta(1, 2, "Answer"));
    model.update({ status: "done", text: "Answer", reasoning: "Thinking" });
    // The front end replaces view a with a new one (an output update).
    a.view.destroy();
    const c = mount({}, { model, store });
    for (const v of [b, c]) {
      v.scheduler.flush();
      expect(v.details()!.open).toBe(true);
    }
  });

  it("a frame rendered between the user's click and its toggle event keeps the click", async () => {
    const { model, scheduler, details } = mount({ status: "streaming" });
    model.custom(thinking(1, 1, "Thinking"));
    scheduler.flush();
    await tick();
    model.custom(delta(1, 2, "Answer")); // collapses on the next frame
    scheduler.flush();
    expect(details()!.open).toBe(false);
    await tick();
    details()!.querySelector("summary")!.click(); // the user opens it ...
    model.custom(delta(1, 3, " goes on"));
    scheduler.flush(); // ... and a frame comes before the toggle event
    expect(details()!.open).toBe(true);
    await tick();
    model.custom(delta(1, 4, "."));
    scheduler.flush();
    expect(details()!.open).toBe(true);
  });

  it("appends streamed reasoning to the same text node", () => {
    const { model, scheduler, details } = mount({ status: "streaming" });
    model.custom(thinking(1, 1, "a"));
    scheduler.flush();
    const node = details()!.querySelector(".sse-widget-reasoning-text")!.firstChild;
    model.custom(thinking(1, 2, "b"));
    scheduler.flush();
    const body = details()!.querySelector(".sse-widget-reasoning-text")!;
    expect(body.firstChild).toBe(node);
    expect(body.childNodes).toHaveLength(1);
    expect(body.textContent).toBe("ab");
    model.custom({ type: "snapshot", run: 1, seq: 3, text: "", reasoning: "replaced" });
    scheduler.flush();
    expect(body.textContent).toBe("replaced");
  });

  it("sits below the error panel and above the answer", () => {
    const { model, scheduler, el } = mount({ status: "streaming" });
    model.custom(thinking(1, 1, "Thinking", "partial"));
    scheduler.flush();
    model.update({ status: "error", error: "Connection reset" });
    scheduler.flush();
    const root = el.querySelector(".sse-widget")!;
    const order = Array.from(root.children, (child) => child.className.split(" ")[0]);
    expect(order).toEqual([
      "sse-widget-header",
      "sse-widget-notice",
      "sse-widget-stop-hint",
      "sse-widget-error",
      "sse-widget-reasoning",
      "sse-widget-tools",
      "sse-widget-timing",
      "sse-widget-body",
    ]);
    expect(el.querySelector(".sse-widget-output")!.textContent).toBe("partial");
  });

  it("two views of one model show the same reasoning", () => {
    const model = new FakeModel({ run_id: 1, status: "streaming" });
    const store = new StreamStore(model.asModel()).start();
    model.custom({ type: "snapshot", run: 1, seq: 1, text: "", reasoning: "First, " });
    const a = mount({}, { model, store });
    const b = mount({}, { model, store });
    model.custom(thinking(1, 2, "second."));
    a.scheduler.flush();
    b.scheduler.flush();
    for (const v of [a, b]) {
      expect(v.details()!.querySelector(".sse-widget-reasoning-text")!.textContent).toBe("First, second.");
      expect(v.details()!.open).toBe(true);
    }
  });
});
