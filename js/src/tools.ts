/**
 * The tool calls a run makes, as collapsible blocks above the answer: each
 * shows the tool's name and the JSON arguments as they stream in.
 *
 * Python syncs the whole `tool_calls` trait at the flush rate while calls
 * stream (they are small and rare). Everything in them is untrusted text: it
 * is set as text content only, never parsed as markup.
 */
import type { ToolCall } from "./protocol";

/** The part of a model this region needs. */
export interface ToolCallsModel {
  get(key: "tool_calls"): unknown;
  on(event: "change:tool_calls", callback: () => void): void;
  off(event: "change:tool_calls", callback: () => void): void;
}

/** The tool calls in a trait value, dropping anything malformed. */
export function toolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((c): c is Record<string, unknown> => typeof c === "object" && c !== null)
    .map((c) => ({
      id: typeof c.id === "string" ? c.id : "",
      name: typeof c.name === "string" && c.name ? c.name : "tool",
      arguments: typeof c.arguments === "string" ? c.arguments : "",
    }));
}

/** The arguments indented when they are complete JSON, else as streamed. */
export function prettyArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export class ToolCallsRegion {
  /** The region's element; hidden while the run has no tool calls. */
  readonly el: HTMLElement;
  private readonly blocks: HTMLDetailsElement[] = [];
  private readonly onChange = () => this.render();

  constructor(
    private readonly doc: Document,
    private readonly model: ToolCallsModel,
  ) {
    this.el = doc.createElement("section");
    this.el.className = "sse-widget-tools";
    this.el.setAttribute("aria-label", "Tool calls");
    model.on("change:tool_calls", this.onChange);
    this.render();
  }

  private render(): void {
    const calls = toolCalls(this.model.get("tool_calls"));
    this.el.hidden = calls.length === 0;
    while (this.blocks.length > calls.length) this.blocks.pop()!.remove();
    calls.forEach((call, index) => {
      const block = this.blocks[index] ?? this.addBlock();
      const [summary, args] = [block.firstElementChild!, block.lastElementChild!];
      const name = summary.lastElementChild!;
      if (name.textContent !== call.name) name.textContent = call.name;
      const shown = prettyArguments(call.arguments);
      if (args.textContent !== shown) args.textContent = shown;
      block.title = call.id;
    });
  }

  private addBlock(): HTMLDetailsElement {
    const block = this.doc.createElement("details");
    block.className = "sse-widget-tool";
    block.open = true;
    const summary = this.doc.createElement("summary");
    summary.className = "sse-widget-tool-summary";
    const label = this.doc.createElement("span");
    label.textContent = "Tool call ";
    const name = this.doc.createElement("code");
    name.className = "sse-widget-tool-name";
    summary.append(label, name);
    const args = this.doc.createElement("pre");
    args.className = "sse-widget-tool-arguments";
    block.append(summary, args);
    this.el.append(block);
    this.blocks.push(block);
    return block;
  }

  /** Stop following the model and remove the region. */
  destroy(): void {
    this.model.off("change:tool_calls", this.onChange);
    this.el.remove();
  }
}
