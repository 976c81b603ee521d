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
 * Each block is rendered as markdown-render.ts renders a whole document (so
 * through DOMPurify); the open tail shows what open-tail.ts makes of it, and
 * an open code fence grows in place (open-code.ts).
 */
import type { Links, Token, Tokens } from "marked";
import {
  buildNodes, groupBlocks, isClosedCode, lex, normalize, renderTokens, type Group,
} from "./markdown-render";
import { OpenCode } from "./open-code";
import { showOpenTail } from "./open-tail";

interface FrozenBlock {
  raw: string;
  nodes: ChildNode[];
}

/** A rendered open-tail block: its HTML (null: adopted, unknown) and nodes. */
interface TailBlock {
  html: string | null;
  nodes: ChildNode[];
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
