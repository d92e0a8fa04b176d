import { DLQ_HEADERS, DLQ_MAX_KEY_BYTES } from "@callbridge/schemas";
import { freePort } from "@callbridge/test-infra";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTopics, eventually, jsonOf, kafkaClient, produceRequests, readAll } from "../support/kafka.js";
import { startSimulator } from "../support/simulator.js";
import { killHard, spawnWorker, workerProcessEnv } from "../support/worker-process.js";
import { callRequest, startTestWorker } from "../support/worker-stack.js";

// Records at the broker's size limit (max.message.bytes, 1,048,588 bytes by default): what the
// worker writes about them must still land.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe("record sizes", () => {
  it("oversized poison records between good ones (a huge value, a huge key): dead-lettered cut and flagged, the good ones placed, committed past, prompt SIGTERM", {
    timeout: 120_000,
  }, async () => {
    const sim = await startSimulator();
    cleanups.push(() => sim.sim.close());
    const topics = await createTopics(brokers, 1);
    const good = Array.from({ length: 10 }, () => callRequest());
    const poison = "p".repeat(1_048_440);
    // One produce call each: the poison only just fits the topic alone.
    await produceRequests(brokers, topics.callRequests, good.slice(0, 1));
    await produceRequests(brokers, topics.callRequests, [{ raw: poison, key: "poison" }]);
    // Its neighbour: a key far longer than a dead letter keeps (DLQ_MAX_KEY_BYTES).
    const hugeKey = "k".repeat(100_000);
    await produceRequests(brokers, topics.callRequests, [{ raw: "not json", key: hugeKey }]);
    await produceRequests(brokers, topics.callRequests, good.slice(1));
    const env = workerProcessEnv({ brokers, topics, simUrl: sim.url }, { PORT: String(await freePort()), COMMIT_INTERVAL_MS: "200" });
    const worker = spawnWorker(env);
    cleanups.push(() => killHard(worker));

    const letters = await eventually(
      async () => {
        const found = await readAll(brokers, topics.deadLetters);
        return found.length >= 2 ? found : undefined;
      },
      `the poisons' dead letters (worker said: ${worker.output().slice(-2_000)})`,
    );
    const letter = letters.find((l) => String(l.key) === "poison");
    const keyLetter = letters.find((l) => String(l.key) !== "poison");
    expect(keyLetter?.headers).toMatchObject({ [DLQ_HEADERS.reason]: "invalid_message", [DLQ_HEADERS.keyTruncated]: "true" });
    expect(String(keyLetter?.key)).toBe(hugeKey.slice(0, DLQ_MAX_KEY_BYTES));
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "invalid_message",
      [DLQ_HEADERS.valueTruncated]: "true",
      [DLQ_HEADERS.originalValueBytes]: String(poison.length),
    });
    expect(String(letter?.value)).toBe(poison.slice(0, String(letter?.value).length));
    await eventually(async () => {
      const { calls } = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: unknown[] };
      return calls.length === good.length ? true : undefined;
    }, "every good request placed");
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await eventually(
      async () => ((await admin.consumerLag(env.KAFKA_GROUP_ID ?? "", topics.callRequests)).every((p) => p.lag === 0) ? true : undefined),
      "the group to commit past the poison",
    );

    const stopping = Date.now();
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    // Well inside SHUTDOWN_TIMEOUT_MS (30 s): nothing was left retrying.
    expect(Date.now() - stopping).toBeLessThan(15_000);
  });

  it("a result whose request carries a context near the limit lands, without the context, saying how large it was", {
    timeout: 120_000,
  }, async () => {
    // An API that takes a body of a megabyte (the simulator's default limit is 64 KiB).
    const sim = await startSimulator({}, { SIM_MAX_BODY_BYTES: "2000000" });
    cleanups.push(() => sim.sim.close());
    const t = await startTestWorker(brokers, { simUrl: sim.url });
    cleanups.push(() => t.stop());
    // The request only just fits its topic; its result, which adds the call, does not.
    const base = callRequest({ context: { notes: "" } });
    const request = { ...base, context: { notes: "n".repeat(1_048_400 - JSON.stringify(base).length) } };
    await produceRequests(brokers, t.topics.callRequests, [request]);
    const [result] = await eventually(async () => {
      const records = await readAll(brokers, t.topics.callResults);
      return records.length > 0 ? records : undefined;
    }, "the result");
    expect(jsonOf(result as never)).toMatchObject({ outcome: "placed", idempotency_key: request.idempotency_key, context: {} });
    expect(Number(result?.headers["callbridge.result.context_dropped_bytes"])).toBeGreaterThan(1_048_000);
    expect(await t.registry.metrics()).toMatch(/^callbridge_worker_trimmed_records_total\{topic="results"\} 1$/m);
  });
});
