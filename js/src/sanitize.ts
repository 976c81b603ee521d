/**
 * The one place HTML strings become DOM. Everything rendered from streamed
 * (untrusted) text goes through DOMPurify with a strict allow list, and comes
 * back as a DocumentFragment, so no unsanitized string reaches a live
 * document. The one shortcut is highlight.js's output for a code block
 * (`highlightedToFragment`): it is parsed inert and kept only if it is nothing
 * but text and `span class="hljs-…"`, which is all highlight.js makes (it
 * escapes the code's text); anything else goes through DOMPurify like the rest.
 * Walking thousands of spans through DOMPurify was most of a long block's
 * render.
 *
 * The result runs no script and makes no network request: the allow list has
 * no tag or attribute that fetches (no style, srcset, poster, background,
 * link, media, SVG, object/embed/iframe), only `a[href]` keeps a URL, and a
 * remote `img` leaves here as a placeholder (see images.ts) that loads only
 * when the user asks. `data:` images stay inline.
 */
import DOMPurify, { type Config, type DOMPurify as Purifier } from "dompurify";
import { IMAGE_SOURCE_ATTR, isInlineImageUrl, placeholdImages } from "./images";

/** Tags the markdown renderer and highlight.js produce; nothing else survives. */
const ALLOWED_TAGS = [
  "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5",
  "h6", "hr", "i", "img", "input", "kbd", "li", "ol", "p", "pre", "s", "span", "strong",
  "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
];

const ALLOWED_ATTR = [
  "align", "alt", "checked", "class", "disabled", "href", "src", "start", "title", "type",
];

/** http(s), mailto, or a URL without a scheme (relative, fragment, query). */
const ALLOWED_URI_REGEXP = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
/** Attributes that can make the browser fetch or navigate, whatever the tag. */
const URL_ATTRIBUTES = [
  "href", "src", "xlink:href", "action", "formaction", "srcset", "poster", "background",
  "data", "ping", "lowsrc", "dynsrc", "longdesc", "cite", "style",
];
/** Class names the renderer and highlight.js give; any other class is dropped. */
const OWN_CLASS = /^(?:sse-widget-[\w-]+|hljs(?:-[\w-]+)?|language-[\w+#.-]+|[\w-]+_)$/;
/** Characters browsers drop from or around URLs before reading the scheme. */
// eslint-disable-next-line no-control-regex
const URL_IGNORED = /[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g;

/**
 * True for http:, https: and mailto: URLs and for relative or fragment URLs.
 * The URL is resolved the way a browser would, so obfuscated schemes
 * ("JaVaScRiPt:", "java\tscript:", leading spaces) are caught.
 */
export function isSafeUrl(value: string): boolean {
  const compact = value.replace(URL_IGNORED, "");
  if (compact === "") return true;
  let url: URL;
  try {
    url = new URL(value, "http://relative.invalid/");
  } catch {
    return false;
  }
  return SAFE_PROTOCOLS.has(url.protocol) && ALLOWED_URI_REGEXP.test(compact);
}

const CONFIG: Config & { RETURN_DOM_FRAGMENT: true } = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOWED_URI_REGEXP,
  RETURN_DOM_FRAGMENT: true,
};

/** What an element may keep of `name`'s URL `value`: itself, or null (drop it). */
function keptUrl(tag: string, name: string, value: string): string | null {
  if (tag === "a" && name === "href") return isSafeUrl(value) ? value : null;
  if (tag === "img" && name === "src" && isInlineImageUrl(value)) return value;
  return null;
}

function enforceUrlPolicy(node: Element): void {
  const tag = node.tagName.toLowerCase();
  const remoteImage = tag === "img" ? node.getAttribute("src") : null;
  for (const name of URL_ATTRIBUTES) {
    const value = node.getAttribute(name);
    if (value !== null && keptUrl(tag, name, value) === null) node.removeAttribute(name);
  }
  // A remote image keeps its URL where the browser does not fetch it.
  if (remoteImage !== null && !node.hasAttribute("src") && isSafeUrl(remoteImage) && remoteImage.trim() !== "") {
    node.setAttribute(IMAGE_SOURCE_ATTR, remoteImage);
  }
  const classes = node.getAttribute("class");
  if (classes !== null) {
    const own = classes.split(/\s+/).filter((name) => OWN_CLASS.test(name));
    if (own.length > 0) node.setAttribute("class", own.join(" "));
    else node.removeAttribute("class");
  }
  if (tag === "a") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  } else if (tag === "img") {
    node.setAttribute("referrerpolicy", "no-referrer");
  } else if (tag === "input") {
    // Only the read-only task list checkboxes marked produces.
    node.setAttribute("type", "checkbox");
    node.setAttribute("disabled", "");
  }
}

const purifiers = new WeakMap<object, Purifier>();

function purifierFor(doc: Document): Purifier {
  const win = doc.defaultView;
  if (!win) throw new Error("sse-widget: cannot sanitize without a window");
  let purifier = purifiers.get(win);
  if (!purifier) {
    purifier = DOMPurify(win);
    purifier.addHook("afterSanitizeAttributes", enforceUrlPolicy);
    purifiers.set(win, purifier);
  }
  return purifier;
}

/**
 * Sanitize an HTML string into a fragment owned by `doc`. Remote images become
 * placeholders while the nodes still belong to DOMPurify's inert document,
 * where nothing loads.
 */
export function sanitizeToFragment(html: string, doc: Document = document): DocumentFragment {
  const fragment = purifierFor(doc).sanitize(html, CONFIG);
  placeholdImages(fragment, doc.baseURI);
  return fragment.ownerDocument === doc ? fragment : doc.adoptNode(fragment);
}

/** Whether `fragment` holds only text and spans whose one attribute is highlight.js classes. */
function onlyHighlightSpans(fragment: DocumentFragment): boolean {
  for (const element of Array.from(fragment.querySelectorAll("*"))) {
    if (element.tagName !== "SPAN" || element.attributes.length !== 1) return false;
    const classes = element.getAttribute("class");
    if (classes === null || !classes.split(" ").every((name) => OWN_CLASS.test(name))) return false;
  }
  return true;
}

/**
 * DOM for highlight.js's HTML of one code block, owned by `doc`: parsed in an
 * inert template (nothing runs or loads there) and kept when it is only text
 * and highlight spans, otherwise sanitized as any other HTML.
 */
export function highlightedToFragment(html: string, doc: Document = document): DocumentFragment {
  const template = doc.createElement("template");
  template.innerHTML = html;
  return onlyHighlightSpans(template.content) ? doc.importNode(template.content, true) : sanitizeToFragment(html, doc);
}
