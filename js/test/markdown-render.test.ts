import { describe, expect, it } from "vitest";
import { isClosedCode, renderMarkdown } from "../src/markdown-render";

function html(fragment: DocumentFragment): string {
  const div = document.createElement("div");
  div.append(fragment);
  return div.innerHTML;
}

describe("isClosedCode", () => {
  it("tells open and closed fences apart", () => {
    expect(isClosedCode({ raw: "```py\nx\n```" })).toBe(true);
    expect(isClosedCode({ raw: "```py\nx\n```\n" })).toBe(true);
    expect(isClosedCode({ raw: "```py\nx" })).toBe(false);
    expect(isClosedCode({ raw: "```" })).toBe(false);
    expect(isClosedCode({ raw: "````\nx\n```" })).toBe(false);
    expect(isClosedCode({ raw: "~~~\nx\n~~~~" })).toBe(true);
    expect(isClosedCode({ raw: "~~~\nx\n```" })).toBe(false);
    expect(isClosedCode({ raw: "    code", codeBlockStyle: "indented" })).toBe(true);
  });
});

describe("renderMarkdown", () => {
  it("renders common markdown", () => {
    const out = html(renderMarkdown("Hello **world** and [a link](https://example.com)."));
    expect(out).toBe(
      '<p>Hello <strong>world</strong> and <a href="https://example.com" target="_blank" rel="noopener noreferrer">a link</a>.</p>',
    );
  });
});
