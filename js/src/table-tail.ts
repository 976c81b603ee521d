/**
 * While streaming, a GFM table shows as a table from its header row on: the
 * unfinished delimiter row is completed for display, and the unfinished last
 * row is left out until its line ends. For display only; the final render is
 * of the source as written.
 */

/** A header row: starts with a pipe and has another one. */
const HEADER = /^ {0,3}\|[^\n]*\|/;
/** What a delimiter row may look like before it is finished. */
const DELIMITER_PREFIX = /^ {0,3}\|?[ \t:|-]*$/;
/** A finished delimiter row (as marked reads it). */
const DELIMITER = /^ {0,3}\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$/;

/** The number of cells in a table row (unescaped pipes, outer ones dropped). */
function cellCount(row: string): number {
  const inner = row.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "");
  return inner.split(/(?<!\\)\|/).length;
}

/**
 * `text` (the open tail, which starts at a block boundary) with a table at its
 * end shown from its header row on. `inFence(prefix)` tells whether `prefix`
 * ends inside a fenced code block, where nothing is a table.
 */
export function showTableTail(text: string, inFence: (prefix: string) => boolean): string {
  const blank = text.lastIndexOf("\n\n");
  const start = blank === -1 ? 0 : blank + 2;
  const lines = text.slice(start).split("\n");
  const partial = lines.pop() ?? "";
  const header = lines[0];
  if (header === undefined || !HEADER.test(header)) return text;
  const delimiter = lines[1];
  if (delimiter === undefined) {
    if (!DELIMITER_PREFIX.test(partial) || inFence(text.slice(0, start))) return text;
    const kept = text.slice(0, text.length - partial.length);
    return `${kept}|${" --- |".repeat(cellCount(header))}`;
  }
  if (partial === "" || !DELIMITER.test(delimiter) || inFence(text.slice(0, start))) return text;
  return text.slice(0, text.length - partial.length);
}
