import { describe, expect, it } from "vitest";
import { closeOpenInline } from "../src/open-tail";

describe("closeOpenInline", () => {
  it("closes an open ** or backtick on the unfinished last line", () => {
    expect(closeOpenInline("Intro.\n\nA **bold te")).toBe("Intro.\n\nA **bold te**");
    expect(closeOpenInline("Run `pip inst")).toBe("Run `pip inst`");
    expect(closeOpenInline("**Use `foo")).toBe("**Use `foo`**");
    expect(closeOpenInline("- **Step one")).toBe("- **Step one**");
    expect(closeOpenInline("A **bold ")).toBe("A **bold**"); // a closer after a space would not count
  });

  it("leaves alone what is closed, finished or not sure", () => {
    for (const source of [
      "A **bold** word",
      "A **bold\n", // the line is finished: the next one may close it
      "A ** spaced",
      "Marker at the end **",
      "**",
      "`a**b` plain",
      "Open ``double",
      "```python\nx = **kw",
      "```python\nx = 1\n```\nand **more", // after a closed fence: closed
      "    indented **code",
      "***both",
      "",
    ]) {
      const expected = source === "```python\nx = 1\n```\nand **more" ? source + "**" : source;
      expect(closeOpenInline(source), source).toBe(expected);
    }
  });
});
