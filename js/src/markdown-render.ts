/**
 * Markdown rendered in one go, the way every block of a stream ends up: marked
 * lexes the source into block tokens, each group of tokens (a block and the
 * blank lines after it) renders to HTML, and the HTML becomes DOM through
 * DOMPurify (sanitize.ts), closed code blocks highlighted and given a copy
 * button. Raw HTML in the markdown is shown as text. StreamingMarkdown
 * (markdown.ts) uses these pieces block by block.
 */
import { Marked, type Links, type Token, type Tokens } from "marked";
import { highlightCode, knownLanguage } from "./highlight";
import { highlightedToFragment, sanitizeToFragment } from "./sanitize";

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
  const known = knownLanguage(lang);
  const codeClasses = ["hljs"];
  if (lang) codeClasses.push(`language-${known ?? lang.toLowerCase()}`);
  // Highlighted when its DOM is built (buildNodes), not sanitized as HTML.
  if (closed && known) codeClasses.push(TO_HIGHLIGHT_CLASS);
  const body = escapeHtml(text);
  const wrapperClasses = [CODE_CLASS, closed ? CODE_CLOSED_CLASS : "sse-widget-code-open"];
  const label = lang ? `<span class="sse-widget-code-lang">${escapeHtml(lang)}</span>` : "";
  return (
    `<div class="${wrapperClasses.join(" ")}">${label}` +
    `<pre><code class="${codeClasses.join(" ")}">${body}</code></pre></div>\n`
  );
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

export function lex(source: string, links: Links): Token[] & { links: Links } {
  const lexer = new marked.Lexer(marked.defaults);
  Object.assign(lexer.tokens.links, links);
  return lexer.lex(source);
}

export function renderTokens(tokens: Token[], openTail: boolean): string {
  renderingOpenTail = openTail;
  try {
    return marked.parser(tokens);
  } finally {
    renderingOpenTail = false;
  }
}

/** One rendered block: a content token and the blank lines after it. */
export interface Group {
  tokens: Token[];
  raw: string;
}

export function groupBlocks(tokens: Token[]): Group[] {
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
export function buildNodes(html: string, doc: Document): ChildNode[] {
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

export function normalize(source: string): string {
  return source.replace(/\r\n?/g, "\n");
}
