/** The region interface, and small DOM builders shared by the view's regions. */

/** A view region: `update()` renders the model's current state, `destroy()` removes what it added. */
export interface Region {
  update(): void;
  destroy(): void;
}

/** An element of `tag` with a class name and text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** `value` if it is a string, else "". */
export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
