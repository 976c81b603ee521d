/**
 * An open fenced code block at the end of a stream, grown in place: while no
 * line of its body could be a fence, new text is appended to the code
 * element instead of lexing, sanitizing and rebuilding the whole block each
 * frame. An open fence is not highlighted, so its code is plain text; the
 * text appended past the first CHUNK_LINES lines goes into blocks of
 * CHUNK_LINES lines each (`span.sse-widget-code-chunk`, display: block), so
 * that the browser lays out only the last block as it grows, not every line
 * of a long answer on every frame. The text is the same as a render of the
 * block; the block is rendered again once the fence closes or the stream ends.
 */

/** Lines per laid-out block of a growing code body. */
export const CHUNK_LINES = 40;
const CHUNK_CLASS = "sse-widget-code-chunk";

/** A line that is or may become a fence (any indent): such text is rendered. */
const FENCE_LIKE = /[^\S\n]*(?:`{3}|~{3})/y;
/** A fence at the start of the block's first line (no indent to compensate). */
const FENCE_START = /^(`{3,}|~{3,})/;

/**
 * The code text a render shows for `body`: marked drops one final newline and
 * adds one back when the text still ends in one, and the renderer drops one.
 */
function shownText(body: string): string {
  return body.endsWith("\n") ? body.slice(0, -1) : body;
}

/** Whether the lines of `body` from `from` (a line start) hold nothing that needs a render. */
function plainFrom(body: string, from: number): boolean {
  if (body.includes("\0", from)) return false;
  let start = from;
  while (start <= body.length) {
    let end = body.indexOf("\n", start);
    if (end === -1) end = body.length;
    FENCE_LIKE.lastIndex = start;
    if (FENCE_LIKE.test(body)) return false;
    start = end + 1;
  }
  return true;
}

function lastLineStart(body: string): number {
  return body.lastIndexOf("\n") + 1;
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

export class OpenCode {
  /** Complete lines in the text node being appended to. */
  private lines: number;

  private constructor(
    private readonly head: string,
    private readonly code: Element,
    private text: Text | null,
    private shown: string,
    private scanned: number,
  ) {
    this.lines = countLines(shown);
  }

  /**
   * Follow the block rendered from `raw` (the whole tail source, one open
   * fenced code token) into `nodes`, or null when it cannot grow in place.
   */
  static track(raw: string, nodes: ChildNode[]): OpenCode | null {
    const newline = raw.indexOf("\n");
    if (newline === -1 || !FENCE_START.test(raw) || nodes.length !== 1) return null;
    const block = nodes[0] as ChildNode;
    if (block.nodeType !== Node.ELEMENT_NODE) return null;
    const code = (block as Element).querySelector("pre > code");
    if (!code || code.childNodes.length > 1) return null;
    const first = code.firstChild;
    if (first && first.nodeType !== Node.TEXT_NODE) return null;
    const body = raw.slice(newline + 1);
    if (!plainFrom(body, 0)) return null;
    const shown = shownText(body);
    if ((first?.nodeValue ?? "") !== shown) return null;
    return new OpenCode(raw.slice(0, newline + 1), code, first as Text | null, shown, lastLineStart(body));
  }

  /** Show `rest` if it is this block grown; false when it has to be rendered. */
  grow(rest: string): boolean {
    if (!rest.startsWith(this.head)) return false;
    const body = rest.slice(this.head.length);
    if (body.length < this.scanned || !plainFrom(body, this.scanned)) return false;
    const shown = shownText(body);
    if (shown !== this.shown) {
      if (shown.startsWith(this.shown) && this.text !== null) {
        this.append(shown.slice(this.shown.length));
      } else {
        this.code.replaceChildren();
        this.text = shown === "" ? null : this.code.ownerDocument.createTextNode(shown);
        if (this.text) this.code.append(this.text);
        this.lines = countLines(shown);
      }
      this.shown = shown;
    }
    this.scanned = lastLineStart(body);
    return true;
  }

  /** Append `added` to the last text node, starting a new block at each CHUNK_LINES lines. */
  private append(added: string): void {
    let from = 0;
    while (from < added.length) {
      const text = this.text as Text;
      if (this.lines >= CHUNK_LINES && text.data.endsWith("\n")) {
        const chunk = this.code.ownerDocument.createElement("span");
        chunk.className = CHUNK_CLASS;
        this.text = this.code.ownerDocument.createTextNode("");
        chunk.append(this.text);
        this.code.append(chunk);
        this.lines = 0;
      }
      // Up to the newline that fills this block (or ends its last line), or all of it.
      let end = from;
      let lines = this.lines;
      do {
        const newline = added.indexOf("\n", end);
        if (newline === -1) {
          end = added.length;
          break;
        }
        end = newline + 1;
        lines++;
      } while (lines < CHUNK_LINES);
      (this.text as Text).appendData(added.slice(from, end));
      this.lines = lines;
      from = end;
    }
  }
}
