import { afterEach, describe, expect, it } from "vitest";
import { ManualScheduler } from "../src/scheduler";
import { StreamStore } from "../src/store";
import { prettyArguments, toolCalls } from "../src/tools";
import { mountView, type ViewHandle } from "../src/view";
import { FakeModel } from "./fake-model";

let view: ViewHandle | null = null;

function mount() {
  const model = new FakeModel({ run_id: 1, status: "streaming" });
  const el = document.createElement("div");
  view = mountView({ model: model.asModel(), el, store: new StreamStore(model.asModel()).start(), scheduler: new ManualScheduler() });
  return { model, el, region: () => el.querySelector<HTMLElement>(".sse-widget-tools")! };
}

afterEach(() => {
  view?.destroy();
  view = null;
});

describe("tool calls region", () => {
  it("is hidden until the run makes a tool call, then shows name and streamed arguments", () => {
    const { model, el, region } = mount();
    expect(region().hidden).toBe(true);
    model.set("tool_calls", [{ id: "call_1", name: "get_weather", arguments: '{"city": "Pa' }]);
    expect(region().hidden).toBe(false);
    const block = el.querySelector<HTMLDetailsElement>(".sse-widget-tool")!;
    expect(block.open).toBe(true);
    expect(block.querySelector(".sse-widget-tool-name")!.textContent).toBe("get_weather");
    expect(block.querySelector(".sse-widget-tool-arguments")!.textContent).toBe('{"city": "Pa');
    model.set("tool_calls", [{ id: "call_1", name: "get_weather", arguments: '{"city": "Paris"}' }]);
    expect(el.querySelectorAll(".sse-widget-tool")).toHaveLength(1);
    expect(block.querySelector(".sse-widget-tool-arguments")!.textContent).toBe('{\n  "city": "Paris"\n}');
  });

  it("shows hostile names and arguments as text, and empties on a new run", () => {
    const { model, el, region } = mount();
    const evil = '<img src=x onerror="alert(1)">';
    model.set("tool_calls", [{ id: "a", name: evil, arguments: evil }, { id: "b", name: "second", arguments: "" }]);
    expect(el.querySelectorAll(".sse-widget-tool")).toHaveLength(2);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector(".sse-widget-tool-name")!.textContent).toBe(evil);
    model.set("tool_calls", []);
    expect(region().hidden).toBe(true);
    expect(el.querySelectorAll(".sse-widget-tool")).toHaveLength(0);
  });

  it("reads only well-formed calls from the trait", () => {
    expect(toolCalls(null)).toEqual([]);
    expect(toolCalls([null, { name: 3, arguments: "{}" }])).toEqual([{ id: "", name: "tool", arguments: "{}" }]);
    expect(prettyArguments("{not json")).toBe("{not json");
  });
});
