/**
 * An open fenced code block at the end of a stream, grown in place: while no
 * line of its body could be a fence, new text is appended to the code
 * element's text node instead of lexing, sanitizing and rebuilding the whole
 * block each frame. The DOM is the same as a render of the block (an open
 * fence is not highlighted, so its code is one text node).
 */

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

export class OpenCode {
  private constructor(
    private readonly head: string,
    private readonly code: Element,
    private text: Text | null,
    private shown: string,
    private scanned: number,
  ) {}

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
      if (shown === "") {
        this.text?.remove();
        this.text = null;
      } else if (this.text === null) {
        this.text = this.code.ownerDocument.createTextNode(shown);
        this.code.insertBefore(this.text, this.code.firstChild);
      } else if (shown.startsWith(this.shown)) {
        this.text.appendData(shown.slice(this.shown.length));
      } else {
        this.text.data = shown;
      }
      this.shown = shown;
    }
    this.scanned = lastLineStart(body);
    return true;
  }
}
