import { deleteKafkaInstance, freePort, freePortBelowEphemeralRange, startKafka, stopKafka, uniqueName } from "@callbridge/test-infra";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTopics, eventually, produceRequests } from "../support/kafka.js";
import { type RunningSimulator, SIM_TOKEN, startSimulator } from "../support/simulator.js";
import { killHard, spawnWorker, type WorkerProcess, workerProcessEnv } from "../support/worker-process.js";
import { callRequest } from "../support/worker-stack.js";

// The worker as an operator runs it: `node apps/worker/dist/main.js` with env only.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function callCount(sim: RunningSimulator): Promise<number> {
  return ((await (await fetch(`${sim.url}/_sim/stats`)).json()) as { calls: number }).calls;
}

describe("node apps/worker/dist/main.js", () => {
  it("on SIGTERM stops fetching, lets in-flight calls finish, commits and exits 0; a successor places the rest once", {
    timeout: 120_000,
  }, async () => {
    const sim = await startSimulator({ latency_ms: 300 });
    cleanups.push(() => sim.sim.close());
    const topics = await createTopics(brokers, 3);
    const batch = Array.from({ length: 60 }, () => {
      const request = callRequest({ allow_duplicates: true });
      return { ...request, context: { key: request.idempotency_key } };
    });
    await produceRequests(brokers, topics.callRequests, batch);
    const env = workerProcessEnv(
      { brokers, topics, simUrl: sim.url },
      {
        RATE_LIMIT_PER_SECOND: "20",
        RATE_LIMIT_BURST: "5",
        MAX_CONCURRENT_CALLS: "5",
        COMMIT_INTERVAL_MS: "200",
        SHUTDOWN_TIMEOUT_MS: "10000",
      },
    );
    const port = await freePort();
    const first: WorkerProcess = spawnWorker({ ...env, PORT: String(port) });
    cleanups.push(() => killHard(first));
    await eventually(async () => ((await callCount(sim)) >= 5 ? true : undefined), "the first calls");
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toMatchObject({ ready: true, joined: true, circuit: "closed" });

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const placedByFirst = await callCount(sim);
    expect(placedByFirst).toBeLessThan(batch.length);

    const second = spawnWorker({ ...env, PORT: String(await freePort()) });
    cleanups.push(() => killHard(second));
    const calls = await eventually(async () => {
      const { calls } = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: { context: { key: string } }[] };
      return calls.length >= batch.length ? calls : undefined;
    }, "every request placed");
    const keys = calls.map((c) => c.context.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys)).toEqual(new Set(batch.map((r) => r.idempotency_key)));
  });

  it("/readyz answers 503 naming Kafka while the broker is away, and 200 again by itself when it is back", {
    timeout: 180_000,
  }, async () => {
    const instance = uniqueName("worker-readyz");
    cleanups.push(() => deleteKafkaInstance({ name: instance, env: process.env }));
    const broker = await startKafka({ name: instance, env: process.env, fresh: true, port: await freePortBelowEphemeralRange() });
    const sim = await startSimulator();
    cleanups.push(() => sim.sim.close());
    const topics = await createTopics(broker.brokers, 1);
    const port = await freePort();
    const worker = spawnWorker({ ...workerProcessEnv({ brokers: broker.brokers, topics, simUrl: sim.url }), PORT: String(port) });
    cleanups.push(() => killHard(worker));
    const readyz = async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return answer && { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    await eventually(async () => ((await readyz())?.status === 200 ? true : undefined), "ready at start");

    await stopKafka({ name: instance, env: process.env });
    const away = await eventually(
      async () => {
        // The group may leave first (503 with Kafka still "reachable"); the probe names Kafka
        // within its interval plus timeout (~5 s), which is what an operator reads.
        const answer = await readyz();
        return answer?.status === 503 && answer.body.kafka === "unreachable" ? answer : undefined;
      },
      "not ready, naming Kafka, while the broker is away",
      30_000,
    );
    expect(away.body).toMatchObject({ ready: false, kafka: "unreachable" });
    expect(String(away.body.kafkaReason)).not.toBe("");

    await startKafka({ name: instance, env: process.env });
    const back = await eventually(
      async () => {
        const answer = await readyz();
        return answer?.status === 200 ? answer : undefined;
      },
      "ready again once the broker is back",
      90_000,
    );
    expect(back.body).toMatchObject({ ready: true, kafka: "reachable", joined: true });
    expect(worker.child.exitCode).toBeNull();
  });

  it("says in one line that Kafka cannot be reached, naming the setting, and exits 1", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const worker = spawnWorker({
      KAFKA_BROKERS: `127.0.0.1:${port}`,
      TALKOVER_BASE_URL: "http://127.0.0.1:1",
      TALKOVER_API_TOKEN: SIM_TOKEN,
      PORT: String(await freePort()),
    });
    expect(await worker.exited).toBe(1);
    const problems = worker
      .output()
      .split("\n")
      .filter((line) => /"level":"(error|fatal)"/.test(line));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`cannot reach Kafka at 127.0.0.1:${port} (KAFKA_BROKERS)`);
  });

  it("exits 1 naming CONSUMER_SESSION_TIMEOUT_MS when the broker refuses it, instead of hanging unready", { timeout: 60_000 }, async () => {
    const worker = spawnWorker({
      KAFKA_BROKERS: brokers,
      KAFKA_GROUP_ID: uniqueName("session"),
      TALKOVER_BASE_URL: "http://127.0.0.1:1",
      TALKOVER_API_TOKEN: SIM_TOKEN,
      PORT: String(await freePort()),
      // Below the broker's group.min.session.timeout.ms (6000).
      CONSUMER_SESSION_TIMEOUT_MS: "3000",
      CLAIM_LEASE_MS: "2000",
    });
    expect(await worker.exited).toBe(1);
    const fatal = worker
      .output()
      .split("\n")
      .filter((line) => line.includes('"level":"fatal"'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain("the broker refused CONSUMER_SESSION_TIMEOUT_MS=3000");
  });

  it("refuses to start on bad settings, naming each and never the token", async () => {
    const worker = spawnWorker({
      KAFKA_BROKERS: `${brokers},garbage`,
      TALKOVER_API_TOKEN: "sk_live_very_secret",
      RATE_LIMIT_PER_SECOND: "fast",
    });
    expect(await worker.exited).toBe(2);
    const output = worker.output();
    expect(output).toContain("KAFKA_BROKERS: garbage has no port");
    expect(output).toContain("TALKOVER_BASE_URL: is required");
    expect(output).toContain("TALKOVER_API_TOKEN: is required and must be a talq_ token");
    expect(output).toContain("RATE_LIMIT_PER_SECOND: ");
    expect(output).not.toContain("sk_live_very_secret");
  });
});
