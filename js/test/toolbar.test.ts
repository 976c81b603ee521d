import { afterEach, describe, expect, it } from "vitest";
import { renderToolbar, sendsOnEnter } from "../src/toolbar";
import { FakeModel } from "./fake-model";

const key = (init: Partial<KeyboardEvent>) => ({
  key: "Enter", shiftKey: false, isComposing: false, keyCode: 13, altKey: false, ctrlKey: false, metaKey: false, ...init,
});

describe("sendsOnEnter", () => {
  it("sends on Enter alone, not on Shift+Enter, nor while an IME composes", () => {
    expect(sendsOnEnter(key({}))).toBe(true);
    expect(sendsOnEnter(key({ shiftKey: true }))).toBe(false);
    expect(sendsOnEnter(key({ isComposing: true }))).toBe(false);
    expect(sendsOnEnter(key({ keyCode: 229 }))).toBe(false);
    expect(sendsOnEnter(key({ key: "a" }))).toBe(false);
  });
});

const BUTTONS = [
  { name: "send", label: "Send", disabled: false },
  { name: "stop", label: "Stop", disabled: true },
  { name: "retry", label: "Retry last turn", disabled: false },
];

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function mount(input: boolean) {
  const model = new FakeModel({} as never);
  model.attributes.buttons = BUTTONS;
  model.attributes.input = input;
  model.attributes.placeholder = "Message";
  const el = document.createElement("div");
  document.body.append(el);
  const dispose = renderToolbar(model as never, el);
  cleanups.push(() => {
    dispose();
    el.remove();
  });
  const q = <T extends HTMLElement>(s: string) => el.querySelector(s) as T;
  return { model, q };
}

function press(target: HTMLElement, init: KeyboardEventInit) {
  const event = new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

describe("toolbar view", () => {
  it("shows the buttons in order, enabled as Python says", () => {
    const { q } = mount(false);
    const names = [...q("div").querySelectorAll("button")].map((b) => [b.textContent, b.disabled]);
    expect(names).toEqual([["Send", false], ["Stop", true], ["Retry last turn", false]]);
    expect(q(".sse-bar-input")).toBeNull();
  });

  it("Enter sends the box's text and empties it; Shift+Enter and a composition do not", () => {
    const { model, q } = mount(true);
    const box = q<HTMLTextAreaElement>(".sse-bar-input");
    box.value = "hello";
    expect(press(box, { key: "Enter", shiftKey: true }).defaultPrevented).toBe(false);
    expect(press(box, { key: "Enter", isComposing: true }).defaultPrevented).toBe(false);
    expect(model.sent).toEqual([]);
    expect(press(box, { key: "Enter" }).defaultPrevented).toBe(true);
    expect(model.sent).toEqual([{ type: "send", text: "hello" }]);
    expect(box.value).toBe("");
    press(box, { key: "Enter" }); // nothing to send
    expect(model.sent).toHaveLength(1);
  });

  it("does not send while Send is disabled, and keeps the text", () => {
    const { model, q } = mount(true);
    model.set("buttons", BUTTONS.map((b) => (b.name === "send" ? { ...b, disabled: true } : b)));
    const box = q<HTMLTextAreaElement>(".sse-bar-input");
    box.value = "later";
    press(box, { key: "Enter" });
    expect(model.sent).toEqual([]);
    expect(box.value).toBe("later");
  });

  it("Esc presses Stop when it is enabled", () => {
    const { model, q } = mount(true);
    const box = q<HTMLTextAreaElement>(".sse-bar-input");
    press(box, { key: "Escape" });
    expect(model.sent).toEqual([]);
    model.set("buttons", BUTTONS.map((b) => (b.name === "stop" ? { ...b, disabled: false } : b)));
    press(box, { key: "Escape" });
    expect(model.sent).toEqual([{ type: "click", name: "stop" }]);
  });

  it("a focused button disabled under it hands focus to the box, or to a button that works", () => {
    const withBox = mount(true);
    withBox.q<HTMLButtonElement>(".sse-bar-retry").focus();
    withBox.model.set("buttons", BUTTONS.map((b) => (b.name === "retry" ? { ...b, disabled: true } : b)));
    expect(document.activeElement).toBe(withBox.q(".sse-bar-input"));

    const bar = mount(false);
    bar.q<HTMLButtonElement>(".sse-bar-retry").focus();
    bar.model.set("buttons", BUTTONS.map((b) => ({ ...b, disabled: b.name !== "stop" })));
    expect(document.activeElement).toBe(bar.q(".sse-bar-stop"));
  });
});
