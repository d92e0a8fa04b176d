import { uniqueName } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { CallLimiter, type CallLimiterConfig, type RecoveryReason } from "./call-limiter.js";
import { StartRecorder, silentLogger, sleep, waitFor } from "./test-support/limiter-harness.js";

const limiters: CallLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

function limiterWith(config: Partial<CallLimiterConfig> & { id: string }, recoveries: RecoveryReason[], redisUrl?: string): CallLimiter {
  const limiter = new CallLimiter(
    { global: { ratePerSecond: 100, burst: 10 }, maxConcurrent: 3, campaigns: new Map(), stallTimeoutMs: 1_000, ...config },
    { logger: silentLogger(), redisUrl, observer: { onRecovery: (reason) => recoveries.push(reason) } },
  );
  limiters.push(limiter);
  return limiter;
}

/**
 * Makes the limiter's current Bottleneck instance stop starting jobs without any error, the way a lost
 * subscription or Bottleneck's own stalls (#194) look from outside. Reaches into private state on purpose.
 */
function stallCurrentBottleneck(limiter: CallLimiter): void {
  const internals = limiter as unknown as { gen: { global: { _drainAll: () => Promise<number> } } };
  internals.gen.global._drainAll = () => Promise.resolve(0);
}

describe("CallLimiter stall watchdog", () => {
  it("replaces a stalled in-process limiter without exceeding maxConcurrent while old calls still run", async () => {
    const recoveries: RecoveryReason[] = [];
    const limiter = limiterWith({ id: "watchdog" }, recoveries);
    const recorder = new StartRecorder();
    const slow = [0, 1].map((i) =>
      limiter.run(
        "c",
        recorder.task("c", `slow${i}`, () => sleep(2_500)),
      ),
    );
    await waitFor(() => limiter.running === 2, 2_000, "two slow calls");
    stallCurrentBottleneck(limiter);
    const ids = Array.from({ length: 8 }, (_, i) => `t${i}`);
    const quick = ids.map((taskId) =>
      limiter.run(
        "c",
        recorder.task("c", taskId, () => sleep(100)),
      ),
    );
    await Promise.all([...slow, ...quick]);

    expect(recoveries).toEqual(["stalled"]);
    expect(ids.map((taskId) => recorder.invocations.get(taskId))).toEqual(ids.map(() => 1));
    // The two slow calls kept their slots across the rebuild.
    expect(recorder.maxRunning).toBeLessThanOrEqual(3);
  });

  it("replaces a stalled clustered limiter and leaves no slot taken in Redis", async () => {
    const redisUrl = inject("redisUrl");
    const id = uniqueName("limiter");
    const recoveries: RecoveryReason[] = [];
    const limiter = limiterWith({ id }, recoveries, redisUrl);
    await limiter.ready();
    const recorder = new StartRecorder();
    const slow = limiter.run(
      "c",
      recorder.task("c", "slow", () => sleep(1_500)),
    );
    await waitFor(() => limiter.running === 1, 2_000, "the slow call");
    stallCurrentBottleneck(limiter);
    const ids = Array.from({ length: 8 }, (_, i) => `t${i}`);
    await Promise.all([
      slow,
      ...ids.map((taskId) =>
        limiter.run(
          "c",
          recorder.task("c", taskId, () => sleep(50)),
        ),
      ),
    ]);

    expect(recoveries).toEqual(["stalled"]);
    expect(ids.map((taskId) => recorder.invocations.get(taskId))).toEqual(ids.map(() => 1));
    expect(recorder.maxRunning).toBeLessThanOrEqual(3);
    const redis = new Redis(redisUrl);
    try {
      // Slots of the replaced generation are freed through its own connection, not leaked.
      let running = "";
      for (let i = 0; i < 50 && running !== "0"; i++) {
        running = (await redis.hget(`b_${id}_settings`, "running")) ?? "";
        if (running !== "0") await sleep(100);
      }
      expect(running).toBe("0");
    } finally {
      redis.disconnect();
    }
  });
});
