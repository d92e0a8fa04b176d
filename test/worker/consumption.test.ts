import { afterEach, describe, expect, inject, it } from "vitest";
import { createTopics, eventually, jsonOf, produceRequests, readAll } from "../support/kafka.js";
import { type RunningSimulator, startSimulator } from "../support/simulator.js";
import { callRequest, startTestWorker, type TestWorker } from "../support/worker-stack.js";

// The in-flight window against a real backlog: a hard bound, shared by the partitions.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function callKeys(sim: RunningSimulator): Promise<string[]> {
  const { calls } = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: { context: { key: string } }[] };
  return calls.map((call) => call.context.key);
}

describe("consumption", () => {
  it("a backlog of 3,000 never puts more than MAX_IN_FLIGHT records in flight, and every partition is served from the start", {
    timeout: 120_000,
  }, async () => {
    const sim = await startSimulator({ latency_ms: 20 });
    cleanups.push(() => sim.sim.close());
    const topics = await createTopics(brokers, 6);
    const batch = Array.from({ length: 3_000 }, () => {
      const request = callRequest({ allow_duplicates: true });
      return { ...request, context: { key: request.idempotency_key } };
    });
    await produceRequests(brokers, topics.callRequests, batch);
    const partitionOf = new Map(
      (await readAll(brokers, topics.callRequests)).map((record) => [
        jsonOf<{ idempotency_key: string }>(record).idempotency_key,
        record.partition,
      ]),
    );

    const t: TestWorker = await startTestWorker(brokers, {
      simUrl: sim.url,
      topics,
      env: { MAX_IN_FLIGHT: "60", RATE_LIMIT_PER_SECOND: "0", MAX_CONCURRENT_CALLS: "10" },
    });
    cleanups.push(() => t.stop());
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, t.worker.readiness().inFlight);
    }, 2);
    cleanups.push(async () => clearInterval(sampler));
    const keys = await eventually(async () => {
      const keys = await callKeys(sim);
      return keys.length >= batch.length ? keys : undefined;
    }, "every request placed");
    clearInterval(sampler);

    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(60);
    expect(new Set(keys).size).toBe(batch.length);
    // Each partition's share is 10: the first 60 calls come from at least five of the six.
    const early = new Set(keys.slice(0, 60).map((key) => partitionOf.get(key)));
    expect(early.size).toBeGreaterThanOrEqual(5);
  });
});
