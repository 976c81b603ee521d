/**
 * Streaming-safe markdown rendering.
 *
 * The source is split into block tokens with marked's lexer. A block is
 * finished once another block follows it (and the first line of that block is
 * complete); finished blocks are rendered once and their DOM nodes are kept.
 * Only the open tail block is rendered again when more text arrives. When the
 * stream ends the whole source is lexed once more and the frozen blocks are
 * checked against it, so the final DOM is the same as a one-shot render.
 *
 * Raw HTML in the markdown is shown as text, and every HTML string produced by
 * marked goes through DOMPurify; highlight.js's spans are checked to be only
 * that (see sanitize.ts).
 */
import { Marked, type Links, type Token, type Tokens } from "marked";
import { highlightCode, knownLanguage } from "./highlight";
import { OpenCode } from "./open-code";
import { highlightedToFragment, sanitizeToFragment } from "./sanitize";
import { showTableTail } from "./table-tail";

const CODE_CLASS = "sse-widget-code";
const CODE_CLOSED_CLASS = "sse-widget-code-closed";
/** Marks, between rendering and building the DOM, a code element to highlight. */
const TO_HIGHLIGHT_CLASS = "sse-widget-to-highlight";
export const CODE_COPY_CLASS = "sse-widget-code-copy";

/** Rendering context for the renderer callbacks (rendering is synchronous). */
let renderingOpenTail = false;

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** Whether a fenced code token has its closing fence (indented code: true). */
export function isClosedCode(token: Pick<Tokens.Code, "raw" | "codeBlockStyle">): boolean {
  if (token.codeBlockStyle === "indented") return true;
  const open = FENCE_OPEN.exec(token.raw);
  if (!open || open[1] === undefined) return true;
  const lines = token.raw.replace(/\n+$/, "").split("\n");
  if (lines.length < 2) return false;
  const close = FENCE_CLOSE.exec(lines[lines.length - 1] ?? "");
  if (!close || close[1] === undefined) return false;
  return close[1][0] === open[1][0] && close[1].length >= open[1].length;
}

function renderCode(token: Tokens.Code): string {
  const info = (token.lang ?? "").trim().split(/\s+/)[0] ?? "";
  const lang = /^[\w+#.-]{1,40}$/.test(info) ? info : "";
  const closed =
    token.codeBlockStyle === "indented" ? !renderingOpenTail : isClosedCode(token) || !renderingOpenTail;
  const text = token.text.replace(/\n$/, "");
  const codeClasses = ["hljs"];
  if (lang) codeClasses.push(`language-${knownLanguage(lang) ?? lang.toLowerCase()}`);
  // Highlighted when its DOM is built (buildNodes), not sanitized as HTML.
  if (closed && knownLanguage(lang)) codeClasses.push(TO_HIGHLIGHT_CLASS);
  const body = escapeHtml(text);
  const wrapperClasses = [CODE_CLASS, closed ? CODE_CLOSED_CLASS : "sse-widget-code-open"];
  const label = lang ? `<span class="sse-widget-code-lang">${escapeHtml(lang)}</span>` : "";
  return (
    `<div class="${wrapperClasses.join(" ")}">${label}` +
    `<pre><code class="${codeClasses.join(" ")}">${body}</code></pre></div>\n`
  );
}

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

function createMarked(): Marked {
  return new Marked({
    async: false,
    gfm: true,
    breaks: false,
    renderer: {
      // Raw HTML in the markdown is untrusted: show it as text.
      html(token: Tokens.HTML | Tokens.Tag): string {
        const text = escapeHtml(token.text);
        return token.block ? `<p class="sse-widget-raw-html">${text.replace(/\n+$/, "")}</p>\n` : text;
      },
      code(token: Tokens.Code): string {
        return renderCode(token);
      },
    },
  });
}

const marked = createMarked();

function lex(source: string, links: Links): Token[] & { links: Links } {
  const lexer = new marked.Lexer(marked.defaults);
  Object.assign(lexer.tokens.links, links);
  return lexer.lex(source);
}

function renderTokens(tokens: Token[], openTail: boolean): string {
  renderingOpenTail = openTail;
  try {
    return marked.parser(tokens);
  } finally {
    renderingOpenTail = false;
  }
}

/** One rendered block: a content token and the blank lines after it. */
interface Group {
  tokens: Token[];
  raw: string;
}

function groupBlocks(tokens: Token[]): Group[] {
  const groups: Group[] = [];
  let leading: Token[] = [];
  for (const token of tokens) {
    const last = groups[groups.length - 1];
    if (token.type === "space") {
      if (last) {
        last.tokens.push(token);
        last.raw += token.raw;
      } else {
        leading.push(token);
      }
      continue;
    }
    const group: Group = { tokens: [...leading, token], raw: "" };
    group.raw = group.tokens.map((t) => t.raw).join("");
    leading = [];
    groups.push(group);
  }
  if (leading.length > 0) {
    groups.push({ tokens: leading, raw: leading.map((t) => t.raw).join("") });
  }
  return groups;
}

function isBlankText(node: Node): boolean {
  return node.nodeType === Node.TEXT_NODE && (node.nodeValue ?? "").trim() === "";
}

/** Put highlight.js's spans into each closed code block of a known language. */
function highlightBlocks(fragment: DocumentFragment, doc: Document): void {
  for (const code of Array.from(fragment.querySelectorAll(`code.${TO_HIGHLIGHT_CLASS}`))) {
    code.classList.remove(TO_HIGHLIGHT_CLASS);
    const lang = Array.from(code.classList).find((name) => name.startsWith("language-"))?.slice("language-".length);
    const highlighted = lang ? highlightCode(code.textContent ?? "", lang) : null;
    if (highlighted !== null) code.replaceChildren(highlightedToFragment(highlighted, doc));
  }
}

/** Sanitized DOM for an HTML string, code highlighted and with copy buttons added. */
function buildNodes(html: string, doc: Document): ChildNode[] {
  const fragment = sanitizeToFragment(html, doc);
  highlightBlocks(fragment, doc);
  for (const block of fragment.querySelectorAll(`.${CODE_CLOSED_CLASS}`)) {
    const button = doc.createElement("button");
    button.type = "button";
    button.className = CODE_COPY_CLASS;
    button.append("Copy");
    const hidden = doc.createElement("span");
    hidden.className = "sse-widget-sr-only";
    hidden.textContent = " code";
    button.append(hidden);
    block.insertBefore(button, block.firstChild);
  }
  return Array.from(fragment.childNodes).filter((node) => !isBlankText(node));
}

/** Render a whole markdown document at once (sanitized). */
export function renderMarkdown(source: string, doc: Document = document): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  const text = normalize(source);
  fragment.append(...buildNodes(renderTokens(lex(text, Object.create(null)), false), doc));
  return fragment;
}

function normalize(source: string): string {
  return source.replace(/\r\n?/g, "\n");
}

interface FrozenBlock {
  raw: string;
  nodes: ChildNode[];
}

/** A rendered open-tail block: its HTML (null: adopted, unknown) and nodes. */
interface TailBlock {
  html: string | null;
  nodes: ChildNode[];
}

/** What the open tail shows while streaming: tables from the header on, open inline marks closed. */
function showOpenTail(rest: string): string {
  const table = showTableTail(rest, endsInOpenFence);
  return table === rest ? closeOpenInline(rest) : table;
}

export class StreamingMarkdown {
  readonly root: HTMLElement;
  private readonly doc: Document;
  private frozen: FrozenBlock[] = [];
  private frozenLength = 0;
  private tail: TailBlock[] = [];
  private openCode: OpenCode | null = null;
  private links: Links = Object.create(null);
  private source = "";
  private streaming = false;
  private rendered = false;
  /** Number of blocks sanitized into DOM so far (for tests and diagnostics). */
  renderCount = 0;

  constructor(root: HTMLElement) {
    this.root = root;
    this.doc = root.ownerDocument;
  }

  get frozenBlockCount(): number {
    return this.frozen.length;
  }

  /** Top-level nodes of the frozen blocks, in order. */
  get frozenNodes(): ChildNode[] {
    return this.frozen.flatMap((block) => block.nodes);
  }

  private get tailNodes(): ChildNode[] {
    return this.tail.flatMap((block) => block.nodes);
  }

  /** The last rendered top-level node, or null when nothing is rendered. */
  lastNode(): ChildNode | null {
    for (const blocks of [this.tail, this.frozen]) {
      for (let i = blocks.length - 1; i >= 0; i--) {
        const nodes = (blocks[i] as TailBlock | FrozenBlock).nodes;
        const last = nodes[nodes.length - 1];
        if (last) return last;
      }
    }
    return null;
  }

  /**
   * Take over what `root` already holds as the finished render of `source`
   * (a copy of another view's DOM), so that it is not rendered again.
   */
  adopt(rawSource: string): void {
    this.frozen = [];
    this.frozenLength = 0;
    this.links = Object.create(null);
    this.tail = [{ html: null, nodes: Array.from(this.root.childNodes) }];
    this.openCode = null;
    this.source = normalize(rawSource);
    this.streaming = false;
    this.rendered = true;
  }

  /** Remove everything rendered. */
  reset(): void {
    for (const node of [...this.frozenNodes, ...this.tailNodes]) node.remove();
    this.frozen = [];
    this.frozenLength = 0;
    this.tail = [];
    this.openCode = null;
    this.links = Object.create(null);
    this.source = "";
    this.rendered = false;
  }

  /**
   * Show `source`. `streaming` is true while more text may still be appended:
   * the last block is then treated as open (an unclosed fence is not
   * highlighted). Returns false when nothing had to change.
   */
  update(rawSource: string, streaming: boolean): boolean {
    const source = normalize(rawSource);
    if (this.rendered && source === this.source && streaming === this.streaming) return false;
    if (!source.startsWith(this.source.slice(0, this.frozenLength))) this.reset();
    const wasStreaming = this.streaming;
    this.source = source;
    this.streaming = streaming;
    this.rendered = true;
    const rest = source.slice(this.frozenLength);
    if (streaming && this.openCode?.grow(rest)) return true;
    this.openCode = null;

    if (!streaming && (wasStreaming || this.frozen.length > 0)) {
      // The stream is over: make sure the frozen blocks match a full parse.
      const tokens = lex(source, Object.create(null));
      if (!this.matchesFullParse(tokens)) {
        this.reset();
        this.source = source;
        this.rendered = true;
        this.renderRest(source, tokens, false);
        return true;
      }
    }
    // The display changes go on the last block only, which is never frozen while streaming.
    const shown = streaming ? showOpenTail(rest) : rest;
    this.renderRest(shown, lex(shown, this.links), streaming);
    return true;
  }

  private matchesFullParse(tokens: Token[] & { links: Links }): boolean {
    if (Object.keys(tokens.links).length > Object.keys(this.links).length) return false;
    const groups = groupBlocks(tokens);
    if (groups.length < this.frozen.length) return false;
    return this.frozen.every((block, i) => groups[i]?.raw === block.raw);
  }

  /**
   * Render `rest` (the source after the frozen blocks), lexed into `tokens`.
   * A block whose HTML is what the open tail already shows keeps its nodes.
   */
  private renderRest(rest: string, tokens: Token[], streaming: boolean): void {
    const groups = groupBlocks(tokens);
    let offset = 0;
    let frozenCount = 0;
    for (; frozenCount < groups.length - 1; frozenCount++) {
      const group = groups[frozenCount] as Group;
      if (!rest.startsWith(group.raw, offset)) break;
      const nextStart = offset + group.raw.length;
      // The next block's first line must be complete: a partial line can still
      // turn out to continue this block.
      if (streaming && rest.indexOf("\n", nextStart) === -1) break;
      offset = nextStart;
    }
    this.frozenLength += offset;

    const previous = this.tail;
    const blocks: TailBlock[] = [];
    let kept = 0;
    for (const [i, group] of groups.entries()) {
      const html = renderTokens(group.tokens, streaming && i >= frozenCount);
      if (kept === i && previous[i]?.html === html) {
        blocks.push(previous[i] as TailBlock);
        kept++;
        continue;
      }
      if (kept === i) for (const block of previous.slice(i)) for (const node of block.nodes) node.remove();
      this.renderCount++;
      const nodes = buildNodes(html, this.doc);
      this.root.append(...nodes);
      blocks.push({ html, nodes });
    }
    if (kept === groups.length) for (const block of previous.slice(kept)) for (const node of block.nodes) node.remove();

    for (const [i, group] of groups.slice(0, frozenCount).entries()) {
      this.frozen.push({ raw: group.raw, nodes: (blocks[i] as TailBlock).nodes });
      this.learnLinks(group);
    }
    this.tail = blocks.slice(frozenCount);
    const last = groups[groups.length - 1];
    const open = last?.tokens.length === 1 ? (last.tokens[0] as Token) : null;
    if (
      streaming &&
      this.tail.length === 1 &&
      open?.type === "code" &&
      !isClosedCode(open as Tokens.Code) &&
      rest.length - offset === open.raw.length
    ) {
      this.openCode = OpenCode.track(open.raw, (this.tail[0] as TailBlock).nodes);
    }
  }

  private learnLinks(group: Group): void {
    for (const token of group.tokens) {
      if (token.type === "def") {
        const def = token as Tokens.Def;
        if (!(def.tag in this.links)) this.links[def.tag] = { href: def.href, title: def.title };
      }
    }
  }
}
