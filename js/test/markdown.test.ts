import { describe, expect, it } from "vitest";
import { StreamingMarkdown } from "../src/markdown";
import { renderMarkdown } from "../src/markdown-render";
import { CHUNK_LINES } from "../src/open-code";

function host(): HTMLElement {
  return document.createElement("div");
}

function html(fragment: DocumentFragment): string {
  const div = document.createElement("div");
  div.append(fragment);
  return div.innerHTML;
}

/** Feed `source` in pieces of 1..maxChunk characters (deterministic). */
function* chunks(source: string, maxChunk: number, seed = 1): Generator<string> {
  let state = seed;
  let i = 0;
  while (i < source.length) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % maxChunk);
    i = Math.min(source.length, i + size);
    yield source.slice(0, i);
  }
}

describe("StreamingMarkdown", () => {
  it("keeps frozen blocks (node identity) and re-renders only the tail", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    md.update("First paragraph.\n\nSecond", true);
    // The second block's first line is not complete yet: nothing frozen.
    expect(md.frozenBlockCount).toBe(0);
    md.update("First paragraph.\n\nSecond paragraph\n", true);
    expect(md.frozenBlockCount).toBe(1);
    const first = root.querySelector("p")!;
    expect(first.textContent).toBe("First paragraph.");
    const countAfterFirst = md.renderCount;

    md.update("First paragraph.\n\nSecond paragraph\ngoes on", true);
    expect(root.querySelector("p")).toBe(first);
    expect(md.renderCount).toBe(countAfterFirst + 1); // the tail only
    expect(root.querySelectorAll("p")[1]!.textContent).toBe("Second paragraph\ngoes on");

    md.update("First paragraph.\n\nSecond paragraph\ngoes on.\n\n# Heading\n", true);
    expect(md.frozenBlockCount).toBe(2);
    const [p1, p2] = root.querySelectorAll("p");
    expect(p1).toBe(first);
    expect(p2!.textContent).toBe("Second paragraph\ngoes on.");

    md.update("First paragraph.\n\nSecond paragraph\ngoes on.\n\n# Heading\n\nMore", false);
    const ps = root.querySelectorAll("p");
    expect(ps[0]).toBe(first);
    expect(ps[1]).toBe(p2);
    expect(root.querySelector("h1")!.textContent).toBe("Heading");
    expect(ps[2]!.textContent).toBe("More");
    expect(root.children).toHaveLength(4);
  });

  it("does nothing when neither text nor streaming state changed", () => {
    const md = new StreamingMarkdown(host());
    expect(md.update("a\n\nb", true)).toBe(true);
    const count = md.renderCount;
    expect(md.update("a\n\nb", true)).toBe(false);
    expect(md.renderCount).toBe(count);
  });

  it("waits for the next block's first line before freezing", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    md.update("- item\n---", true); // "---" may still become "---x"
    expect(md.frozenBlockCount).toBe(0);
    md.update("- item\n---x", true);
    expect(md.frozenBlockCount).toBe(0);
    expect(root.querySelector("hr")).toBeNull();
  });

  it("renders an unclosed fence as code while streaming, highlighted once closed", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    md.update("Intro\n\n```python\ndef f(x):\n    return x", true);
    const code = root.querySelector("pre > code")!;
    expect(code).not.toBeNull();
    expect(code.textContent).toBe("def f(x):\n    return x");
    expect(code.querySelector("span")).toBeNull(); // not highlighted yet
    expect(root.querySelector(".sse-widget-code-open")).not.toBeNull();
    expect(root.querySelector(".sse-widget-code-copy")).toBeNull();

    md.update("Intro\n\n```python\ndef f(x):\n    return x\n```", true);
    const closed = root.querySelector(".sse-widget-code-closed")!;
    expect(closed).not.toBeNull();
    expect(closed.querySelector("code")!.textContent).toBe("def f(x):\n    return x");
    expect(closed.querySelector("code .hljs-keyword")!.textContent).toBe("def");
    expect(closed.querySelector("code")!.classList.contains("language-python")).toBe(true);
    expect(closed.querySelector(".sse-widget-code-copy")).not.toBeNull();
  });

  it("does not highlight unknown languages and keeps the code as text", () => {
    const root = host();
    root.append(renderMarkdown("```brainfck\n<b>+++</b>\n```"));
    const code = root.querySelector("pre > code")!;
    expect(code.textContent).toBe("<b>+++</b>");
    expect(code.querySelector("*")).toBeNull();
  });

  it("highlights common language aliases", () => {
    for (const [lang, expected] of [
      ["py", "hljs-keyword"],
      ["js", "hljs-keyword"],
      ["ts", "hljs-keyword"],
      ["sh", "hljs-built_in"],
      ["json", "hljs-attr"],
      ["sql", "hljs-keyword"],
      ["html", "hljs-tag"],
      ["yaml", "hljs-attr"],
      ["css", "hljs-selector-tag"],
    ] as const) {
      const samples: Record<string, string> = {
        py: "import os",
        js: "const a = 1;",
        ts: "let a: number = 1;",
        sh: "echo hi",
        json: '{"a": 1}',
        sql: "SELECT 1",
        html: "<p>x</p>",
        yaml: "a: 1",
        css: "p { color: red; }",
      };
      const root = host();
      root.append(renderMarkdown(`\`\`\`${lang}\n${samples[lang]}\n\`\`\``));
      expect([lang, root.querySelector(`.${expected}`) !== null]).toEqual([lang, true]);
    }
  });

  it("keeps one list when items arrive across blank lines", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    const source = "Steps:\n\n- one\n- two\n\n- three\n\nDone.";
    for (const partial of chunks(source, 3)) md.update(partial, true);
    md.update(source, false);
    expect(root.querySelectorAll("ul")).toHaveLength(1);
    expect(root.querySelectorAll("li")).toHaveLength(3);
    expect(root.lastElementChild!.outerHTML).toBe("<p>Done.</p>");
  });

  it("shows raw HTML as text", () => {
    const root = host();
    root.append(renderMarkdown('<div class="x">hi</div>\n\nInline <b>bold</b> tag'));
    expect(root.querySelector("div.x")).toBeNull();
    expect(root.querySelector("b")).toBeNull();
    expect(root.textContent).toContain('<div class="x">hi</div>');
    expect(root.textContent).toContain("Inline <b>bold</b> tag");
  });

  it("resolves a reference link defined after its use once the stream ends", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    const source = "See [the docs][d].\n\nMore text.\n\n[d]: https://example.com/docs";
    for (const partial of chunks(source, 2)) md.update(partial, true);
    md.update(source, false);
    const a = root.querySelector("a")!;
    expect(a.getAttribute("href")).toBe("https://example.com/docs");
  });

  it("starts over when the text is replaced rather than extended", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    md.update("Alpha\n\nBeta\n\nGamma\n", true);
    expect(md.frozenBlockCount).toBe(2);
    md.update("Other\n\ntext", true);
    expect(root.textContent).toBe("Othertext");
    md.update("", false);
    expect(root.childNodes).toHaveLength(0);
  });

  it("streamed rendering ends identical to a one-shot render", () => {
    const docs = [
      "# Title\n\nSome *emphasis* and **strong** text with `code`.\n\n## Sub\n\n1. first\n2. second\n   - nested\n   - items\n3. third\n\n> quote\n> continued\n\n---\n\nThe end.",
      "Setext\n======\n\nPara\nwith lazy\nlines\n\n    indented code\n    more\n\nAfter",
      "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |\n\nText after table",
      "```js\nconst x = `template`;\n```\n\n~~~\ntilde fence\n~~~\n\n````md\n```\nnested\n```\n````\n",
      "- [ ] task\n- [x] done\n\n* other bullet\n* list\n\nFinal www.example.com link and <https://example.org>.",
      "Line one  \nhard break\n\n- item\n\n  continued para in item\n\n- item two\n\nOutside\n\n[ref]: https://example.com\n\nUse [ref].",
      "Text\n```\nfence right after paragraph\n```\nand text right after fence",
    ];
    for (const [i, source] of docs.entries()) {
      for (const max of [1, 3, 7]) {
        const streamed = host();
        const md = new StreamingMarkdown(streamed);
        for (const partial of chunks(source, max, i + max)) md.update(partial, true);
        md.update(source, false);
        const oneShot = host();
        oneShot.append(renderMarkdown(source));
        expect([i, max, streamed.innerHTML]).toEqual([i, max, oneShot.innerHTML]);
      }
    }
  });

  it("freezes blocks while streaming long text", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph number ${i} with some words.`);
    const source = paragraphs.join("\n\n");
    let updates = 0;
    for (const partial of chunks(source, 5)) {
      md.update(partial, true);
      updates++;
    }
    // The last paragraph's line is still open, so the one before it stays open too.
    expect(md.frozenBlockCount).toBe(38);
    // A finished block keeps the nodes it had as the open tail: at most one
    // block is sanitized per update.
    expect(md.renderCount).toBeLessThanOrEqual(updates);
    md.update(source, false);
    expect(md.frozenBlockCount).toBe(39);
    expect(root.querySelectorAll("p")).toHaveLength(40);
  });
});

/** What a fresh view shows for `source` in one update (no history). */
function oneUpdate(source: string, streaming: boolean): string {
  const root = host();
  new StreamingMarkdown(root).update(source, streaming);
  return root.innerHTML;
}

const SPLIT_DOCS = [
  "Intro line.\n\n```python\ndef f(x):\n    return x < 1 and '<b>'\n\n\n# comment\n``\n```\n\nAfter the code.\n",
  "Table:\n\n| a | b \\| c |\n|:--|--:|\n| 1 | **2** |\n| `3` | 4 |\n\nText after.",
  "| only | header |\n\nplain | pipes | here\n\n~~~\n| not | a table |\n~~~\n",
  "```\nopen fence with <tags> & ~~~ inside\n  ```  \n",
];

describe("StreamingMarkdown split at every position", () => {
  it("shows each prefix as a fresh render of it would, and ends as a one-shot render", { timeout: 120_000 }, () => {
    for (const [i, source] of SPLIT_DOCS.entries()) {
      const root = host();
      const md = new StreamingMarkdown(root);
      for (let end = 0; end <= source.length; end++) {
        const prefix = source.slice(0, end);
        md.update(prefix, true);
        expect([i, end, root.innerHTML]).toEqual([i, end, oneUpdate(prefix, true)]);
      }
      md.update(source, false);
      expect([i, root.innerHTML]).toEqual([i, html(renderMarkdown(source))]);
    }
  });

  it("ends as a one-shot render from any single split point", { timeout: 120_000 }, () => {
    for (const [i, source] of SPLIT_DOCS.entries()) {
      for (let cut = 0; cut <= source.length; cut++) {
        const root = host();
        const md = new StreamingMarkdown(root);
        md.update(source.slice(0, cut), true);
        md.update(source, true);
        md.update(source, false);
        expect([i, cut, root.innerHTML]).toEqual([i, cut, html(renderMarkdown(source))]);
      }
    }
  });
});

describe("an open code fence", () => {
  it("grows in place: the same text node, nothing sanitized again", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    let source = "```python\n";
    md.update(source, true);
    const code = root.querySelector("pre > code")!;
    const count = md.renderCount;
    let text: Node | null = null;
    for (let i = 0; i < 200; i++) {
      source += `x_${i} = ${i}  # <i>\n`;
      md.update(source, true);
      text ??= code.firstChild;
      expect(code.firstChild).toBe(text);
    }
    expect(md.renderCount).toBe(count);
    expect(root.querySelector("pre > code")).toBe(code);
    expect(code.textContent).toBe(source.slice("```python\n".length, -1));
    // Laid out in blocks of CHUNK_LINES lines: the first as rendered, the rest in chunks.
    const chunks = [...code.querySelectorAll(":scope > span.sse-widget-code-chunk")];
    expect(chunks).toHaveLength(Math.ceil(200 / CHUNK_LINES) - 1);
    expect(chunks.every((chunk) => chunk.childNodes.length === 1)).toBe(true);
    expect(chunks.slice(0, -1).map((chunk) => chunk.textContent!.split("\n").length - 1)).toEqual(
      chunks.slice(0, -1).map(() => CHUNK_LINES),
    );
    md.update(source + "```", true);
    expect(root.querySelector(".sse-widget-code-closed code .hljs-comment")).not.toBeNull();
    md.update(source + "```", false);
    expect(root.innerHTML).toBe(html(renderMarkdown(source + "```")));
  });

  it("keeps its text exact when deltas carry many lines or split them anywhere", () => {
    const lines = Array.from({ length: 3 * CHUNK_LINES + 7 }, (_, i) => `row_${i} = "${"~".repeat(i % 3)}${i}"`);
    const full = "```\n" + lines.join("\n") + "\n";
    for (const step of [1, 7, 333, full.length]) {
      const root = host();
      const md = new StreamingMarkdown(root);
      md.update("```\nrow", true);
      for (let end = 8; end < full.length; end += step) {
        md.update(full.slice(0, end), true);
        const code = root.querySelector("pre > code")!;
        // A render shows the body without its one final newline.
        const body = full.slice("```\n".length, end);
        expect([step, end, code.textContent]).toEqual([step, end, body.endsWith("\n") ? body.slice(0, -1) : body]);
      }
      md.update(full + "```", false);
      expect([step, root.innerHTML]).toEqual([step, html(renderMarkdown(full + "```"))]);
    }
  });
});

describe("a streaming table", () => {
  it("is a table from its header row on, with the completed rows", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    md.update("Data:\n\n| name | size |\n", true);
    expect([...root.querySelectorAll("table th")].map((th) => th.textContent)).toEqual(["name", "size"]);
    md.update("Data:\n\n| name | size |\n|--", true);
    expect(root.querySelectorAll("table th")).toHaveLength(2);
    md.update("Data:\n\n| name | size |\n|---|---|\n| a | 1 |\n| b", true);
    expect([...root.querySelectorAll("table tbody td")].map((td) => td.textContent)).toEqual(["a", "1"]);
    expect(root.textContent).not.toContain("|");
    md.update("Data:\n\n| name | size |\n|---|---|\n| a | 1 |\n| b | 2 |\n", true);
    expect(root.querySelectorAll("table tbody tr")).toHaveLength(2);
    md.update("Data:\n\n| name | size |\n|---|---|\n| a | 1 |\n| b | 2 |", false);
    expect(root.innerHTML).toBe(html(renderMarkdown("Data:\n\n| name | size |\n|---|---|\n| a | 1 |\n| b | 2 |")));
  });

  it("is no table inside a code fence or before its header row ends", () => {
    expect(oneUpdate("| a | b", true)).not.toContain("<table");
    expect(oneUpdate("```\n| a | b |\n", true)).not.toContain("<table");
    expect(oneUpdate("| a | b |\nnot a delimiter", true)).not.toContain("<table");
  });
});

describe("an open ** or backtick while streaming", () => {
  it("shows bold and code while streaming, and the raw source's render at the end", () => {
    const root = host();
    const md = new StreamingMarkdown(root);
    md.update("Some **bold te", true);
    expect(root.querySelector("strong")?.textContent).toBe("bold te");
    expect(root.textContent).not.toContain("*");
    md.update("Some **bold text** and `co", true);
    expect(root.querySelector("code")?.textContent).toBe("co");
    // Not closed when the stream ends: shown as the author wrote it.
    md.update("Some **bold text** and **never closed", false);
    expect(root.querySelectorAll("strong")).toHaveLength(1);
    expect(root.textContent).toContain("**never closed");
    expect(root.innerHTML).toBe(html(renderMarkdown("Some **bold text** and **never closed")));
  });
});
