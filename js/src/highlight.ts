/**
 * Syntax highlighting with highlight.js core and a few common languages only,
 * to keep the bundle small. Unknown languages are left unhighlighted.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

const LANGUAGES = {
  bash,
  css,
  javascript,
  json,
  markdown,
  plaintext,
  python,
  shell,
  sql,
  typescript,
  xml,
  yaml,
};

for (const [name, definition] of Object.entries(LANGUAGES)) {
  hljs.registerLanguage(name, definition);
}
hljs.registerAliases(["py3", "python3", "ipython"], { languageName: "python" });
hljs.registerAliases(["txt", "text"], { languageName: "plaintext" });
hljs.configure({ classPrefix: "hljs-" });

/** The canonical name of a registered language, or null. */
export function knownLanguage(lang: string): string | null {
  if (!lang) return null;
  const language = hljs.getLanguage(lang.toLowerCase());
  return language ? lang.toLowerCase() : null;
}

/**
 * Highlighted HTML for `code` (span elements with hljs-* classes, text escaped
 * by highlight.js), or null when the language is not registered.
 */
export function highlightCode(code: string, lang: string): string | null {
  const name = knownLanguage(lang);
  if (name === null) return null;
  // A closed block is rendered as the open tail, when frozen and at the end of
  // the stream: the same text, highlighted once.
  if (last && last.name === name && last.code === code) return last.html;
  let html: string | null;
  try {
    html = hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
  } catch {
    html = null;
  }
  last = { name, code, html };
  return html;
}

/** The last highlight done (one entry: blocks are highlighted one at a time). */
let last: { name: string; code: string; html: string | null } | null = null;
