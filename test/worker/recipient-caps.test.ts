import { type CallResult, SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import { freePort, startRedisServer } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTopics, eventually, produceRequests } from "../support/kafka.js";
import { resultsUntil, windowOpeningSoon, writePolicy } from "../support/recipients.js";
import { callsPerKey } from "../support/sim-calls.js";
import { type RunningSimulator, SIM_TOKEN, startSimulator } from "../support/simulator.js";
import { killHard, spawnWorker, type WorkerProcess, workerProcessEnv } from "../support/worker-process.js";
import { callRequest, startTestWorker, type TestWorker } from "../support/worker-stack.js";

// Frequency caps across campaigns and replicas, and the do-not-call list (docs/recipient-protection.md),
// against the real broker, Redis and the simulator.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Windows out of the way (test calls bypass them), so the hour does not decide these tests. */
const ANY_HOUR = `kind: recipient-policy
version: 1
testing_bypasses_window: true
`;

async function simulator(): Promise<RunningSimulator> {
  const sim = await startSimulator();
  cleanups.push(() => sim.sim.close());
  return sim;
}

async function redisServer(): Promise<{ url: string; client: Redis }> {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  const client = new Redis(server.url);
  cleanups.push(() => client.quit());
  return { url: server.url, client };
}

async function setStatus(sim: RunningSimulator, campaignId: string, status: string): Promise<void> {
  const response = await fetch(`${sim.url}/api/v1/campaigns/${campaignId}/status`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${SIM_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ status }),
  });
  expect(response.status).toBe(200);
}

function request(to: string, overrides: Parameters<typeof callRequest>[0] = {}) {
  const r = callRequest({ to, allow_duplicates: true, is_testing: true, ...overrides });
  return { ...r, context: { key: r.idempotency_key } };
}

const resultsOf = (topic: string, until: (all: CallResult[]) => boolean, what: string, timeoutMs?: number) =>
  resultsUntil(brokers, topic, until, what, timeoutMs);

const count = (all: CallResult[], outcome: CallResult["outcome"]) => all.filter((r) => r.outcome === outcome).length;

async function listNumber(redis: Redis, number: string, reason: "do_not_call" | "opt_out"): Promise<void> {
  await redis.hset(SUPPRESSION_LIST_KEY, number, JSON.stringify({ reason, source: "test", added_at: new Date().toISOString() }));
}

describe("frequency caps across campaigns", () => {
  it("5 requests for one number across 3 campaigns, 2 replicas, cap 3 per 24 h: 3 placed, 2 deferred until a call leaves the period", {
    timeout: 180_000,
  }, async () => {
    const sim = await simulator();
    await setStatus(sim, "campaign-draft", "active");
    await setStatus(sim, "campaign-paused", "active");
    const redis = await redisServer();
    const topics = await createTopics(brokers, 4);
    const policy = writePolicy(`${ANY_HOUR}frequency_cap: { max_calls: 3, per_hours: 24, over_cap: defer }\n`);
    const env = workerProcessEnv(
      { brokers, topics, simUrl: sim.url, redisUrl: redis.url },
      { RECIPIENT_GUARD: "on", RECIPIENT_POLICY_FILE: policy },
    );
    const replicas: WorkerProcess[] = [];
    cleanups.push(async () => Promise.all(replicas.map(killHard)));
    for (let i = 0; i < 2; i++) replicas.push(spawnWorker({ ...env, PORT: String(await freePort()) }));
    const number = "+14155550199";
    const campaigns = ["campaign-uuid-1", "campaign-draft", "campaign-paused", "campaign-uuid-1", "campaign-draft"];
    const batch = campaigns.map((campaign_id) => request(number, { campaign_id }));
    const sentAt = Date.now();
    await produceRequests(brokers, topics.callRequests, batch);

    const all = await resultsOf(topics.callResults, (rs) => count(rs, "placed") + count(rs, "deferred") >= 5, "5 results", 120_000);
    expect(count(all, "placed")).toBe(3);
    const deferred = all.filter((r) => r.outcome === "deferred");
    expect(deferred).toHaveLength(2);
    for (const r of deferred) {
      expect(r).toMatchObject({ reason: "frequency_cap" });
      const notBefore = Date.parse((r as { not_before: string }).not_before);
      expect(notBefore).toBeGreaterThan(sentAt + 24 * 3_600_000 - 60_000);
      expect(notBefore).toBeLessThan(Date.now() + 24 * 3_600_000 + 1_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const calls = await callsPerKey(sim);
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(3);
    expect(await redis.client.zcard(`callbridge:recipient-calls:${number}`)).toBe(3);
  });
});

describe("the do-not-call list and consent", () => {
  it("a listed number is never called; a request without consent is suppressed; both say why", { timeout: 120_000 }, async () => {
    const sim = await simulator();
    const redis = await redisServer();
    const policy = writePolicy(ANY_HOUR);
    const t: TestWorker = await startTestWorker(brokers, {
      simUrl: sim.url,
      redisUrl: redis.url,
      env: { RECIPIENT_GUARD: "on", RECIPIENT_POLICY_FILE: policy },
    });
    cleanups.push(() => t.stop());
    await listNumber(redis.client, "+14155550142", "do_not_call");
    const listed = request("+14155550142");
    const noConsent = request("+14155550143", { consent: false });
    const consented = request("+14155550144", { consent: true });
    await produceRequests(brokers, t.topics.callRequests, [listed, noConsent, consented]);
    const all = await resultsOf(t.topics.callResults, (rs) => rs.length >= 3, "3 results");
    const of = (key: string) => all.find((r) => r.idempotency_key === key);
    expect(of(listed.idempotency_key)).toMatchObject({ outcome: "suppressed", reason: "do_not_call", attempts: 0 });
    expect(of(noConsent.idempotency_key)).toMatchObject({ outcome: "suppressed", reason: "no_consent", attempts: 0 });
    expect(of(consented.idempotency_key)).toMatchObject({ outcome: "placed" });
    expect(JSON.stringify(of(listed.idempotency_key))).not.toContain('detail":"+1415');
    const calls = await callsPerKey(sim);
    expect([...calls.keys()]).toEqual([consented.idempotency_key]);
    const metrics = await t.registry.metrics();
    expect(metrics).toMatch(/callbridge_worker_recipient_suppressions_total\{reason="do_not_call"\} 1/);
    expect(metrics).toMatch(/callbridge_worker_recipient_suppressions_total\{reason="no_consent"\} 1/);
  });

  it("an opt-out reaches requests already waiting: one deferred for its window and one parked are not called when they come due", {
    timeout: 180_000,
  }, async () => {
    const sim = await simulator();
    const redis = await redisServer();
    const { base, policy, opensAtMs } = windowOpeningSoon(20);
    const t = await startTestWorker(brokers, {
      simUrl: sim.url,
      redisUrl: redis.url,
      env: { RECIPIENT_GUARD: "on", RECIPIENT_POLICY_FILE: policy, PARK_POLL_INTERVAL_MS: "2000" },
    });
    cleanups.push(() => t.stop());
    const waiting = request(`${base}31`, { is_testing: false });
    const parked = request(`${base}32`, { is_testing: false, campaign_id: "campaign-paused" });
    const control = request(`${base}33`, { is_testing: false });
    await produceRequests(brokers, t.topics.callRequests, [waiting, control]);
    await resultsOf(t.topics.callResults, (rs) => count(rs, "deferred") >= 2, "2 deferred");
    // The parked one must reach the API (and be refused) inside the window: it is sent once the window is open.
    await listNumber(redis.client, waiting.to, "opt_out");
    // Listed while it waits: its window has not opened yet.
    expect(Date.now()).toBeLessThan(opensAtMs);
    await eventually(async () => ((await callsPerKey(sim)).has(control.idempotency_key) ? true : undefined), "the control placed", 60_000);
    await produceRequests(brokers, t.topics.callRequests, [parked]);
    await resultsOf(
      t.topics.callResults,
      (rs) => rs.some((r) => r.idempotency_key === parked.idempotency_key && r.outcome === "parked"),
      "parked",
    );
    await listNumber(redis.client, parked.to, "opt_out");
    await setStatus(sim, "campaign-paused", "active");

    const all = await resultsOf(t.topics.callResults, (rs) => rs.filter((r) => r.outcome === "suppressed").length >= 2, "2 suppressed");
    for (const key of [waiting.idempotency_key, parked.idempotency_key]) {
      expect(all.find((r) => r.idempotency_key === key && r.outcome === "suppressed")).toMatchObject({ reason: "opt_out" });
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect([...(await callsPerKey(sim)).keys()]).toEqual([control.idempotency_key]);
  });
});
