import { describe, expect, it } from "vitest";
import { csvCell, fileProblem } from "./export.js";

describe("csvCell", () => {
  it.each([
    ["+14155550123", "+14155550123"],
    ["route:hubspot", "route:hubspot"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["a;b", '"a;b"'],
    ["a\tb", '"a\tb"'],
    ["two\nlines", '"two\nlines"'],
    [" padded", '" padded"'],
    ["", ""],
  ])("%j -> %j", (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });
});

describe("fileProblem", () => {
  it.each([
    ["ENOENT", "no such file or directory"],
    ["EACCES", "permission denied"],
    ["EISDIR", "it is a directory"],
    ["ENOSPC", "no space left on the device"],
  ])("%s -> %s", (code, problem) => {
    expect(fileProblem(Object.assign(new Error(`${code}: at /some/path`), { code }))).toBe(problem);
  });

  it("another error: its first line", () => {
    expect(fileProblem(new Error("odd\nstack"))).toBe("odd");
  });
});
