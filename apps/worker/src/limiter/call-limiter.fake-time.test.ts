import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallLimiter, type CallLimiterConfig } from "./call-limiter.js";
import { LocalBucketStore } from "./local-store.js";
import { silentLogger } from "./test-support/limiter-harness.js";

// The in-process limiter on a fake clock: exact start times, no sleeping.

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "Date", "performance"] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

function limiter(config: Partial<CallLimiterConfig> = {}): CallLimiter {
  return new CallLimiter(
    { id: "fake", global: { ratePerSecond: 10, burst: 5 }, maxConcurrent: 100, campaigns: new Map(), recoveryStepMs: 1_000, ...config },
    { logger: silentLogger() },
  );
}

/** Queues `count` calls that finish after `ms`; records each start on the fake clock (ms from the start). */
function queue(target: CallLimiter, count: number, campaign = "c", ms = 0): number[] {
  const t0 = Date.now();
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    target
      .run(campaign, async () => {
        starts.push(Date.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, ms));
      })
      // Calls still waiting when a test closes the limiter are rejected: expected here.
      .catch(() => undefined);
  }
  return starts;
}

/** Lets the running calls' own timers fire, then closes. */
async function closeAfterCalls(target: CallLimiter): Promise<void> {
  const closing = target.close();
  await vi.advanceTimersByTimeAsync(1_000);
  await closing;
}

describe("CallLimiter on a fake clock", () => {
  it("lets the burst go at once, less the jitter margin (25 ms of rate, at least one), then one call per interval", async () => {
    const target = limiter();
    const starts = queue(target, 12);
    await vi.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0, 0, 0, 0]);
    await vi.advanceTimersByTimeAsync(800);
    expect(starts).toEqual([0, 0, 0, 0, 100, 200, 300, 400, 500, 600, 700, 800]);
    await closeAfterCalls(target);
  });

  it("never holds a slot for a call waiting on its campaign's bucket", async () => {
    const target = limiter({
      global: { ratePerSecond: 100, burst: 100 },
      maxConcurrent: 2,
      campaigns: new Map([["slow", { ratePerSecond: 1, burst: 1 }]]),
    });
    const slow = queue(target, 3, "slow", 50);
    const fast = queue(target, 6, "fast", 50);
    await vi.advanceTimersByTimeAsync(400);
    // One slot runs the slow campaign's single token; the other serves the fast queue, 50 ms per call.
    expect(slow).toEqual([0]);
    expect(fast.length).toBeGreaterThanOrEqual(6);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(slow).toEqual([0, 1_000, 2_000]);
    await closeAfterCalls(target);
  });

  it("after a 429 with Retry-After: shut for everyone until then, then evenly spaced at the halved rate", async () => {
    const target = limiter({ recoveryStepMs: 60_000 });
    target.throttled(2_000);
    expect(target.currentRate).toBe(5);
    const starts = queue(target, 4);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    // 5/s: one every 200 ms, and no burst until the rate has recovered.
    expect(starts).toEqual([2_000, 2_200, 2_400, 2_600]);
    await closeAfterCalls(target);
  });

  it("reports the rate as it recovers, step by step, back to the configured one", async () => {
    const rates: number[] = [];
    const target = new CallLimiter(
      { id: "fake", global: { ratePerSecond: 10, burst: 5 }, maxConcurrent: 10, campaigns: new Map(), recoveryStepMs: 1_000 },
      { logger: silentLogger(), observer: { onRate: (rate) => rates.push(rate) } },
    );
    target.throttled();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(rates).toEqual([5, 6, 7, 8, 9, 10]);
    await target.close();
  });
});

describe("LocalBucketStore share", () => {
  it("gives one replica of three a third of each limit, rounded down, never below one", () => {
    const config: CallLimiterConfig = { id: "s", global: { ratePerSecond: 30, burst: 9 }, maxConcurrent: 20, campaigns: new Map() };
    let now = 0;
    const store = new LocalBucketStore(
      config,
      () => 30,
      () => now,
      1 / 3,
      "local_share",
    );
    expect(store.localCap).toBe(6);
    expect(store.take(undefined, 10).granted).toBe(3);
    now = 100;
    expect(store.take(undefined, 10).granted).toBe(1);
    now = 150;
    expect(store.take(undefined, 10)).toMatchObject({ granted: 0, waitMs: 50 });
  });
});
