/**
 * The line a view shows when a Stop click goes unanswered.
 *
 * Python answers a Stop within milliseconds (the status turns "stopped"). When
 * it does not, the kernel is busy running a cell (on ipykernel before 7.4 a
 * cell blocked in `await w.wait()` holds every widget message back until it
 * ends), and only interrupting the kernel stops the run.
 */

/** Says what to do, in one line. */
export const STOP_UNANSWERED =
  "Stop is waiting: the kernel is busy running a cell. Interrupt the kernel (■, or I, I) to stop now.";

export interface StopHintOptions {
  /** How long a Stop may go unanswered before the hint shows, in ms. */
  timeoutMs?: number;
}

export class StopHint {
  /** The hint's line; hidden until a Stop goes unanswered. */
  readonly el: HTMLElement;
  private readonly timeoutMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private run: unknown = null;

  constructor(doc: Document, options: StopHintOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 600;
    this.el = doc.createElement("div");
    this.el.className = "sse-widget-stop-hint";
    this.el.setAttribute("role", "status");
    this.el.hidden = true;
  }

  /** A Stop for `run` was sent: show the hint unless `answered` is called in time. */
  sent(run: unknown): void {
    this.run = run;
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.el.textContent = STOP_UNANSWERED;
      this.el.hidden = false;
    }, this.timeoutMs);
  }

  /** The model changed: a run that is no longer live (or another run) answers the Stop. */
  follow(run: unknown, live: boolean): void {
    if (this.run === null || (live && run === this.run)) return;
    this.clear();
  }

  /** Forget the pending Stop and hide the hint. */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.run = null;
    this.el.hidden = true;
    this.el.textContent = "";
  }
}
