import { describe, expect, it } from "vitest";
import { shownOnTerminal } from "./inspect.js";

describe("shownOnTerminal", () => {
  it("leaves a value up to the limit whole", () => {
    expect(shownOnTerminal("x".repeat(10), 10)).toBe("x".repeat(10));
  });

  it("cuts a longer one and says how much was left out, and where to get it all", () => {
    expect(shownOnTerminal("x".repeat(25), 10)).toBe(`${"x".repeat(10)}\n... (15 more characters; --json prints the whole value)`);
  });
});
