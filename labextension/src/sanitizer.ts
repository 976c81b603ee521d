/**
 * A sanitizer that, on top of JupyterLab's own, removes everything that would
 * load a resource by itself (images, media, frames). A saved answer is
 * untrusted streamed text: showing it must make no network request.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

const LOADS_BY_ITSELF = 'img, picture, source, video, audio, track, iframe, embed, object, input[type="image"]';

export function withoutFetches(base: IRenderMime.ISanitizer): IRenderMime.ISanitizer {
  return {
    sanitize(dirty: string, options?: IRenderMime.ISanitizerOptions): string {
      const clean = base.sanitize(dirty, options);
      // DOMParser documents are inert: nothing in them loads while we look.
      const doc = new DOMParser().parseFromString(clean, 'text/html');
      for (const element of Array.from(doc.body.querySelectorAll(LOADS_BY_ITSELF))) {
        const alt = element.getAttribute('alt');
        element.replaceWith(doc.createTextNode(alt ? `[${alt}]` : ''));
      }
      for (const element of Array.from(doc.body.querySelectorAll('[srcset], [poster], [background]'))) {
        element.removeAttribute('srcset');
        element.removeAttribute('poster');
        element.removeAttribute('background');
      }
      return doc.body.innerHTML;
    },
    getAutolink: base.getAutolink ? () => base.getAutolink!() : undefined,
    allowNamedProperties: base.allowNamedProperties,
  };
}
