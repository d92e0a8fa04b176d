import { deleteKafkaInstance, freePortBelowEphemeralRange, startKafka, stopKafka, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { afterAll, describe, expect, it } from "vitest";
import { startTestIngest, type TestIngest } from "./test-support/start-ingest.js";
import { readTopic } from "./test-support/topic-reader.js";

// Fault test on a broker of its own: it is stopped in the middle of a load and started again.
// Whatever got a 2xx must be in the topic afterwards, and nothing may be there twice.

const instance = uniqueName("ingest-outage");
const env = process.env;
let ingest: TestIngest | undefined;

afterAll(async () => {
  await ingest?.stop();
  await deleteKafkaInstance({ name: instance, env });
});

type Outcome = { id: string; status: number };

async function send(t: TestIngest, id: string): Promise<Outcome> {
  const webhook = standardWebhook({
    sourceId: "standard",
    secret: DEV_SECRETS.standardWebhooksSecret,
    id,
    payload: { type: "call.requested", data: { phone: "+14155550142", id } },
  });
  try {
    return { id, status: (await sendWebhook(t.url, webhook)).status };
  } catch {
    return { id, status: 0 };
  }
}

/** Sends `count` webhooks, `concurrency` at a time, with ids `${prefix}-${n}`. */
async function load(t: TestIngest, prefix: string, count: number, concurrency = 4): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        outcomes.push(await send(t, `${prefix}-${n}`));
      }
    }),
  );
  return outcomes;
}

/** Polls `/readyz` until it answers `status` (within 30 s); its body. */
async function untilReadyz(t: TestIngest, status: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await fetch(`${t.url}/readyz`);
    if (answer.status === status) return (await answer.json()) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`/readyz still answers ${answer.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("Kafka outage", () => {
  it("answers 503 while the broker is down, and every 2xx is in the topic exactly once afterwards", { timeout: 180_000 }, async () => {
    // Restarted below on the same port: one outside the ephemeral range, which no outgoing connection takes meanwhile.
    const broker = await startKafka({ name: instance, env, fresh: true, port: await freePortBelowEphemeralRange() });
    ingest = await startTestIngest(broker.brokers, { env: { PRODUCE_TIMEOUT_MS: "1500" } });
    const t = ingest;

    const before = await load(t, "before", 40);
    expect(before.every((o) => o.status === 202)).toBe(true);

    // Stop the broker while a load is running.
    const during = load(t, "during", 30, 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stopKafka({ name: instance, env });
    const duringOutcomes = await during;
    const down = await load(t, "down", 6, 3);
    expect(down.every((o) => o.status === 503)).toBe(true);
    // Readiness says so too (a load balancer stops sending), with the reason.
    const notReady = await untilReadyz(t, 503);
    expect(notReady).toMatchObject({ ready: false, kafka: "unreachable" });
    expect(String(notReady.reason)).not.toBe("");

    await startKafka({ name: instance, env });
    // The producer reconnects by itself: keep sending until Kafka acknowledges again.
    const deadline = Date.now() + 60_000;
    let after: Outcome[] = [];
    while (Date.now() < deadline) {
      after = await load(t, uniqueName("after"), 4, 2);
      if (after.every((o) => o.status === 202)) break;
    }
    expect(after.every((o) => o.status === 202)).toBe(true);
    expect(await untilReadyz(t, 200)).toMatchObject({ ready: true, kafka: "connected" });

    // The CRM retries what got 503: afterwards every event is delivered.
    const refused = [...duringOutcomes, ...down].filter((o) => o.status !== 202);
    const retried = await Promise.all(refused.map((o) => send(t, o.id)));
    expect(retried.every((o) => o.status === 202)).toBe(true);

    const records = await readTopic(broker.brokers, t.topics.callRequests);
    const keys = records.map((r) => (JSON.parse(String(r.value)) as { idempotency_key: string }).idempotency_key);
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    const acknowledged = [...before, ...duringOutcomes, ...down, ...after, ...retried]
      .filter((o) => o.status === 202)
      .map((o) => `standard:${o.id}:standard-call-requested`);
    const missing = acknowledged.filter((key) => !counts.has(key));
    expect(missing).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
  });
});
