import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket.js";

describe("TokenBucket", () => {
  it("lets a full burst through, then refuses with the wait for the next token", () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].every((r) => r.ok)).toBe(true);
    expect(bucket.take(0)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it("refills at the configured rate and never above the burst", () => {
    const bucket = new TokenBucket(10, 2, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(50).ok).toBe(false);
    expect(bucket.take(100).ok).toBe(true);
    // A long idle time fills the bucket to its capacity only.
    const taken = [10_000, 10_000, 10_000].map((t) => bucket.take(t).ok);
    expect(taken).toEqual([true, true, false]);
  });

  it("admits rate x seconds + burst over a window, no more", () => {
    const bucket = new TokenBucket(20, 5, 0);
    let admitted = 0;
    for (let t = 0; t <= 10_000; t += 1) if (bucket.take(t).ok) admitted += 1;
    expect(admitted).toBe(20 * 10 + 5);
  });
});
