import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.js";

const now = Date.parse("2026-11-27T12:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP date relative to now", () => {
    expect(parseRetryAfter("Fri, 27 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
  });

  it("treats a date in the past as no wait", () => {
    expect(parseRetryAfter("Fri, 27 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });

  it.each([undefined, "", "soon", "-5", "1.5", "12abc"])("gives up on %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
