/**
 * What the unfinished end of a stream shows: its open `**` and backtick
 * closed on the last line, and a table from its header row on (table-tail.ts),
 * for display only; the source itself is never changed.
 */
import { showTableTail } from "./table-tail";

const ANY_FENCE = /^\s*(`{3,}|~{3,})/;
const STRONG_MARK = /(?<!\*)\*\*(?!\*)/g;

/** Whether `text` ends inside a fenced code block (fences at any indent count). */
function endsInOpenFence(text: string): boolean {
  let open: string | null = null;
  for (const line of text.split("\n")) {
    const fence = ANY_FENCE.exec(line)?.[1];
    if (fence === undefined) continue;
    if (open === null) open = fence;
    else if (fence[0] === open[0] && fence.length >= open.length && line.trim() === fence) open = null;
  }
  return open !== null;
}

/**
 * While streaming, `**bold` and `` `code `` on the unfinished last line would
 * show their raw markers until the closing ones arrive. This returns `source`
 * with that line's open `**` and single backtick closed, for display only; it
 * leaves alone anything it is not sure of (code blocks, double backticks, a
 * marker with nothing after it yet).
 */
export function closeOpenInline(source: string): string {
  const start = source.lastIndexOf("\n") + 1;
  const line = source.slice(start);
  if (line.trim() === "" || line.includes("``") || ANY_FENCE.test(line) || /^( {4}|\t)/.test(line)) return source;
  if (endsInOpenFence(source.slice(0, start))) return source;
  let closers = "";
  let prose = line;
  const ticks = line.split("`").length - 1;
  if (ticks % 2 === 1) {
    const open = line.lastIndexOf("`");
    if (line.slice(open + 1).trim() === "") return source;
    closers = "`";
    prose = line.slice(0, open);
  }
  prose = prose.replace(/`[^`]*`/g, "");
  const marks = [...prose.matchAll(STRONG_MARK)];
  if (marks.length % 2 === 1) {
    const after = prose.slice((marks[marks.length - 1]?.index ?? 0) + 2);
    if (after.trim() !== "" && !/^\s/.test(after)) closers += "**";
  }
  if (closers === "") return source;
  return source.slice(0, start) + line.replace(/[ \t]+$/, "") + closers;
}

/** What the open tail shows while streaming: tables from the header on, open inline marks closed. */
export function showOpenTail(rest: string): string {
  const table = showTableTail(rest, endsInOpenFence);
  return table === rest ? closeOpenInline(rest) : table;
}
