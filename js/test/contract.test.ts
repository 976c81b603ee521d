/**
 * The TypeScript half of the contract: every message and state list Python
 * writes into fixtures/protocol.json (tests/contract.py, checked current by
 * tests/test_protocol.py) is read by the parsers with no key lost or added.
 */
import { describe, expect, it } from "vitest";
import {
  INTENTS,
  STATS_KEYS,
  STATUSES,
  SYNCED_AT_END,
  SYNCED_AT_START,
  TOOLBAR_INTENTS,
  TOOLBAR_TRAITS,
  TRAITS,
  eventsRequest,
  retryIntent,
  snapshotRequest,
  stopIntent,
  toolbarClick,
  toolbarSend,
} from "../src/protocol";
import { parseKernelMessage } from "../src/store";
import written from "./fixtures/protocol.json";

interface Fixture {
  statuses: string[];
  stats_keys: string[];
  traits: string[];
  synced_at_start: string[];
  synced_at_end: string[];
  start_state: Record<string, unknown>;
  end_state: Record<string, unknown>;
  kernel_messages: Array<Record<string, unknown>>;
  intents: Array<Record<string, unknown>>;
  toolbar_traits: string[];
  toolbar_intents: Array<Record<string, unknown>>;
}

const fixture = written as unknown as Fixture;

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

describe("the message contract, as Python writes it", () => {
  it("has the same statuses, stats keys and traits", () => {
    expect([...STATUSES]).toEqual(fixture.statuses);
    expect([...STATS_KEYS]).toEqual(fixture.stats_keys);
    expect(sorted(TRAITS)).toEqual(sorted(fixture.traits));
  });

  it("syncs the same traits when a run starts and ends", () => {
    expect([...SYNCED_AT_START]).toEqual(fixture.synced_at_start);
    expect([...SYNCED_AT_END]).toEqual(fixture.synced_at_end);
    expect(sorted(Object.keys(fixture.start_state))).toEqual(sorted(SYNCED_AT_START));
    expect(sorted(Object.keys(fixture.end_state))).toEqual(sorted(SYNCED_AT_END));
    const stats = fixture.end_state.stats as Record<string, unknown>;
    expect(sorted(Object.keys(stats))).toEqual(sorted(STATS_KEYS));
  });

  it("parses one of each kernel message with every key kept", () => {
    const types = fixture.kernel_messages.map((m) => m.type);
    expect(sorted(types as string[])).toEqual(["delta", "events", "snapshot"]);
    for (const message of fixture.kernel_messages) {
      const parsed = parseKernelMessage(message);
      expect(parsed, String(message.type)).not.toBeNull();
      expect(sorted(Object.keys(parsed ?? {}))).toEqual(sorted(Object.keys(message)));
      expect(parsed).toEqual(message);
      if ("stats" in message) {
        const stats = (parsed as { stats?: object }).stats ?? {};
        expect(sorted(Object.keys(stats))).toEqual(sorted(STATS_KEYS));
      }
    }
  });

  it("sends the intents Python understands", () => {
    const run = fixture.intents.find((i) => i.type === "stop")?.run as number;
    const built = [stopIntent(run), retryIntent(), snapshotRequest(), eventsRequest()];
    expect(built).toEqual(fixture.intents);
    expect(built.map((i) => i.type)).toEqual([...INTENTS]);
  });

  it("has the toolbar's traits and sends the toolbar intents Python understands", () => {
    expect(sorted(TOOLBAR_TRAITS)).toEqual(sorted(fixture.toolbar_traits));
    const [click, send] = fixture.toolbar_intents as [Record<string, unknown>, Record<string, unknown>];
    const built = [toolbarClick(click.name as string), toolbarSend(send.text as string)];
    expect(built).toEqual(fixture.toolbar_intents);
    expect(built.map((i) => i.type)).toEqual([...TOOLBAR_INTENTS]);
  });
});
