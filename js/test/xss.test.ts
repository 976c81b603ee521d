/**
 * Untrusted text must never produce active content, rendered whole or
 * streamed in small pieces (every intermediate frame is checked too).
 */
import { describe, expect, it } from "vitest";
import { StreamingMarkdown } from "../src/markdown";
import { renderMarkdown } from "../src/markdown-render";
import { highlightedToFragment, isSafeUrl } from "../src/sanitize";
import { ManualScheduler } from "../src/scheduler";
import { StreamStore } from "../src/store";
import { mountView } from "../src/view";
import { FakeModel } from "./fake-model";

const PAYLOADS: string[] = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '<img src="x" onerror="alert(1)">',
  "[x](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x](data:text/html,<script>alert(1)</script>)",
  "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "<svg onload=alert(1)>",
  "<svg><script>alert(1)</script></svg>",
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  "[x](javascript&#58;alert(1))",
  "[x](&#106;avascript:alert(1))",
  "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
  '<a href="&#x6A;avascript:alert(1)">x</a>',
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
  "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
  "![x](javascript:alert(1))",
  "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
  "![x](data:image/png;base64,iVBORw0KGgo=)",
  "[x](vbscript:msgbox(1))",
  "[x](  javascript:alert(1))",
  '[x](javascript:alert(1) "title")',
  "<javascript:alert(1)>",
  "[x][ref]\n\n[ref]: javascript:alert(1)",
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
  "<details open ontoggle=alert(1)>",
  "<style>@import 'javascript:alert(1)';</style>",
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '[link](https://example.com" onmouseover="alert(1))',
  '![x](https://example.com/a.png" onerror="alert(1))',
  "- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))",
  "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
  "| a |\n|---|\n| <img src=x onerror=alert(1)> |\n| [x](javascript:alert(1)) |",
  "```html\n<script>alert(1)</script>\n```",
  "```\"><img src=x onerror=alert(1)>\ncode\n```",
  "<div\nonclick=alert(1)>text</div>",
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
  "**<img src=x onerror=alert(1)>**",
  "[<img src=x onerror=alert(1)>](https://example.com)",
  "<a href='https://ok.example' onclick='alert(1)'>ok</a>",
];

const FORBIDDEN_TAGS = [
  "script", "iframe", "object", "embed", "frame", "frameset", "form", "base", "meta", "link",
  "style", "svg", "math", "noscript", "template", "textarea", "select", "details",
  // Buttons other than the widget's own (header buttons, code copy buttons).
  "button:not(.sse-widget-button):not(.sse-widget-code-copy):not(.sse-widget-image-load)",
];
const URL_ATTRS = ["href", "src", "xlink:href", "action", "formaction", "srcset", "data", "poster"];

/** A URL is acceptable when it is http(s)/mailto, or has no scheme at all. */
function acceptableUrl(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\u0000-\u0020\u007f-\u00a0]/g, "");
  if (/^(https?|mailto):/i.test(compact)) return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(compact) && !/^&#/i.test(compact);
}

function assertSafe(root: Element | DocumentFragment, context: string): void {
  for (const tag of FORBIDDEN_TAGS) {
    expect([context, tag, root.querySelector(tag)]).toEqual([context, tag, null]);
  }
  for (const el of root.querySelectorAll("*")) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      expect([context, name.startsWith("on")]).toEqual([context, false]);
      expect([context, name === "style" || name === "srcdoc"]).toEqual([context, false]);
      if (el.tagName === "IMG" && name === "src") {
        // Rendering fetches nothing: an image shown at once is a data: image.
        expect([context, attr.value.startsWith("data:image/")]).toEqual([context, true]);
      } else if (URL_ATTRS.includes(name)) {
        expect([context, name, attr.value, acceptableUrl(attr.value)]).toEqual([context, name, attr.value, true]);
      }
    }
  }
  for (const a of root.querySelectorAll("a")) {
    expect([context, a.getAttribute("target")]).toEqual([context, "_blank"]);
    const rel = (a.getAttribute("rel") ?? "").split(/\s+/);
    expect([context, rel.includes("noopener"), rel.includes("noreferrer")]).toEqual([context, true, true]);
  }
}

/** Splits into 1–3 character deltas (deterministic). */
function deltas(text: string, seed: number): string[] {
  const out: string[] = [];
  let state = seed;
  for (let i = 0; i < text.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % 3);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

describe("XSS corpus", () => {
  it("has a substantial corpus", () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(15);
  });

  for (const [i, payload] of PAYLOADS.entries()) {
    it(`payload ${i}: ${JSON.stringify(payload).slice(0, 60)}`, () => {
      // Rendered whole, alone and embedded in surrounding text.
      for (const source of [payload, `Intro text\n\n${payload}\n\nOutro [ok](https://example.com)`]) {
        const root = document.createElement("div");
        root.append(renderMarkdown(source));
        assertSafe(root, `whole ${i}`);
      }

      // Streamed in 1–3 character deltas, checking every frame.
      for (const seed of [1, 7]) {
        const root = document.createElement("div");
        const md = new StreamingMarkdown(root);
        let text = "";
        for (const piece of deltas(`Before\n\n${payload}\n\nAfter`, seed + i)) {
          text += piece;
          md.update(text, true);
          assertSafe(root, `stream ${i}/${seed} at ${text.length}`);
        }
        md.update(text, false);
        assertSafe(root, `final ${i}/${seed}`);
      }
    });
  }

  it("goes through the widget view safely, in markdown and plain modes", () => {
    for (const markdown of [true, false]) {
      const model = new FakeModel({ run_id: 1, status: "idle", markdown });
      const store = new StreamStore(model.asModel()).start();
      const scheduler = new ManualScheduler();
      const el = document.createElement("div");
      const view = mountView({ model: model.asModel(), el, store, scheduler });
      model.set("status", "streaming");
      let seq = 0;
      const all = PAYLOADS.join("\n\n");
      for (const piece of deltas(all, 3)) {
        model.custom({ type: "delta", run: 1, seq: ++seq, text: piece });
        if (seq % 5 === 0) {
          scheduler.flush();
          assertSafe(el, `view markdown=${markdown} seq=${seq}`);
        }
      }
      model.update({ status: "error", text: all, error: "<img src=x onerror=alert(1)>", error_detail: PAYLOADS.join("\n") });
      scheduler.flush();
      assertSafe(el.querySelector(".sse-widget-output")!, `view done markdown=${markdown}`);
      assertSafe(el.querySelector(".sse-widget-header")!, `view header markdown=${markdown}`);
      // The error panel holds text only (in its own p/details/summary/pre).
      const panel = el.querySelector(".sse-widget-error")!;
      const tags = Array.from(panel.querySelectorAll("*"), (node) => node.tagName).sort();
      expect(tags).toEqual(["DETAILS", "P", "PRE", "SUMMARY"]);
      expect(el.querySelector(".sse-widget-error-message")!.textContent).toBe("<img src=x onerror=alert(1)>");
      expect(panel.querySelector("pre")!.textContent).toBe(PAYLOADS.join("\n"));
      if (!markdown) expect(el.querySelector(".sse-widget-plain")!.textContent).toBe(all);
      view.destroy();
      store.dispose();
    }
  });

  it("shows escaped raw HTML as text", () => {
    const root = document.createElement("div");
    root.append(renderMarkdown("<script>alert(1)</script>"));
    expect(root.textContent).toBe("<script>alert(1)</script>");
    const root2 = document.createElement("div");
    root2.append(renderMarkdown("<img src=x onerror=alert(1)>"));
    expect(root2.textContent).toBe("<img src=x onerror=alert(1)>");
  });

  it("keeps safe links and images working", () => {
    const root = document.createElement("div");
    root.append(
      renderMarkdown(
        "[web](https://example.com/a?b=1) [plain](http://example.com) [mail](mailto:a@example.com) " +
          "[rel](./docs/page.html) [frag](#section) www.example.org ![img](https://example.com/i.png)",
      ),
    );
    const hrefs = Array.from(root.querySelectorAll("a")).map((a) => a.getAttribute("href"));
    expect(hrefs).toEqual([
      "https://example.com/a?b=1",
      "http://example.com",
      "mailto:a@example.com",
      "./docs/page.html",
      "#section",
      "http://www.example.org",
    ]);
    for (const a of root.querySelectorAll("a")) {
      expect(a.getAttribute("target")).toBe("_blank");
      expect(a.getAttribute("rel")).toBe("noopener noreferrer");
    }
    // The remote image waits for a click, behind a placeholder.
    expect(root.querySelector("img")).toBeNull();
    const holder = root.querySelector(".sse-widget-image")!;
    expect(holder.getAttribute("data-sse-src")).toBe("https://example.com/i.png");
    expect(holder.textContent).toContain("img");
    expect(holder.textContent).toContain("example.com");
  });

  it("strips unsafe link targets instead of keeping them", () => {
    const root = document.createElement("div");
    root.append(renderMarkdown("[x](javascript:alert(1)) ![y](javascript:alert(1)) ![z](data:text/html,x)"));
    expect(root.querySelector("a")!.hasAttribute("href")).toBe(false);
    expect(Array.from(root.querySelectorAll("img"), (img) => img.hasAttribute("src"))).toEqual([false, false]);
    expect(root.querySelector(".sse-widget-image")).toBeNull();
  });
});

describe("highlighted code", () => {
  it("keeps highlight.js's spans and the payloads as text, in every language", () => {
    for (const lang of ["xml", "html", "javascript", "python", "markdown"]) {
      const source = "````" + lang + "\n" + PAYLOADS.join("\n") + "\n````";
      const root = document.createElement("div");
      root.append(renderMarkdown(source));
      assertSafe(root, `highlighted ${lang}`);
      const code = root.querySelector("pre > code")!;
      expect([lang, code.textContent]).toEqual([lang, PAYLOADS.join("\n")]);
      expect([lang, code.className]).toEqual([lang, `hljs language-${lang}`]);
      if (lang !== "markdown") expect([lang, code.querySelector("span[class^=hljs-]") !== null]).toEqual([lang, true]);
    }
  });

  it("sanitizes anything but text and highlight spans like any other HTML", () => {
    const kept = highlightedToFragment('<span class="hljs-keyword">def</span> f &lt;b&gt;');
    expect(kept.querySelector("span")!.className).toBe("hljs-keyword");
    expect(kept.textContent).toBe("def f <b>");
    for (const html of [
      '<span class="hljs-string"><img src=x onerror=alert(1)></span>',
      '<span class="hljs-string" onclick="alert(1)">x</span>',
      '<span class="hljs-string" style="background:url(https://example.com/x)">x</span>',
      "<script>alert(1)</script>",
      '<a href="javascript:alert(1)">x</a>',
    ]) {
      const fragment = highlightedToFragment(html);
      assertSafe(fragment, html);
      expect([html, fragment.querySelector("img[src], script, [onclick], [style]")]).toEqual([html, null]);
    }
    const classes = highlightedToFragment('<span class="attacker hljs-title">x</span>').querySelector("span")!;
    expect(classes.className).toBe("hljs-title");
  });
});

describe("isSafeUrl", () => {
  it("accepts http(s), mailto and relative URLs only", () => {
    for (const ok of ["https://a.b", "http://a.b/c", "HTTPS://A.B", "mailto:x@y.z", "/p", "./p", "../p", "p.html", "#f", "?q=1", ""]) {
      expect([ok, isSafeUrl(ok)]).toEqual([ok, true]);
    }
    for (const bad of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "\u0000javascript:alert(1)",
      "vbscript:x",
      "data:text/html,x",
      "data:image/png;base64,AAAA",
      "file:///etc/passwd",
      "ftp://x",
      "blob:https://x/y",
    ]) {
      expect([bad, isSafeUrl(bad)]).toEqual([bad, false]);
    }
  });
});
