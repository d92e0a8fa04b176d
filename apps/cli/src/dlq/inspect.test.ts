import { describe, expect, it } from "vitest";
import { cellText } from "../output/table.js";
import { shownOnTerminal } from "./inspect.js";

describe("shownOnTerminal", () => {
  it("leaves a value up to the limit whole", () => {
    expect(shownOnTerminal("x".repeat(10), 10)).toBe("x".repeat(10));
  });

  it("cuts a longer one and says how much was left out, and where to get it all", () => {
    expect(shownOnTerminal("x".repeat(25), 10)).toBe(`${"x".repeat(10)}\n... (15 more characters; --json prints it whole)`);
  });
});

describe("cellText", () => {
  it("leaves short text whole and cuts long text saying how much was cut", () => {
    expect(cellText("k".repeat(80))).toBe("k".repeat(80));
    expect(cellText("k".repeat(100))).toBe(`${"k".repeat(80)}…(+20)`);
  });
});
