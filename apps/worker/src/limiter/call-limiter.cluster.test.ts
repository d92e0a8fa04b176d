import { uniqueName } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { CallLimiter, type CallLimiterConfig, type LimiterObserver } from "./call-limiter.js";
import { maxInWindow, StartRecorder, silentLogger, sleep, waitFor } from "./test-support/limiter-harness.js";

const redisUrl = inject("redisUrl");
const limiters: CallLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

function replica(config: Partial<CallLimiterConfig> & { id: string }, observer: LimiterObserver = {}): CallLimiter {
  const limiter = new CallLimiter(
    { global: { ratePerSecond: 20, burst: 5 }, maxConcurrent: 100, campaigns: new Map(), ...config },
    { logger: silentLogger(), redisUrl, observer },
  );
  limiters.push(limiter);
  return limiter;
}

describe("CallLimiter clustered through Redis", () => {
  it("two replicas sharing an id never start more than rate × window + burst calls combined", async () => {
    const id = uniqueName("limiter");
    const a = replica({ id });
    const b = replica({ id });
    await Promise.all([a.ready(), b.ready()]);
    const recorder = new StartRecorder();
    const runs = Array.from({ length: 70 }, (_, i) => (i % 2 === 0 ? a : b).run("c", recorder.task("c", `t${i}`)));
    await Promise.all(runs);

    expect(recorder.invocations.size).toBe(70);
    expect(maxInWindow(recorder.starts, 1000)).toBeLessThanOrEqual(25);
    expect(recorder.starts.length).toBeLessThanOrEqual(20 * recorder.elapsedSeconds() + 5);
  });

  it("shares maxConcurrent between replicas", async () => {
    const id = uniqueName("limiter");
    const a = replica({ id, maxConcurrent: 3, global: { ratePerSecond: 1000, burst: 1000 } });
    const b = replica({ id, maxConcurrent: 3, global: { ratePerSecond: 1000, burst: 1000 } });
    await Promise.all([a.ready(), b.ready()]);
    const recorder = new StartRecorder();
    const runs = Array.from({ length: 16 }, (_, i) =>
      (i % 2 === 0 ? a : b).run(
        "c",
        recorder.task("c", `t${i}`, () => sleep(60)),
      ),
    );
    await Promise.all(runs);

    expect(recorder.invocations.size).toBe(16);
    expect(recorder.maxRunning).toBeLessThanOrEqual(3);
  });

  it("keeps a campaign to its own shared bucket", async () => {
    const id = uniqueName("limiter");
    const campaigns = new Map([["slow", { ratePerSecond: 2, burst: 1 }]]);
    const a = replica({ id, campaigns });
    const b = replica({ id, campaigns });
    await Promise.all([a.ready(), b.ready()]);
    const recorder = new StartRecorder();
    const runs = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).run("slow", recorder.task("slow", `s${i}`)));
    const fast = Array.from({ length: 10 }, (_, i) => a.run("fast", recorder.task("fast", `f${i}`)));
    await Promise.all([...runs, ...fast]);

    expect(maxInWindow(recorder.byKey.get("slow") ?? [], 1000)).toBeLessThanOrEqual(3);
    expect(recorder.invocations.size).toBe(16);
  });

  it("a 429 on one replica slows every replica down", async () => {
    const id = uniqueName("limiter");
    const ratesB: number[] = [];
    const a = replica({ id, recoveryStepMs: 60_000 });
    const b = replica({ id, recoveryStepMs: 60_000 }, { onRate: (rate) => ratesB.push(rate) });
    await Promise.all([a.ready(), b.ready()]);

    a.throttled();
    expect(a.currentRate).toBe(10);
    await waitFor(() => b.currentRate === 10, 5_000, "replica b to learn the new rate");
    expect(ratesB).toEqual([10]);

    const recorder = new StartRecorder();
    await Promise.all(Array.from({ length: 16 }, (_, i) => b.run("c", recorder.task("c", `t${i}`))));
    // The shared bucket was emptied and refills at 10/s.
    expect(recorder.starts.length).toBeLessThanOrEqual(10 * recorder.elapsedSeconds() + 1);
  });

  it("keeps a fractional rate in Redis (3.5/s), in keys that expire once nobody uses them", async () => {
    const id = uniqueName("limiter");
    const limiter = replica({ id, global: { ratePerSecond: 3.5, burst: 1 } });
    await limiter.ready();
    const recorder = new StartRecorder();
    await Promise.all(Array.from({ length: 10 }, (_, i) => limiter.run("c", recorder.task("c", `t${i}`))));
    const redis = new Redis(redisUrl);
    try {
      const ttl = await redis.pttl(`callbridge:limiter:{${id}}:global`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      redis.disconnect();
    }

    expect(recorder.invocations.size).toBe(10);
    expect(maxInWindow(recorder.starts, 1000)).toBeLessThanOrEqual(4);
    expect(recorder.starts.length).toBeLessThanOrEqual(3.5 * recorder.elapsedSeconds() + 1);
  });
});
