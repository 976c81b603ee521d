import { describe, expect, it } from "vitest";
import { parseKernelMessage, StreamStore } from "../src/store";
import { delta, FakeModel, snapshot, thinking } from "./fake-model";

function setup(initial: ConstructorParameters<typeof FakeModel>[0] = {}, now = () => 0) {
  const model = new FakeModel({ run_id: 1, status: "streaming", ...initial });
  // Start from a state where the view is in sync (no mount-time snapshot).
  const store = new StreamStore(model.asModel(), { now });
  return { model, store };
}

describe("StreamStore", () => {
  it("applies deltas in order", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "Hel"));
    model.custom(delta(1, 2, "lo"));
    model.custom(delta(1, 3, ", world"));
    expect(store.state.text).toBe("Hello, world");
    expect(store.state.seq).toBe(3);
    expect(store.state.run).toBe(1);
    expect(model.sent).toEqual([]);
  });

  it("notifies subscribers on every applied change and stops after unsubscribe", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    const seen: string[] = [];
    const unsubscribe = store.subscribe((s) => seen.push(s.text));
    model.custom(delta(1, 1, "a"));
    model.custom(delta(1, 2, "b"));
    unsubscribe();
    model.custom(delta(1, 3, "c"));
    expect(seen).toEqual(["a", "ab"]);
    expect(store.state.text).toBe("abc");
  });

  it("drops messages of a stale run", () => {
    const { model, store } = setup({ run_id: 3, status: "idle" });
    store.start();
    model.custom(delta(2, 1, "old"));
    model.custom(snapshot(2, 5, "old snapshot"));
    expect(store.state.text).toBe("");
    model.custom(delta(3, 1, "new"));
    expect(store.state.text).toBe("new");
    expect(model.sent).toEqual([]);
  });

  it("ignores duplicate deltas", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "a"));
    model.custom(delta(1, 1, "a"));
    model.custom(delta(1, 2, "b"));
    expect(store.state.text).toBe("ab");
    expect(model.sent).toEqual([]);
  });

  it("asks for the events so far when it starts with the inspector open", () => {
    const { model, store } = setup({ status: "done", inspect: true });
    store.start();
    expect(model.sent).toEqual([{ type: "events" }]);
  });

  it("asks for nothing when it starts on a finished run with the inspector closed", () => {
    const { model, store } = setup({ status: "done" });
    store.start();
    expect(model.sent).toEqual([]);
  });

  it("on a seq gap requests a snapshot and ignores deltas until it arrives", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "a"));
    model.custom(delta(1, 3, "c")); // seq 2 was lost
    expect(model.sent).toEqual([{ type: "snapshot" }]);
    expect(store.state.awaitingSnapshot).toBe(true);
    expect(store.state.text).toBe("a");
    model.custom(delta(1, 4, "d"));
    model.custom(delta(1, 5, "e"));
    expect(store.state.text).toBe("a");
    expect(model.sent).toHaveLength(1);

    model.custom(snapshot(1, 5, "abcde"));
    expect(store.state.text).toBe("abcde");
    expect(store.state.seq).toBe(5);
    expect(store.state.awaitingSnapshot).toBe(false);

    model.custom(delta(1, 6, "f"));
    expect(store.state.text).toBe("abcdef");
    expect(model.sent).toHaveLength(1);
  });

  it("asks again for a lost snapshot when deltas keep coming", () => {
    let now = 0;
    const { model, store } = setup({ status: "idle" }, () => now);
    store.start();
    model.custom(delta(1, 2, "b")); // gap at the very start
    expect(model.sent).toHaveLength(1);
    now = 1000;
    model.custom(delta(1, 3, "c"));
    expect(model.sent).toHaveLength(1);
    now = 2500;
    model.custom(delta(1, 4, "d"));
    expect(model.sent).toEqual([{ type: "snapshot" }, { type: "snapshot" }]);
  });

  it("snapshot replaces the text", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "draft"));
    model.custom(snapshot(1, 4, "The real text", { tokens: 4 }));
    expect(store.state.text).toBe("The real text");
    expect(store.state.seq).toBe(4);
    expect(store.state.stats).toEqual({ tokens: 4 });
  });

  it("ignores an unrequested snapshot older than what it shows", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "a"));
    model.custom(delta(1, 2, "b"));
    model.custom(delta(1, 3, "c"));
    model.custom(snapshot(1, 2, "ab"));
    expect(store.state.text).toBe("abc");
    expect(store.state.seq).toBe(3);
  });

  it("takes change:text as authoritative", () => {
    const { model, store } = setup({ status: "streaming" });
    store.start(); // live run at start: asks for a snapshot
    model.custom(snapshot(1, 2, "ab"));
    model.custom(delta(1, 3, "c"));
    expect(store.state.text).toBe("abc");
    model.update({ text: "abc and the rest", status: "done" });
    expect(store.state.text).toBe("abc and the rest");
    model.set("text", "");
    expect(store.state.text).toBe("");
  });

  it("final text sync clears a pending snapshot request", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 2, "x")); // gap
    expect(store.state.awaitingSnapshot).toBe(true);
    model.update({ status: "done", text: "full text" });
    expect(store.state.awaitingSnapshot).toBe(false);
    expect(store.state.text).toBe("full text");
  });

  it("resets on run_id change", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "first answer"));
    model.custom(delta(1, 3, "gap")); // leaves a pending snapshot request
    expect(store.state.awaitingSnapshot).toBe(true);
    model.update({ run_id: 2, text: "", status: "connecting", stats: {} });
    expect(store.state).toEqual({ run: 2, seq: 0, text: "", stats: {}, awaitingSnapshot: false });
    model.custom(delta(1, 2, "late delta of run 1"));
    expect(store.state.text).toBe("");
    model.custom(delta(2, 1, "second"));
    expect(store.state.text).toBe("second");
    expect(store.state.seq).toBe(1);
  });

  it("adopts a newer run announced by a message before run_id syncs", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "one"));
    model.custom(delta(2, 1, "two"));
    expect(store.state.run).toBe(2);
    expect(store.state.text).toBe("two");
    model.set("run_id", 2);
    expect(store.state.text).toBe("two");
  });

  it("requests a snapshot when it starts during a live run", () => {
    for (const status of ["connecting", "streaming"] as const) {
      const { model, store } = setup({ status, text: "" });
      store.start();
      expect(model.sent).toEqual([{ type: "snapshot" }]);
      expect(store.state.awaitingSnapshot).toBe(true);
      model.custom(delta(1, 7, "ignored until the snapshot"));
      expect(store.state.text).toBe("");
      model.custom(snapshot(1, 7, "everything so far"));
      model.custom(delta(1, 8, "!"));
      expect(store.state.text).toBe("everything so far!");
    }
  });

  it("a late view keeps the deltas that arrive before its snapshot and applies the newer ones", () => {
    const { model, store } = setup({ status: "streaming", text: "" });
    store.start();
    expect(model.sent).toEqual([{ type: "snapshot" }]);
    // Python answers the request after three more flushes went out.
    model.custom(delta(1, 8, " eight"));
    model.custom(delta(1, 9, " nine"));
    model.custom(delta(1, 10, " ten"));
    expect(store.state.text).toBe("");
    model.custom(snapshot(1, 8, "one to eight"));
    expect(store.state.text).toBe("one to eight nine ten");
    expect(store.state.seq).toBe(10);
    expect(store.state.awaitingSnapshot).toBe(false);
    model.custom(delta(1, 11, " eleven"));
    expect(store.state.text).toBe("one to eight nine ten eleven");
    expect(model.sent).toHaveLength(1);
  });

  it("held deltas carry their reasoning and stats onto the snapshot", () => {
    const { model, store } = setup({ status: "streaming", text: "" });
    store.start();
    model.custom(thinking(1, 3, " more thought", "c"));
    model.custom(delta(1, 4, "d", { tokens: 4 }));
    model.custom({ ...snapshot(1, 2, "ab"), reasoning: "thought" });
    expect(store.state.text).toBe("abcd");
    expect(store.reasoning).toBe("thought more thought");
    expect(store.state.stats).toEqual({ tokens: 4 });
  });

  it("a gap among the held deltas asks for another snapshot and keeps what follows it", () => {
    const { model, store } = setup({ status: "streaming", text: "" });
    store.start();
    model.custom(delta(1, 3, "c"));
    model.custom(delta(1, 5, "e")); // seq 4 was lost
    model.custom(snapshot(1, 2, "ab"));
    expect(store.state.text).toBe("abc");
    expect(store.state.awaitingSnapshot).toBe(true);
    expect(model.sent).toEqual([{ type: "snapshot" }, { type: "snapshot" }]);
    model.custom(delta(1, 6, "f"));
    model.custom(snapshot(1, 5, "abcde"));
    expect(store.state.text).toBe("abcdef");
    expect(store.state.seq).toBe(6);
  });

  it("keeps at most maxHeldDeltas while a snapshot is pending", () => {
    const model = new FakeModel({ run_id: 1, status: "streaming", text: "" });
    const store = new StreamStore(model.asModel(), { maxHeldDeltas: 2 });
    store.start();
    for (const seq of [2, 3, 4, 5]) model.custom(delta(1, seq, String(seq)));
    model.custom(snapshot(1, 1, "1")); // 2 and 3 were let go: a gap again
    expect(store.state.text).toBe("1");
    expect(model.sent).toHaveLength(2);
    model.custom(snapshot(1, 3, "123"));
    expect(store.state.text).toBe("12345");
  });

  it("held deltas of an older run are dropped when a new run starts", () => {
    const { model, store } = setup({ status: "streaming", text: "" });
    store.start();
    model.custom(delta(1, 2, "old"));
    model.update({ run_id: 2, text: "", status: "connecting" });
    model.custom(snapshot(2, 0, ""));
    model.custom(delta(2, 1, "new"));
    expect(store.state.text).toBe("new");
  });

  it("does not request a snapshot when it starts with no live run", () => {
    for (const status of ["idle", "done", "stopped", "error"] as const) {
      const { model, store } = setup({ status, text: "final" });
      store.start();
      expect(model.sent).toEqual([]);
      expect(store.state.text).toBe("final");
    }
  });

  it("takes stats from messages and from the stats trait", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    model.custom(delta(1, 1, "a", { tokens: 1, tokens_estimated: true }));
    expect(store.state.stats).toEqual({ tokens: 1, tokens_estimated: true });
    model.custom(delta(1, 2, "b"));
    expect(store.state.stats).toEqual({ tokens: 1, tokens_estimated: true });
    model.set("stats", { tokens: 2, elapsed_ms: 100 });
    expect(store.state.stats).toEqual({ tokens: 2, elapsed_ms: 100 });
  });

  it("ignores malformed messages", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    for (const bad of [null, "x", 3, {}, { type: "delta" }, { type: "delta", run: 1, seq: "1", text: "a" }, { type: "other", run: 1, seq: 1, text: "a" }]) {
      model.custom(bad);
    }
    expect(store.state.text).toBe("");
    expect(parseKernelMessage({ type: "delta", run: 1, seq: 1, text: "a", extra: 1 })).toEqual(delta(1, 1, "a"));
  });

  it("dispose removes every listener it added", () => {
    const { model, store } = setup({ status: "idle" });
    store.start();
    expect(model.listenerCount()).toBeGreaterThan(0);
    store.dispose();
    expect(model.listenerCount()).toBe(0);
    model.custom(delta(1, 1, "a"));
    expect(store.state.text).toBe("");
  });
});
