import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { CallLimiter, type CallLimiterConfig } from "./call-limiter.js";
import { StartRecorder, silentLogger, sleep, waitFor } from "./test-support/limiter-harness.js";

const limiters: CallLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

function localLimiter(config: Partial<CallLimiterConfig>, rates: number[], reportedAt: number[] = []): CallLimiter {
  const limiter = new CallLimiter(
    { id: "throttle", global: { ratePerSecond: 20, burst: 5 }, maxConcurrent: 100, campaigns: new Map(), ...config },
    {
      logger: silentLogger(),
      observer: {
        onRate: (rate) => {
          rates.push(rate);
          reportedAt.push(performance.now());
        },
      },
    },
  );
  limiters.push(limiter);
  return limiter;
}

describe("CallLimiter.throttled()", () => {
  it("halves the rate, empties the bucket, and recovers additively to the configured rate", async () => {
    const rates: number[] = [];
    const reportedAt: number[] = [];
    const limiter = localLimiter({ recoveryStepMs: 300 }, rates, reportedAt);
    await sleep(100);

    const throttledAt = performance.now();
    limiter.throttled();
    limiter.throttled();
    expect(limiter.currentRate).toBe(10);
    expect(rates).toEqual([10]);

    // The bucket held 5 tokens; emptied, at 10/s at most 2 calls can start in the first 150 ms.
    const recorder = new StartRecorder();
    await Promise.all(Array.from({ length: 5 }, (_, i) => limiter.run("c", recorder.task("c", `t${i}`))));
    expect(recorder.starts.filter((t) => t - throttledAt <= 150).length).toBeLessThanOrEqual(2);

    await waitFor(() => limiter.currentRate === 20, 10_000, "the rate to recover");
    // Steps of 10% of configured (a late timer may merge two), never faster than one per 300 ms, up to 20.
    expect(rates.at(-1)).toBe(20);
    for (let i = 1; i < rates.length; i++) {
      const rate = rates[i] ?? 0;
      expect(rate).toBeGreaterThan(rates[i - 1] ?? 0);
      expect(Number.isInteger((rate - 10) / 2)).toBe(true);
      // +5 ms: the limiter steps on Date.now(), this test measures with performance.now().
      const stepsElapsed = Math.floor(((reportedAt[i] ?? 0) - throttledAt + 5) / 300);
      expect(rate).toBeLessThanOrEqual(10 + 2 * stepsElapsed);
    }
  });

  it("throttles at most once per second and never below 10% of the configured rate", async () => {
    const rates: number[] = [];
    const limiter = localLimiter({ recoveryStepMs: 60_000 }, rates);
    for (let i = 0; i < 4; i++) {
      limiter.throttled();
      limiter.throttled();
      await sleep(1_050);
    }
    expect(rates).toEqual([10, 5, 2.5, 2]);
    expect(limiter.currentRate).toBe(2);
  });

  it("slows calls down to the throttled rate", async () => {
    const rates: number[] = [];
    const limiter = localLimiter({ recoveryStepMs: 60_000, global: { ratePerSecond: 40, burst: 5 } }, rates);
    limiter.throttled();
    expect(limiter.currentRate).toBe(20);
    const recorder = new StartRecorder();
    await Promise.all(Array.from({ length: 30 }, (_, i) => limiter.run("c", recorder.task("c", `t${i}`))));
    // Emptied bucket, 20/s: the 30 calls start no faster than 20 per second.
    expect(recorder.starts.length).toBeLessThanOrEqual(20 * recorder.elapsedSeconds() + 1);
  });
});
