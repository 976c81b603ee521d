/**
 * Images in streamed text load only when the user asks.
 *
 * A markdown image is a request to any server the text names, with anything
 * in its URL: the classic way to exfiltrate a conversation through a model's
 * answer. The sanitizer turns every image that is not a `data:` URL into a
 * placeholder (its alt text and host, on a button). A click loads that one
 * image; `gateImages(...).apply()` loads every placeholder when the widget's
 * `load_images` option is on, and again each image the user already allowed
 * when the text is rendered anew.
 */

/** Where a placeholder keeps its image's URL (an attribute nothing fetches). */
export const IMAGE_SOURCE_ATTR = "data-sse-src";
export const IMAGE_CLASS = "sse-widget-image";
export const IMAGE_LOAD_CLASS = "sse-widget-image-load";
const LOADED_ATTR = "data-sse-loaded";

/** Raster and SVG images as `data:` URLs: shown inline, they fetch nothing. */
const INLINE_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp|x-icon|svg\+xml)[;,]/i;

export function isInlineImageUrl(value: string): boolean {
  return INLINE_IMAGE.test(value.trim());
}

/** The host an image URL points at, as shown to the user ("" when unknown). */
export function imageHost(src: string, base: string): string {
  try {
    return new URL(src, base).host;
  } catch {
    return "";
  }
}

function placeholderFor(img: Element, src: string, base: string): HTMLSpanElement {
  const doc = img.ownerDocument;
  const alt = (img.getAttribute("alt") ?? "").trim();
  const host = imageHost(src, base);
  const holder = doc.createElement("span");
  holder.className = IMAGE_CLASS;
  holder.setAttribute(IMAGE_SOURCE_ATTR, src);
  if (alt !== "") holder.setAttribute("data-sse-alt", alt);
  const title = img.getAttribute("title");
  if (title !== null) holder.setAttribute("data-sse-title", title);
  const button = doc.createElement("button");
  button.type = "button";
  button.className = IMAGE_LOAD_CLASS;
  button.title = `Load this image from ${host || "its server"}: ${src}`;
  const altText = doc.createElement("span");
  altText.className = "sse-widget-image-alt";
  altText.textContent = alt || "image";
  const hostText = doc.createElement("span");
  hostText.className = "sse-widget-image-host";
  hostText.textContent = host ? ` · ${host}` : "";
  const hidden = doc.createElement("span");
  hidden.className = "sse-widget-sr-only";
  hidden.textContent = " (load image)";
  button.append(altText, hostText, hidden);
  holder.append(button);
  return holder;
}

/**
 * Replace each image that the sanitizer marked as remote (it carries
 * IMAGE_SOURCE_ATTR instead of `src`) with a placeholder. Call it while the
 * nodes still belong to an inert document.
 */
export function placeholdImages(root: ParentNode, base: string): void {
  for (const img of Array.from(root.querySelectorAll(`img[${IMAGE_SOURCE_ATTR}]`))) {
    const src = img.getAttribute(IMAGE_SOURCE_ATTR) ?? "";
    img.replaceWith(placeholderFor(img, src, base));
  }
}

/** Put the image itself in place of `holder`'s button: this is the one fetch. */
function load(holder: Element): void {
  const doc = holder.ownerDocument;
  const img = doc.createElement("img");
  img.setAttribute("referrerpolicy", "no-referrer");
  img.alt = holder.getAttribute("data-sse-alt") ?? "";
  const title = holder.getAttribute("data-sse-title");
  if (title !== null) img.title = title;
  img.src = holder.getAttribute(IMAGE_SOURCE_ATTR) ?? "";
  holder.setAttribute(LOADED_ATTR, "");
  holder.replaceChildren(img);
}

export interface ImageGateOptions {
  /** Whether every image loads without a click (the `load_images` option). */
  loadAll: () => boolean;
  /** URLs the user has loaded; shared by views of one widget so a re-render keeps them. */
  allowed?: Set<string>;
}

export interface ImageGate {
  /** Load the placeholders under the root that may load (call after each render). */
  apply(): void;
  destroy(): void;
}

/** Handle placeholder clicks under `root`, and load what the options allow. */
export function gateImages(root: HTMLElement, options: ImageGateOptions): ImageGate {
  const allowed = options.allowed ?? new Set<string>();

  const onClick = (event: MouseEvent): void => {
    const target = event.target instanceof Element ? event.target : null;
    const button = target?.closest(`.${IMAGE_LOAD_CLASS}`);
    const holder = button?.closest(`.${IMAGE_CLASS}`);
    if (!holder || !root.contains(holder)) return;
    // The placeholder may sit inside a link: the click loads, it does not navigate.
    event.preventDefault();
    allowed.add(holder.getAttribute(IMAGE_SOURCE_ATTR) ?? "");
    load(holder);
  };
  root.addEventListener("click", onClick);

  return {
    apply(): void {
      const all = options.loadAll();
      if (!all && allowed.size === 0) return;
      for (const holder of root.querySelectorAll(`.${IMAGE_CLASS}:not([${LOADED_ATTR}])`)) {
        if (all || allowed.has(holder.getAttribute(IMAGE_SOURCE_ATTR) ?? "")) load(holder);
      }
    },
    destroy(): void {
      root.removeEventListener("click", onClick);
    },
  };
}
