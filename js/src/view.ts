/**
 * One view of the widget, made of regions that each build and update their
 * own part of the DOM: the controls (label, status, buttons, notice), the
 * stats line, the error panel, the reasoning, the answer with its cursor, the
 * event inspector and the clipboard. This file lays them out and decides when
 * they render: the chrome at once, text and stats at most once per frame.
 */
import { mountAnswer } from "./answer";
import { mountClipboard } from "./clipboard";
import { mountControls } from "./controls";
import { h } from "./dom";
import { focusMemory } from "./focus";
import { mountErrorPanel } from "./error-panel";
import { mountInspector } from "./inspector";
import { mountReasoning } from "./reasoning";
import type { FrameScheduler } from "./scheduler";
import { mountStatsLine } from "./stats-line";
import { StopHint } from "./stop-hint";
import { isRunning, type Model, type StreamStore } from "./store";
import { mountTimingStrip } from "./timing";
import { ToolCallsRegion } from "./tools";

export interface ViewOptions {
  model: Model;
  el: HTMLElement;
  store: StreamStore;
  scheduler: FrameScheduler;
  /** Clipboard writer; defaults to navigator.clipboard.writeText. */
  writeClipboard?: (text: string) => Promise<void>;
  /** How long "Copied" stays visible, in ms. */
  copiedMs?: number;
  /** How long a Stop may go unanswered before the view says the kernel is busy, in ms. */
  stopAnswerMs?: number;
}

export interface ViewHandle {
  readonly root: HTMLElement;
  /** Render pending changes now (tests; normally done once per frame). */
  flush(): void;
  destroy(): void;
}

const CHROME_TRAITS = [
  "status", "error", "error_detail", "label", "can_retry", "notice", "inspect", "controls",
  "timing", "timing_axis",
] as const;

/** How many frames a new view waits to be attached before it gives up taking focus back. */
const ADOPT_FOCUS_FRAMES = 120;

export function mountView(options: ViewOptions): ViewHandle {
  const { model, el, store, scheduler } = options;
  const doc = el.ownerDocument;
  const running = (): boolean => isRunning(model.get("status"));
  const inspecting = (): boolean => model.get("inspect") === true;
  let destroyed = false;

  // Layout: header (label, status, stats, actions), notice, stop hint, error,
  // reasoning, tool calls, body (answer, inspector).
  const root = h(doc, "div", "sse-widget");
  const header = h(doc, "div", "sse-widget-header");
  const actions = h(doc, "span", "sse-widget-actions");
  const body = h(doc, "div", "sse-widget-body");
  root.append(header);
  const clipboard = mountClipboard(actions, {
    root,
    writeClipboard: options.writeClipboard,
    copiedMs: options.copiedMs,
  });
  const answer = mountAnswer(body, {
    model,
    store,
    running,
    copyCode: (text, button) => clipboard.copy(text, button),
  });
  const controls = mountControls(actions, {
    model,
    running,
    inspecting,
    root,
    header,
    output: () => answer.output,
    copy: () => clipboard.copy(store.state.text),
    stopSent: (run) => stopHint.sent(run),
    memory: focusMemory(store),
  });
  const stopHint = new StopHint(doc, { timeoutMs: options.stopAnswerMs });
  // The tool calls the model makes, each a collapsible block (its own module).
  const tools = new ToolCallsRegion(doc, model);
  root.append(stopHint.el, tools.el);
  const stats = mountStatsLine(header, { stats: () => store.state.stats });
  header.append(actions);
  root.append(body);
  // The timing strip, above the answer (shown with the inspector, or on its own).
  const timing = mountTimingStrip(root, body, { model, timeline: store.timeline, redraw: () => schedule() });
  const inspector = mountInspector(body, { store, inspecting });
  const reasoning = mountReasoning(root, { store, running, before: tools.el });
  const errorPanel = mountErrorPanel(root, {
    model,
    before: () => (reasoning.panel.parentNode === root ? reasoning.panel : tools.el),
  });
  el.append(root);

  function renderChrome(): void {
    controls.update();
    inspector.toggle();
    timing.toggle();
    errorPanel.update();
  }

  let frame: number | null = null;
  function schedule(): void {
    if (frame === null) frame = scheduler.request(flushFrame);
  }
  function flushFrame(): void {
    frame = null;
    reasoning.update();
    answer.update();
    controls.setCopyable(store.state.text !== "");
    stats.update();
    inspector.update();
    timing.update();
  }
  /** Render now what the next frame would have rendered. */
  function flushPending(): void {
    if (frame !== null) {
      scheduler.cancel(frame);
      flushFrame();
    }
  }

  // When a run ends, its final text is shown at once rather than on the next
  // frame: front ends may replace this view right after (an output update),
  // and a frame that never comes would leave the final DOM to the new view.
  // A microtask lets the rest of the same kernel update (the final text)
  // land first.
  let wasRunning = running();
  const finishNow = (): void => {
    if (!destroyed) flushPending();
  };
  const onChrome = (): void => {
    renderChrome();
    schedule();
    const live = running();
    stopHint.follow(model.get("run_id"), live);
    if (wasRunning && !live) queueMicrotask(finishNow);
    wasRunning = live;
  };
  const onMarkdownMode = (): void => schedule();
  for (const trait of CHROME_TRAITS) model.on(`change:${trait}`, onChrome);
  model.on("change:markdown", onMarkdownMode);
  const unsubscribe = store.subscribe(() => schedule());
  const unsubscribeEvents = store.events.subscribe(() => {
    if (inspecting()) schedule();
  });
  const unsubscribeTimeline = store.timeline.subscribe(() => {
    if (timing.shown()) schedule();
  });

  renderChrome();
  flushFrame();

  // Front ends attach a view after render(): take focus back once attached.
  let adoptFrame: number | null = null;
  const adopt = (left: number): void => {
    adoptFrame = null;
    if (!destroyed && !controls.adoptFocus() && left > 0) adoptFrame = scheduler.request(() => adopt(left - 1));
  };
  adopt(ADOPT_FOCUS_FRAMES);

  return {
    root,
    flush: flushPending,
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      if (frame !== null) scheduler.cancel(frame);
      if (adoptFrame !== null) scheduler.cancel(adoptFrame);
      frame = null;
      stopHint.clear();
      tools.destroy();
      unsubscribe();
      unsubscribeEvents();
      unsubscribeTimeline();
      for (const trait of CHROME_TRAITS) model.off(`change:${trait}`, onChrome);
      model.off("change:markdown", onMarkdownMode);
      for (const region of [reasoning, clipboard, controls, stats, errorPanel, answer, inspector, timing]) {
        region.destroy();
      }
      root.remove();
    },
  };
}
