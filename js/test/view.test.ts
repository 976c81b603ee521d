import { afterEach, describe, expect, it, vi } from "vitest";
import { StreamingMarkdown } from "../src/markdown";
import { ManualScheduler } from "../src/scheduler";
import { StreamStore } from "../src/store";
import { mountView, type ViewHandle } from "../src/view";
import widget from "../src/widget";
import { delta, FakeModel } from "./fake-model";

const mounted: Array<{ view: ViewHandle; el: HTMLElement }> = [];

function mount(
  initial: ConstructorParameters<typeof FakeModel>[0] = {},
  extra: { writeClipboard?: (text: string) => Promise<void>; model?: FakeModel; store?: StreamStore } = {},
) {
  const model = extra.model ?? new FakeModel({ run_id: 1, ...initial });
  const store = extra.store ?? new StreamStore(model.asModel()).start();
  const scheduler = new ManualScheduler();
  const el = document.createElement("div");
  document.body.append(el);
  const view = mountView({
    model: model.asModel(),
    el,
    store,
    scheduler,
    copiedMs: 50,
    ...(extra.writeClipboard ? { writeClipboard: extra.writeClipboard } : {}),
  });
  mounted.push({ view, el });
  const q = <T extends Element = HTMLElement>(selector: string) => el.querySelector(selector) as T | null;
  return { model, store, scheduler, el, view, q };
}

afterEach(() => {
  for (const { view, el } of mounted.splice(0)) {
    view.destroy();
    el.remove();
  }
});

function buttons(q: ReturnType<typeof mount>["q"]) {
  return {
    stop: q<HTMLButtonElement>(".sse-widget-stop")!,
    retry: q<HTMLButtonElement>(".sse-widget-retry")!,
    copy: q<HTMLButtonElement>(".sse-widget-copy")!,
  };
}

/** The accessible name of a button: aria-label, else its text. */
function accessibleName(el: Element): string {
  return (el.getAttribute("aria-label") ?? el.textContent ?? "").trim();
}

describe("view DOM contract", () => {
  it("has the root, header, buttons and log region", () => {
    const { q } = mount({ status: "idle" });
    const root = q(".sse-widget")!;
    expect(root).not.toBeNull();
    expect(root.getAttribute("data-status")).toBe("idle");
    expect(q(".sse-widget-status")!.textContent).toBe("Ready");
    expect(q(".sse-widget-stats")).not.toBeNull();
    const { stop, retry, copy } = buttons(q);
    for (const [button, name, cls] of [
      [stop, "Stop", "sse-widget-stop"],
      [retry, "Retry", "sse-widget-retry"],
      [copy, "Copy", "sse-widget-copy"],
    ] as const) {
      expect(button.tagName).toBe("BUTTON");
      expect(button.getAttribute("type")).toBe("button");
      expect(accessibleName(button)).toBe(name);
      expect(button.classList.contains(cls)).toBe(true);
    }
    const output = q(".sse-widget-output")!;
    expect(output.getAttribute("role")).toBe("log");
    expect(output.getAttribute("aria-live")).toBe("polite");
    expect(output.getAttribute("aria-busy")).toBe("false");
  });

  it("data-status and aria-busy follow status", () => {
    const { model, q } = mount({ status: "idle" });
    const root = q(".sse-widget")!;
    const output = q(".sse-widget-output")!;
    for (const status of ["connecting", "streaming", "done", "stopped", "error", "idle"]) {
      model.set("status", status);
      expect(root.getAttribute("data-status")).toBe(status);
      const busy = status === "connecting" || status === "streaming" ? "true" : "false";
      expect(output.getAttribute("aria-busy")).toBe(busy);
    }
  });

  it("announces the start and the end in a status live region, not every token", async () => {
    const { model, q, scheduler } = mount({ status: "idle" });
    const status = q(".sse-widget-status")!;
    expect(status.getAttribute("role")).toBe("status");
    expect(status.getAttribute("aria-atomic")).toBe("true");
    const seen: string[] = [];
    new MutationObserver(() => seen.push(status.textContent ?? "")).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
    const observed = () => new Promise((resolve) => setTimeout(resolve, 0));
    model.set("status", "streaming");
    await observed();
    for (let seq = 1; seq <= 20; seq++) {
      model.custom(delta(1, seq, `token${seq} `));
      scheduler.flush();
      await observed();
    }
    model.set("status", "done");
    await observed();
    expect(seen).toEqual(["Streaming…", "Done"]);
  });

  it("shows the label only when it is not empty", () => {
    const { model, q } = mount({ label: "" });
    const label = q(".sse-widget-label")!;
    expect(label.hidden).toBe(true);
    model.set("label", "gpt-test");
    expect(label.hidden).toBe(false);
    expect(label.textContent).toBe("gpt-test");
  });

  it("enables Stop only while running and Retry only when can_retry and not running", () => {
    const { model, q } = mount({ status: "idle", can_retry: false });
    const { stop, retry } = buttons(q);
    const cases: Array<[string, boolean, boolean, boolean]> = [
      // status, can_retry, stop enabled, retry enabled
      ["idle", false, false, false],
      ["idle", true, false, true],
      ["connecting", true, true, false],
      ["streaming", true, true, false],
      ["streaming", false, true, false],
      ["done", true, false, true],
      ["stopped", true, false, true],
      ["error", true, false, true],
      ["error", false, false, false],
    ];
    for (const [status, canRetry, stopEnabled, retryEnabled] of cases) {
      model.update({ status, can_retry: canRetry });
      expect([status, canRetry, !stop.disabled, !retry.disabled]).toEqual([
        status,
        canRetry,
        stopEnabled,
        retryEnabled,
      ]);
    }
  });

  it("Stop click sends stop with the current run id", () => {
    const { model, q } = mount({ status: "streaming", run_id: 7 });
    model.sent.length = 0; // the mount-time snapshot request
    buttons(q).stop.click();
    expect(model.sent).toEqual([{ type: "stop", run: 7 }]);
  });

  it("Retry click sends retry", () => {
    const { model, q } = mount({ status: "done", can_retry: true });
    buttons(q).retry.click();
    expect(model.sent).toEqual([{ type: "retry" }]);
  });

  it("Escape inside the widget sends stop while running, and nothing otherwise", () => {
    const { model, q } = mount({ status: "streaming", run_id: 4 });
    model.sent.length = 0;
    const output = q(".sse-widget-output")!;
    output.focus();
    const event = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    output.dispatchEvent(event);
    expect(model.sent).toEqual([{ type: "stop", run: 4 }]);
    expect(event.defaultPrevented).toBe(true);

    output.dispatchEvent(new KeyboardEvent("keydown", { key: "a", bubbles: true }));
    expect(model.sent).toHaveLength(1);

    model.set("status", "done");
    output.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(model.sent).toHaveLength(1);

    // Escape outside the widget is not ours.
    model.set("status", "streaming");
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(model.sent).toHaveLength(1);
  });

  it("moves focus off Stop when the run ends", () => {
    const { model, q } = mount({ status: "streaming", can_retry: true });
    const { stop, retry } = buttons(q);
    stop.focus();
    expect(document.activeElement).toBe(stop);
    model.set("status", "done");
    expect(document.activeElement).toBe(retry);
  });
});

describe("view text and cursor", () => {
  it("renders at most once per frame", () => {
    const { model, scheduler, q } = mount({ status: "idle", markdown: false });
    model.custom(delta(1, 1, "a"));
    model.custom(delta(1, 2, "b"));
    expect(scheduler.pending).toBe(1);
    expect(q(".sse-widget-plain")!.textContent).toBe("");
    scheduler.flush();
    expect(q(".sse-widget-plain")!.textContent).toBe("ab");
    expect(scheduler.pending).toBe(0);
  });

  it("plain text mode uses text content only", () => {
    const { model, scheduler, q } = mount({ status: "done", markdown: false, text: "<b>x</b> *y*" });
    scheduler.flush();
    const plain = q(".sse-widget-plain")!;
    expect(plain.textContent).toBe("<b>x</b> *y*");
    expect(plain.querySelector("b")).toBeNull();
    model.set("markdown", true);
    scheduler.flush();
    expect(q(".sse-widget-plain")).toBeNull();
    expect(q(".sse-widget-markdown em")!.textContent).toBe("y");
    expect(q(".sse-widget-markdown b")).toBeNull();
  });

  it("cursor is present only while running and is the last element of the text", () => {
    const { model, scheduler, q } = mount({ status: "idle" });
    expect(q(".sse-widget-cursor")).toBeNull();

    model.set("status", "connecting");
    scheduler.flush();
    let cursor = q(".sse-widget-cursor")!;
    expect(cursor).not.toBeNull();
    expect(cursor.getAttribute("aria-hidden")).toBe("true");
    expect(cursor.textContent).toBe("▋");

    model.set("status", "streaming");
    model.custom(delta(1, 1, "Hello **world**\n\n- one\n- two"));
    scheduler.flush();
    const output = q(".sse-widget-output")!;
    const all = output.querySelectorAll("*");
    cursor = q(".sse-widget-cursor")!;
    expect(all[all.length - 1]).toBe(cursor);
    // Inline, inside the last block: the last list item.
    expect(cursor.parentElement!.tagName).toBe("LI");
    expect(cursor.parentElement!.textContent).toBe("two▋");
    expect(output.querySelectorAll(".sse-widget-cursor")).toHaveLength(1);

    for (const status of ["done", "stopped", "error", "idle"]) {
      model.set("status", "streaming");
      scheduler.flush();
      expect(q(".sse-widget-cursor")).not.toBeNull();
      model.set("status", status);
      scheduler.flush();
      expect([status, q(".sse-widget-cursor")]).toEqual([status, null]);
    }
  });

  it("cursor follows plain text inline", () => {
    const { model, scheduler, q } = mount({ status: "streaming", markdown: false });
    model.custom({ type: "snapshot", run: 1, seq: 1, text: "line 1\nline 2" });
    scheduler.flush();
    const plain = q(".sse-widget-plain")!;
    expect(plain.textContent).toBe("line 1\nline 2▋");
    expect(plain.lastChild).toBe(q(".sse-widget-cursor"));
  });

  it("cursor goes at the end of an open code block", () => {
    const { model, scheduler, q } = mount({ status: "streaming" });
    model.custom({ type: "snapshot", run: 1, seq: 1, text: "Code:\n\n```python\nprint('hi')" });
    scheduler.flush();
    const cursor = q(".sse-widget-cursor")!;
    expect(cursor.parentElement!.tagName).toBe("CODE");
    expect(cursor.parentElement!.textContent).toBe("print('hi')▋");
  });

  it("shows the error panel above the text only when error is set, keeping the text", () => {
    const { model, scheduler, q } = mount({ status: "streaming" });
    model.sent.length = 0;
    model.custom({ type: "snapshot", run: 1, seq: 3, text: "partial answer" });
    scheduler.flush();
    expect(q(".sse-widget-error")).toBeNull();

    model.update({ status: "error", error: "Connection reset", error_detail: "<script>alert(1)</script>" });
    scheduler.flush();
    const panel = q(".sse-widget-error")!;
    expect(panel).not.toBeNull();
    expect(panel.getAttribute("role")).toBe("alert");
    expect(q(".sse-widget-error-message")!.textContent).toBe("Connection reset");
    const details = panel.querySelector("details")!;
    expect(details.querySelector("pre")!.textContent).toBe("<script>alert(1)</script>");
    expect(panel.querySelector("script")).toBeNull();
    // Above the text, and the text is still shown.
    const output = q(".sse-widget-output")!;
    expect(panel.compareDocumentPosition(output) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(output.textContent).toBe("partial answer");

    model.set("error_detail", "");
    expect(q(".sse-widget-error details")).toBeNull();
    expect(q(".sse-widget-error-message")!.textContent).toBe("Connection reset");

    model.set("error", "");
    expect(q(".sse-widget-error")).toBeNull();
    expect(output.textContent).toBe("partial answer");
  });

  it("does not rebuild the alert on unrelated changes", () => {
    const { model, q } = mount({ status: "error", error: "boom" });
    const message = q(".sse-widget-error-message");
    model.set("label", "x");
    model.set("can_retry", true);
    expect(q(".sse-widget-error-message")).toBe(message);
  });

  it("shows stats with ≈ for estimated token counts", () => {
    const { model, scheduler, q } = mount({ status: "idle" });
    model.set("stats", { ttft_ms: 250, tokens: 42, tokens_per_s: 12.345, elapsed_ms: 3400, tokens_estimated: true });
    scheduler.flush();
    expect(q(".sse-widget-stats")!.textContent).toBe("TTFT 250 ms · ≈42 tokens · ≈12.3 tok/s · 3.4 s");
    model.set("stats", { ttft_ms: 1250, tokens: 1, tokens_per_s: 2, elapsed_ms: 61_000, tokens_estimated: false });
    scheduler.flush();
    expect(q(".sse-widget-stats")!.textContent).toBe("TTFT 1.3 s · 1 token · 2.0 tok/s · 1 min 1 s");
    // a failed run with no text: no count, no rate (Python sends null for both)
    model.set("stats", { ttft_ms: null, tokens: null, tokens_per_s: null, elapsed_ms: 40, tokens_estimated: true });
    scheduler.flush();
    expect(q(".sse-widget-stats")!.textContent).toBe("40 ms");
    model.set("stats", {});
    scheduler.flush();
    expect(q(".sse-widget-stats")!.textContent).toBe("");
  });

  it("Copy writes the markdown source and says Copied briefly", async () => {
    const writes: string[] = [];
    const { model, scheduler, q } = mount(
      { status: "done", text: "# Title\n\n`code`" },
      { writeClipboard: async (t) => void writes.push(t) },
    );
    scheduler.flush();
    const { copy } = buttons(q);
    expect(copy.disabled).toBe(false);
    copy.click();
    await vi.waitFor(() => expect(q(".sse-widget-copied")!.textContent).toBe("Copied"));
    expect(writes).toEqual(["# Title\n\n`code`"]);
    expect(accessibleName(copy)).toBe("Copy");
    await vi.waitFor(() => expect(q(".sse-widget-copied")!.textContent).toBe(""));
    model.set("text", "");
    scheduler.flush();
    expect(copy.disabled).toBe(true);
  });

  it("code block copy button copies the code", async () => {
    const writes: string[] = [];
    const { scheduler, q } = mount(
      { status: "done", text: "```python\nx = 1\n```\n\ntext" },
      { writeClipboard: async (t) => void writes.push(t) },
    );
    scheduler.flush();
    const button = q<HTMLButtonElement>(".sse-widget-code-copy")!;
    expect(button.getAttribute("type")).toBe("button");
    expect(button.textContent).toBe("Copy code");
    button.click();
    await vi.waitFor(() => expect(writes).toEqual(["x = 1"]));
  });

  it("two views of one model both show the full text", () => {
    const model = new FakeModel({ run_id: 1, status: "streaming" });
    const store = new StreamStore(model.asModel()).start();
    model.custom({ type: "snapshot", run: 1, seq: 1, text: "Hello" });
    const a = mount({}, { model, store });
    const b = mount({}, { model, store });
    model.custom(delta(1, 2, " there"));
    model.custom(delta(1, 3, ", friend"));
    a.scheduler.flush();
    b.scheduler.flush();
    for (const v of [a, b]) {
      expect(v.q(".sse-widget-markdown")!.textContent).toBe("Hello there, friend▋");
    }
    model.update({ status: "done", text: "Hello there, friend." });
    a.scheduler.flush();
    b.scheduler.flush();
    for (const v of [a, b]) {
      expect(v.q(".sse-widget-output")!.textContent).toBe("Hello there, friend.");
    }
  });

  it("destroy removes listeners, DOM and pending frames", () => {
    const model = new FakeModel({ run_id: 1, status: "idle" });
    const store = new StreamStore(model.asModel()).start();
    const before = model.listenerCount();
    const { view, scheduler, el } = mount({}, { model, store });
    expect(model.listenerCount()).toBeGreaterThan(before);
    model.custom(delta(1, 1, "x"));
    expect(scheduler.pending).toBe(1);
    view.destroy();
    expect(model.listenerCount()).toBe(before);
    expect(scheduler.pending).toBe(0);
    expect(el.querySelector(".sse-widget")).toBeNull();
    model.custom(delta(1, 2, "y"));
    expect(scheduler.pending).toBe(0);
  });

  it("a destroyed view's buttons and keys send nothing", () => {
    const { model, q, view } = mount({ status: "streaming", run_id: 3 });
    model.sent.length = 0;
    const { stop } = buttons(q);
    const output = q(".sse-widget-output")!;
    stop.click();
    expect(model.sent).toEqual([{ type: "stop", run: 3 }]);
    view.destroy();
    stop.click();
    output.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(model.sent).toHaveLength(1);
  });
});

describe("anywidget entry", () => {
  it("initialize owns the store; every render shares it; cleanups remove listeners", async () => {
    const model = new FakeModel({ run_id: 2, status: "streaming" });
    const entry = widget();
    const cleanupInit = entry.initialize({ model: model as never });
    // Mounting mid-stream asks once for a snapshot, whatever the number of views.
    expect(model.sent).toEqual([{ type: "snapshot" }]);

    const el1 = document.createElement("div");
    const el2 = document.createElement("div");
    document.body.append(el1, el2);
    const cleanup1 = entry.render({ model: model as never, el: el1 });
    const cleanup2 = entry.render({ model: model as never, el: el2 });
    expect(model.sent).toHaveLength(1);
    expect(model.listenerCount("msg:custom")).toBe(1);

    model.custom({ type: "snapshot", run: 2, seq: 10, text: "streamed" });
    model.custom(delta(2, 11, " text"));
    await vi.waitFor(() => {
      for (const el of [el1, el2]) {
        expect(el.querySelector(".sse-widget-output")!.textContent).toBe("streamed text▋");
      }
    });

    cleanup1();
    cleanup2();
    expect(el1.querySelector(".sse-widget")).toBeNull();
    expect(model.listenerCount("change:status")).toBe(1); // the store's own
    cleanupInit();
    expect(model.listenerCount()).toBe(0);
    el1.remove();
    el2.remove();
  });

  it("render works without initialize and cleans up its own store", () => {
    const model = new FakeModel({ run_id: 1, status: "done", text: "standalone" });
    const el = document.createElement("div");
    const cleanup = widget().render({ model: model as never, el });
    expect(el.querySelector(".sse-widget-output")!.textContent).toBe("standalone");
    cleanup();
    expect(model.listenerCount()).toBe(0);
  });
});

describe("end of a run", () => {
  it("shows the final text without waiting for a frame", async () => {
    const { model, scheduler, q } = mount({ status: "idle" });
    model.set("status", "streaming");
    model.custom(delta(1, 1, "Hello"));
    scheduler.flush();
    expect(q(".sse-widget-output")!.textContent).toBe("Hello▋");
    // One kernel update: the final text, then the status (either order).
    model.update({ text: "Hello, world.", status: "done" });
    expect(scheduler.pending).toBe(1);
    await Promise.resolve();
    expect(scheduler.pending).toBe(0);
    expect(q(".sse-widget-output")!.textContent).toBe("Hello, world.");

    model.update({ run_id: 2, status: "streaming", text: "" });
    scheduler.flush();
    model.update({ status: "stopped" });
    model.update({ text: "Stopped here" });
    await Promise.resolve();
    expect(q(".sse-widget-output")!.textContent).toBe("Stopped here");
    expect(q(".sse-widget-cursor")).toBeNull();
  });

  it("does not render early for other changes", async () => {
    const { model, scheduler } = mount({ status: "done", text: "x" });
    scheduler.flush();
    model.set("label", "new label");
    model.set("status", "error");
    await Promise.resolve();
    expect(scheduler.pending).toBe(1);
  });
});

describe("a view that mounts after the run ended", () => {
  const TEXT = "# Title\n\nSome **bold** text.\n\n```python\nx = 1\n```\n\n- a\n- b";

  it("copies the finished render of another view instead of rendering again", () => {
    const model = new FakeModel({ run_id: 1, status: "idle" });
    const store = new StreamStore(model.asModel()).start();
    const a = mount({}, { model, store });
    model.set("status", "streaming");
    model.custom(delta(1, 1, TEXT.slice(0, 20)));
    a.scheduler.flush();
    model.update({ status: "done", text: TEXT });
    a.scheduler.flush();
    const adopt = vi.spyOn(StreamingMarkdown.prototype, "adopt");
    try {
      const b = mount({}, { model, store });
      expect(adopt).toHaveBeenCalledTimes(1);
      const [mdA, mdB] = [a.q(".sse-widget-markdown")!, b.q(".sse-widget-markdown")!];
      expect(mdB.innerHTML).toBe(mdA.innerHTML);
      expect(mdB.querySelector("h1")).not.toBe(mdA.querySelector("h1"));
      expect(mdB.querySelector(".sse-widget-code-copy")!.textContent).toBe("Copy code");

      // The next run renders from scratch in both views.
      model.update({ run_id: 2, status: "streaming", text: "" });
      model.custom(delta(2, 1, "Second answer"));
      a.scheduler.flush();
      b.scheduler.flush();
      for (const v of [a, b]) expect(v.q(".sse-widget-output")!.textContent).toBe("Second answer▋");
      model.update({ status: "done", text: "Second answer, done." });
      a.scheduler.flush();
      b.scheduler.flush();
      for (const v of [a, b]) expect(v.q(".sse-widget-output")!.textContent).toBe("Second answer, done.");
    } finally {
      adopt.mockRestore();
    }
  });

  it("renders itself while a run is live, or when the text differs", () => {
    const model = new FakeModel({ run_id: 1, status: "idle" });
    const store = new StreamStore(model.asModel()).start();
    const a = mount({}, { model, store });
    model.update({ status: "done", text: "Final *text*" });
    a.scheduler.flush();
    const adopt = vi.spyOn(StreamingMarkdown.prototype, "adopt");
    try {
      model.set("text", "Final *text*, edited");
      mount({}, { model, store }); // a's render is of the old text
      model.update({ run_id: 2, status: "streaming", text: "" });
      model.custom(delta(2, 1, "live"));
      const c = mount({}, { model, store });
      expect(adopt).not.toHaveBeenCalled();
      expect(c.q(".sse-widget-output")!.textContent).toBe("live▋");
    } finally {
      adopt.mockRestore();
    }
  });
});
