import {
  deleteKafkaInstance,
  freePort,
  freePortBelowEphemeralRange,
  restartKafka,
  startKafka,
  startRedisServer,
  uniqueName,
} from "@callbridge/test-infra";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTopics, eventually, produceRequests, readAll } from "../support/kafka.js";
import { callsPerKey, everyRequestPlacedOnce } from "../support/sim-calls.js";
import { type RunningSimulator, startSimulator } from "../support/simulator.js";
import { killHard, spawnWorker, type WorkerProcess, workerProcessEnv } from "../support/worker-process.js";
import { callRequest, startTestWorker, type TestWorker } from "../support/worker-stack.js";

// Faults: the worker killed with SIGKILL again and again, the API failing 30% of the time,
// Redis and the broker restarted. Counted at the simulator: every request placed exactly once.
// Requests allow duplicates, so a double call would show there. The simulator keeps its
// default call lifetimes: its 409 guard lasts only as long as a call is queued or active.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Requests whose context carries their key, so calls can be counted per request at the simulator. */
function requests(count: number) {
  return Array.from({ length: count }, () => {
    const request = callRequest({ allow_duplicates: true });
    return { ...request, context: { key: request.idempotency_key } };
  });
}

/** When the simulator accepted each call, ms since the epoch. */
async function acceptedTimes(sim: RunningSimulator): Promise<number[]> {
  return ((await (await fetch(`${sim.url}/_sim/timeline`)).json()) as { accepted_ms: number[] }).accepted_ms;
}

interface KillRun {
  readonly placed: number;
  readonly calledTwice: number;
  /** Per kill: ms from the SIGKILL to the next call the API accepted. */
  readonly resumeMs: number[];
}

/**
 * Workers run one after another as an operator's supervisor would: each is SIGKILLed while
 * calls are at the API and replaced at once. Counts at the simulator.
 */
async function killAndRestart(
  sim: RunningSimulator,
  env: Record<string, string>,
  keys: readonly string[],
  kills: number,
  killAfter: () => number,
  apiLatencyMaxMs: number,
): Promise<KillRun> {
  let worker: WorkerProcess | undefined;
  cleanups.push(async () => worker && killHard(worker));
  const killedAt: number[] = [];
  for (let kill = 0; kill < kills; kill++) {
    worker = spawnWorker({ ...env, PORT: String(await freePort()) });
    // Kill only while calls are going out, so every kill leaves calls at the API.
    const before = (await acceptedTimes(sim)).length;
    await eventually(async () => ((await acceptedTimes(sim)).length > before + 20 ? true : undefined), "calls from the new worker", 60_000);
    await new Promise((resolve) => setTimeout(resolve, killAfter()));
    await killHard(worker);
    killedAt.push(Date.now());
  }
  worker = spawnWorker({ ...env, PORT: String(await freePort()) });
  const counts = await eventually(
    async () => {
      const counts = await callsPerKey(sim);
      return keys.every((key) => counts.has(key)) ? counts : undefined;
    },
    `${keys.length} requests placed`,
    180_000,
  );
  const accepted = await acceptedTimes(sim);
  return {
    placed: counts.size,
    calledTwice: [...counts.values()].filter((n) => n > 1).length,
    // Requests the killed worker had sent still land for up to the API's latency; the next worker's come after.
    resumeMs: killedAt.map((at) => (accepted.find((t) => t > at + apiLatencyMaxMs + 50) ?? Number.POSITIVE_INFINITY) - at),
  };
}

describe("faults", () => {
  it("SIGKILL ×5 at default settings but a rate of 100/s (20 calls at once, API latency 50–150 ms, default call lifetimes): each placed once, resumed within 10 s", {
    timeout: 300_000,
  }, async () => {
    // The simulator's default call lifetime (5 s queued + 20 s active) bounds its 409 guard: a
    // worker that took longer than that to retry a killed worker's calls would call people twice.
    const sim = await startSimulator({ latency_ms: 100, latency_jitter_ms: 50, latency_distribution: "uniform" });
    cleanups.push(() => sim.sim.close());
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const topics = await createTopics(brokers, 6);
    const batch = requests(2_000);
    await produceRequests(brokers, topics.callRequests, batch);
    const run = await killAndRestart(
      sim,
      workerProcessEnv({ brokers, topics, simUrl: sim.url, redisUrl: redis.url }, { RATE_LIMIT_PER_SECOND: "100" }),
      batch.map((r) => r.idempotency_key),
      5,
      () => 1_000 + Math.random() * 1_000,
      150,
    );
    console.info(
      `SIGKILL ×5 (defaults, 100/s): ${run.placed} placed, ${run.calledTwice} called twice, resumed after ${run.resumeMs.join(", ")} ms`,
    );
    expect(run).toMatchObject({ placed: batch.length, calledTwice: 0 });
    expect(run.resumeMs.every((ms) => ms <= 10_000)).toBe(true);
    expect(await readAll(brokers, topics.deadLetters)).toHaveLength(0);
  });

  it("SIGKILL ×6 soon after each restart, faster and wider (400/s, 40 at once, 5 ms latency), default call lifetimes: each placed once", {
    timeout: 300_000,
  }, async () => {
    const sim = await startSimulator({ latency_ms: 5 });
    cleanups.push(() => sim.sim.close());
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const topics = await createTopics(brokers, 6);
    const batch = requests(4_000);
    await produceRequests(brokers, topics.callRequests, batch);
    const run = await killAndRestart(
      sim,
      workerProcessEnv(
        { brokers, topics, simUrl: sim.url, redisUrl: redis.url },
        { RATE_LIMIT_PER_SECOND: "400", RATE_LIMIT_BURST: "100", MAX_CONCURRENT_CALLS: "40", BACKOFF_BASE_MS: "50", BACKOFF_MAX_MS: "500" },
      ),
      batch.map((r) => r.idempotency_key),
      6,
      () => 200 + Math.random() * 1_500,
      5,
    );
    console.info(`SIGKILL ×6, harsh: ${run.placed} placed, ${run.calledTwice} called twice, resumed after ${run.resumeMs.join(", ")} ms`);
    expect(run).toMatchObject({ placed: batch.length, calledTwice: 0 });
    expect(await readAll(brokers, topics.deadLetters)).toHaveLength(0);
  });

  it("two replicas at a slow rate, a third joining and leaving mid-run (two rebalances): no key called twice", {
    timeout: 180_000,
  }, async () => {
    const sim = await startSimulator({ latency_ms: 100, latency_jitter_ms: 50, latency_distribution: "uniform" });
    cleanups.push(() => sim.sim.close());
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const topics = await createTopics(brokers, 6);
    const group = { KAFKA_GROUP_ID: uniqueName("replicas"), RATE_LIMIT_PER_SECOND: "20", RATE_LIMIT_BURST: "5", MAX_CONCURRENT_CALLS: "5" };
    const replica = () => startTestWorker(brokers, { simUrl: sim.url, topics, redisUrl: redis.url, env: group });
    const a = await replica();
    cleanups.push(() => a.stop());
    const b = await replica();
    cleanups.push(() => b.stop());
    const batch = requests(300);
    await produceRequests(brokers, topics.callRequests, batch);
    await eventually(async () => ((await callsPerKey(sim)).size >= 60 ? true : undefined), "60 calls before the rebalance");
    const c = await replica();
    await eventually(async () => ((await callsPerKey(sim)).size >= 120 ? true : undefined), "60 more calls with three replicas");
    await c.stop();
    await everyRequestPlacedOnce(
      sim,
      batch.map((r) => r.idempotency_key),
    );
  });

  it("the API failing 30% with 500 and 429: all placed once, none lost", { timeout: 180_000 }, async () => {
    const sim = await startSimulator({ error_rate: 0.15, throttle_rate: 0.15, retry_after_seconds: 1 });
    cleanups.push(() => sim.sim.close());
    const t: TestWorker = await startTestWorker(brokers, {
      simUrl: sim.url,
      env: { MAX_ATTEMPTS: "12", RETRY_AFTER_MAX_MS: "100", RATE_LIMIT_PER_SECOND: "2000", RATE_LIMIT_BURST: "200" },
    });
    cleanups.push(() => t.stop());
    const batch = requests(1_000);
    await produceRequests(brokers, t.topics.callRequests, batch);
    await everyRequestPlacedOnce(
      sim,
      batch.map((r) => r.idempotency_key),
    );
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { responses: Record<string, number> };
    expect(stats.responses["500"]).toBeGreaterThan(50);
    expect(stats.responses["429"]).toBeGreaterThan(50);
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);
  });

  it.each([
    ["restarted mid-run", 1_000, "100", 600, 100],
    // Longer than CLAIM_LEASE_MS (4 s): every claim the worker holds lapses, and Redis comes back without them.
    ["away longer than a claim's lease, back empty, with hundreds of requests waiting", 6_000, "20", 500, 40],
  ])(
    "Redis %s: calls resume within 10 s of its return, each placed once",
    { timeout: 180_000 },
    async (_name, awayMs, rate, count, before) => {
      const sim = await startSimulator();
      cleanups.push(() => sim.sim.close());
      const redis = await startRedisServer();
      cleanups.push(() => redis.stop());
      const t = await startTestWorker(brokers, {
        simUrl: sim.url,
        redisUrl: redis.url,
        env: { RATE_LIMIT_PER_SECOND: rate, RATE_LIMIT_BURST: "5" },
      });
      cleanups.push(() => t.stop());
      const batch = requests(count);
      await produceRequests(brokers, t.topics.callRequests, batch);
      await eventually(async () => ((await callsPerKey(sim)).size >= before ? true : undefined), `${before} calls before Redis goes`);
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, awayMs));
      await redis.start();
      const backAt = Date.now();
      const resumedAt = await eventually(
        async () => (await acceptedTimes(sim)).find((at) => at > backAt),
        "a call after Redis is back",
        60_000,
      );
      console.info(`Redis back after ${awayMs} ms: calls resumed ${resumedAt - backAt} ms later`);
      expect(resumedAt - backAt).toBeLessThanOrEqual(10_000);
      await everyRequestPlacedOnce(
        sim,
        batch.map((r) => r.idempotency_key),
      );
    },
  );

  it("the broker restarted mid-run: the worker resumes", { timeout: 240_000 }, async () => {
    const instance = uniqueName("worker-broker");
    const env = process.env;
    const broker = await startKafka({ name: instance, env, fresh: true, port: await freePortBelowEphemeralRange() });
    cleanups.push(() => deleteKafkaInstance({ name: instance, env }));
    const sim = await startSimulator();
    cleanups.push(() => sim.sim.close());
    const t = await startTestWorker(broker.brokers, { simUrl: sim.url, env: { RATE_LIMIT_PER_SECOND: "50", RATE_LIMIT_BURST: "5" } });
    cleanups.push(() => t.stop());
    const batch = requests(400);
    await produceRequests(broker.brokers, t.topics.callRequests, batch);
    await eventually(async () => ((await callsPerKey(sim)).size >= 50 ? true : undefined), "50 calls before the restart");
    await restartKafka({ name: instance, env });
    await everyRequestPlacedOnce(
      sim,
      batch.map((r) => r.idempotency_key),
      180_000,
    );
    const results = await eventually(async () => {
      const records = await readAll(broker.brokers, t.topics.callResults);
      return records.length >= batch.length ? records : undefined;
    }, "a result per request");
    expect(new Set(results.map((r) => String(r.key)))).toEqual(new Set(batch.map((r) => r.idempotency_key)));
  });
});
