import { describe, expect, it } from "vitest";
import { fullJitterBackoffMs, retryDelayMs } from "./backoff.js";

describe("fullJitterBackoffMs", () => {
  it("doubles the ceiling per attempt and draws below it", () => {
    expect([1, 2, 3, 4].map((n) => fullJitterBackoffMs(n, 500, 30_000, () => 0.999999))).toEqual([499, 999, 1999, 3999]);
    expect(fullJitterBackoffMs(3, 500, 30_000, () => 0)).toBe(0);
  });

  it("never exceeds the maximum", () => {
    expect(fullJitterBackoffMs(30, 500, 30_000, () => 0.999999)).toBe(29_999);
  });
});

describe("retryDelayMs", () => {
  it("waits at least as long as Retry-After asks, up to the cap", () => {
    expect(retryDelayMs(200, 5_000, 60_000)).toBe(5_000);
    expect(retryDelayMs(9_000, 5_000, 60_000)).toBe(9_000);
    expect(retryDelayMs(200, 86_400_000, 60_000)).toBe(60_000);
    expect(retryDelayMs(200, undefined, 60_000)).toBe(200);
  });
});
