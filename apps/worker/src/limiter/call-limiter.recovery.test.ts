import { performance } from "node:perf_hooks";
import { type RedisServerProcess, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CallLimiter, type CallLimiterConfig, type LimiterMode } from "./call-limiter.js";
import { maxInWindow, StartRecorder, silentLogger, sleep, waitFor } from "./test-support/limiter-harness.js";

// FLUSHALL and restarts would wipe other tests' state: these tests get a Redis of their own.
let server: RedisServerProcess;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

const limiters: CallLimiter[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

type Recovery = "keys_lost" | LimiterMode;

function replica(config: Partial<CallLimiterConfig> & { id: string }, recoveries: Recovery[], replicas = 2): CallLimiter {
  const limiter = new CallLimiter(
    { global: { ratePerSecond: 20, burst: 5 }, maxConcurrent: 10, campaigns: new Map(), ...config },
    {
      logger: silentLogger(),
      redisUrl: server.url,
      replicas: () => replicas,
      observer: { onRecovery: (reason) => recoveries.push(reason), onMode: (mode) => recoveries.push(mode) },
    },
  );
  limiters.push(limiter);
  return limiter;
}

function expectEachRanOnce(recorder: StartRecorder, ids: readonly string[]): void {
  const counts = ids.map((id) => recorder.invocations.get(id) ?? 0);
  expect(counts.filter((n) => n !== 1)).toEqual([]);
}

describe("CallLimiter recovery", () => {
  it("runs every queued task exactly once when Redis loses the keys (FLUSHALL)", async () => {
    const id = uniqueName("limiter");
    const recoveries: Recovery[] = [];
    const campaigns = new Map([["camp", { ratePerSecond: 10, burst: 2 }]]);
    const a = replica({ id, campaigns }, recoveries);
    const b = replica({ id, campaigns }, recoveries);
    await Promise.all([a.ready(), b.ready()]);
    const recorder = new StartRecorder();
    const ids = Array.from({ length: 60 }, (_, i) => `t${i}`);
    const runs = ids.map((taskId, i) =>
      (i % 2 === 0 ? a : b).run(
        i % 5 === 0 ? "camp" : "c",
        recorder.task("c", taskId, () => sleep(20 + (i % 3) * 30)),
      ),
    );
    await waitFor(() => recorder.starts.length >= 15, 10_000, "15 starts");

    const redis = new Redis(server.url);
    await redis.flushall();
    const flushedAt = performance.now();
    redis.disconnect();
    const startedBeforeFlush = recorder.starts.length;
    await Promise.all(runs);

    expectEachRanOnce(recorder, ids);
    expect(recorder.invocations.size).toBe(60);
    expect(startedBeforeFlush).toBeLessThan(60);
    expect(recoveries).toContain("keys_lost");
    // A lost bucket comes back empty, so the shared rate holds across the flush too.
    expect(maxInWindow(recorder.starts, 1000)).toBeLessThanOrEqual(25);
    expect(recorder.starts.some((t) => t > flushedAt)).toBe(true);
  });

  it("runs every queued task exactly once across a Redis crash and restart, and carries on", async () => {
    const id = uniqueName("limiter");
    const recoveries: Recovery[] = [];
    const a = replica({ id }, recoveries);
    const b = replica({ id }, recoveries);
    await Promise.all([a.ready(), b.ready()]);
    const recorder = new StartRecorder();
    const ids = Array.from({ length: 60 }, (_, i) => `t${i}`);
    const runs = ids.map((taskId, i) =>
      (i % 2 === 0 ? a : b).run(
        "c",
        recorder.task("c", taskId, () => sleep(30)),
      ),
    );
    await waitFor(() => recorder.starts.length >= 15, 10_000, "15 starts");

    await server.kill();
    const startedWhileUp = recorder.starts.length;
    await sleep(1_000);
    await server.start();
    await Promise.all(runs);

    expectEachRanOnce(recorder, ids);
    expect(startedWhileUp).toBeLessThan(60);
    expect(recoveries).toContain("keys_lost");

    const more = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await Promise.all(more.map((taskId, i) => (i % 2 === 0 ? a : b).run("c", recorder.task("c", taskId))));
    expectEachRanOnce(recorder, [...ids, ...more]);
    expect(unhandled).toEqual([]);
  });

  it("keeps calling at its share of the limits while Redis is down, then goes back to the shared bucket", async () => {
    const id = uniqueName("limiter");
    const recoveries: Recovery[] = [];
    // Two replicas share 20/s with a burst of 5: alone, this one may use 10/s with a burst of 2.
    const limiter = replica({ id }, recoveries, 2);
    await limiter.ready();
    await server.kill();
    const recorder = new StartRecorder();
    const ids = Array.from({ length: 60 }, (_, i) => `t${i}`);
    const runs = ids.map((taskId) => limiter.run("c", recorder.task("c", taskId)));
    await sleep(3_000);
    const startedWhileDown = [...recorder.starts];
    expect(limiter.mode).toBe("local_share");
    // No stall, and no more than this replica's share: 10/s + 2.
    expect(startedWhileDown.length).toBeGreaterThan(15);
    expect(maxInWindow(startedWhileDown, 1000)).toBeLessThanOrEqual(12);
    await server.start();
    await Promise.all(runs);

    expectEachRanOnce(recorder, ids);
    expect(recoveries.slice(0, 2)).toEqual(["local_share", "shared"]);
    expect(recoveries.length).toBeLessThanOrEqual(3);
    expect(unhandled).toEqual([]);
  });
});
