import { createLogger, createRegistry } from "@callbridge/observability";
import { CallResult, DEFERRAL_HEADERS, DLQ_HEADERS } from "@callbridge/schemas";
import { freePort, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { buildWorker, deferralRecord, loadConfig } from "@callbridge/worker";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTopics, eventually, jsonOf, kafkaClient, produceRequests, readAll } from "../support/kafka.js";
import { callsPerKey, everyRequestPlacedOnce } from "../support/sim-calls.js";
import { type RunningSimulator, SIM_TOKEN, startSimulator } from "../support/simulator.js";
import { killHard, spawnWorker, type WorkerProcess, workerProcessEnv } from "../support/worker-process.js";
import { callRequest, startTestWorker, type TestWorker } from "../support/worker-stack.js";

// Durable deferral and parking (docs/deferral.md) against the real broker and the simulator:
// a paused campaign parks its requests and they are placed once when it is active, across
// SIGKILLs; a short deferral is not held back by a long one; parked requests expire.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function simulator(): Promise<RunningSimulator> {
  const sim = await startSimulator();
  cleanups.push(() => sim.sim.close());
  return sim;
}

async function worker(sim: RunningSimulator, env: Record<string, string> = {}, redisUrl?: string): Promise<TestWorker> {
  const t = await startTestWorker(brokers, { simUrl: sim.url, env, ...(redisUrl ? { redisUrl } : {}) });
  cleanups.push(() => t.stop());
  return t;
}

/** Requests whose context carries their key, so calls can be counted per request at the simulator. */
function requests(count: number, campaignId: string) {
  return Array.from({ length: count }, () => {
    const request = callRequest({ campaign_id: campaignId, allow_duplicates: true });
    return { ...request, context: { key: request.idempotency_key } };
  });
}

async function campaignReads(sim: RunningSimulator): Promise<number> {
  const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { campaign_reads: Record<string, number> };
  return Object.values(stats.campaign_reads).reduce((sum, n) => sum + n, 0);
}

async function setStatus(sim: RunningSimulator, campaignId: string, status: string): Promise<void> {
  const response = await fetch(`${sim.url}/api/v1/campaigns/${campaignId}/status`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${SIM_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ status }),
  });
  expect(response.status).toBe(200);
}

async function results(topic: string, outcome: CallResult["outcome"], count: number): Promise<CallResult[]> {
  return eventually(
    async () => {
      const found = (await readAll(brokers, topic)).map((r) => CallResult.parse(jsonOf(r))).filter((r) => r.outcome === outcome);
      return found.length >= count ? found : undefined;
    },
    `${count} ${outcome} results`,
    120_000,
  );
}

describe("parking and redrive", () => {
  it("50 requests to a paused campaign park at the default settings; activated, all 50 are placed once within one poll interval and the lateness; again, nothing", {
    timeout: 180_000,
  }, async () => {
    const sim = await simulator();
    const t = await worker(sim);
    const batch = requests(50, "campaign-paused");
    await produceRequests(brokers, t.topics.callRequests, batch);
    const parked = await results(t.topics.callResults, "parked", 50);
    expect(new Set(parked.map((r) => r.idempotency_key)).size).toBe(50);
    expect(parked[0]).toMatchObject({ reason: "campaign_not_active", campaign_status: "paused", attempts: 1 });
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);
    expect((await callsPerKey(sim)).size).toBe(0);
    // One read for 50 parked requests, not 50.
    expect(await campaignReads(sim)).toBeLessThanOrEqual(2);

    const activatedAt = Date.now();
    await setStatus(sim, "campaign-paused", "active");
    await everyRequestPlacedOnce(
      sim,
      batch.map((r) => r.idempotency_key),
      90_000,
    );
    const placed = await results(t.topics.callResults, "placed", 50);
    const lastPlacedMs = Math.max(...placed.map((r) => Date.parse(r.decided_at)));
    const tookMs = lastPlacedMs - activatedAt;
    console.info(`parked ×50: all placed ${tookMs} ms after the activation (PARK_POLL_INTERVAL_MS 30000)`);
    // The promise: one poll interval, plus the deferral's stated lateness (5 s).
    expect(tookMs).toBeLessThanOrEqual(30_000 + 5_000);
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);

    await setStatus(sim, "campaign-paused", "active");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect([...(await callsPerKey(sim)).values()].every((n) => n === 1)).toBe(true);
    expect((await callsPerKey(sim)).size).toBe(50);
  });

  it("SIGKILL while requests are parked and again during the redrive (Redis, polls every 2 s): 0 lost, 0 called twice", {
    timeout: 240_000,
  }, async () => {
    const sim = await simulator();
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const topics = await createTopics(brokers, 3);
    const env = workerProcessEnv({ brokers, topics, simUrl: sim.url, redisUrl: redis.url }, { PARK_POLL_INTERVAL_MS: "2000" });
    let current: WorkerProcess | undefined;
    cleanups.push(async () => current && killHard(current));
    const start = async () => {
      current = spawnWorker({ ...env, PORT: String(await freePort()) });
    };
    const batch = requests(50, "campaign-draft");
    await produceRequests(brokers, topics.callRequests, batch);
    await start();
    await results(topics.callResults, "parked", 50);
    // Parked and re-parked a few times, then killed.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    if (current) await killHard(current);
    await start();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await callsPerKey(sim)).size).toBe(0);

    await setStatus(sim, "campaign-draft", "active");
    await eventually(async () => ((await callsPerKey(sim)).size >= 10 ? true : undefined), "the redrive to begin", 60_000);
    if (current) await killHard(current);
    await start();
    await everyRequestPlacedOnce(
      sim,
      batch.map((r) => r.idempotency_key),
      120_000,
    );
    expect(await readAll(brokers, topics.deadLetters)).toHaveLength(0);
  });

  it("requests of one key, parked, are placed in their order once the campaign is active (polls every 2 s)", {
    timeout: 120_000,
  }, async () => {
    const sim = await simulator();
    const t = await worker(sim, { PARK_POLL_INTERVAL_MS: "2000" });
    // Three people, three requests each, interleaved as a CRM would send them.
    const people = ["+14155550911", "+14155550912", "+14155550913"];
    const batch = [0, 1, 2].flatMap((n) =>
      people.map((to) => ({ ...callRequest({ campaign_id: "campaign-paused", to, allow_duplicates: true }), payload: { n } })),
    );
    await produceRequests(brokers, t.topics.callRequests, batch);
    await results(t.topics.callResults, "parked", batch.length);
    // Parked, and written again at a few checks.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await setStatus(sim, "campaign-paused", "active");
    const calls = await eventually(
      async () => {
        const { calls } = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: { to: string; payload: { n: number } }[] };
        return calls.length >= batch.length ? calls : undefined;
      },
      "nine calls",
      30_000,
    ).catch(async (error) => {
      // Say what became of the requests, to tell a lost redrive from a slow one.
      const outcomes = (await readAll(brokers, t.topics.callResults)).map((r) => jsonOf<{ outcome: string }>(r).outcome);
      throw new Error(`${String(error)}; results: ${outcomes.join(", ")}`);
    });
    for (const to of people) expect(calls.filter((c) => c.to === to).map((c) => c.payload.n)).toEqual([0, 1, 2]);
  });

  it("requests parked longer than PARK_MAX_AGE_MS=5000 are dead-lettered parked_expired, with the campaign's last status", {
    timeout: 120_000,
  }, async () => {
    const sim = await simulator();
    const t = await worker(sim, { PARK_MAX_AGE_MS: "5000" });
    const batch = requests(3, "campaign-draft");
    await produceRequests(brokers, t.topics.callRequests, batch);
    const letters = await eventually(async () => {
      const records = await readAll(brokers, t.topics.deadLetters);
      return records.length >= 3 ? records : undefined;
    }, "three parked_expired letters");
    for (const letter of letters) {
      expect(letter.headers).toMatchObject({
        [DLQ_HEADERS.reason]: "parked_expired",
        [DLQ_HEADERS.campaignStatus]: "draft",
        [DLQ_HEADERS.errorCode]: "CAMPAIGN_NOT_ACTIVE",
        [DLQ_HEADERS.originalTopic]: t.topics.callRequests,
      });
      // The letter is the request as the ingest wrote it: replayable like any other.
      expect(String(letter.key)).toMatch(/^campaign-draft:\+1/);
      expect(Object.keys(letter.headers).some((name) => name.startsWith("callbridge.deferral."))).toBe(false);
    }
    const expired = await results(t.topics.callResults, "dead_lettered", 3);
    expect(expired.every((r) => r.outcome === "dead_lettered" && r.reason === "parked_expired" && r.campaign_status === "draft")).toBe(
      true,
    );
    expect((await callsPerKey(sim)).size).toBe(0);
  });
});

describe("durable deferral", () => {
  /** Writes a request straight to the tier it would wait in, deferred until `inMs` from now, on partition 0. */
  async function defer(t: TestWorker, inMs: number) {
    const request = { ...callRequest(), context: {} };
    const now = new Date();
    const original = {
      topic: t.topics.callRequests,
      partition: 0,
      offset: "0",
      key: Buffer.from(`${request.campaign_id}:${request.to}`),
      value: Buffer.from(JSON.stringify(request)),
      headers: {},
      timestamp: String(now.getTime()),
    };
    const notBefore = new Date(now.getTime() + inMs).toISOString();
    const deferred = deferralRecord(
      original,
      request.idempotency_key,
      request.campaign_id,
      { reason: "rate_limited", notBefore, count: 1, firstAt: now.toISOString() },
      t.topics.callRequests,
      now,
    );
    const producer = kafkaClient(brokers).producer();
    await producer.connect();
    await producer.send(deferred.topic, [{ ...deferred.record, partition: 0 }]);
    await producer.disconnect();
    return { key: request.idempotency_key, notBeforeMs: Date.parse(notBefore), tier: deferred.topic };
  }

  it("a 429 with Retry-After: 20 (above DEFER_ABOVE_MS) is deferred durably, with a `deferred` event, and placed within 5 s of its not_before", {
    timeout: 120_000,
  }, async () => {
    const sim = await simulator();
    // The defaults of the limits and the deferral (the test stack's short caps put back).
    const t = await worker(sim, {
      RETRY_AFTER_MAX_MS: "900000",
      RATE_LIMIT_PER_SECOND: "10",
      RATE_LIMIT_BURST: "10",
      MAX_CONCURRENT_CALLS: "20",
    });
    await sim.setFaults({ throttle_rate: 1, retry_after_seconds: 20 });
    const request = { ...callRequest(), context: {} };
    await produceRequests(brokers, t.topics.callRequests, [request]);
    const [deferred] = await results(t.topics.callResults, "deferred", 1);
    await sim.setFaults({});
    expect(deferred).toMatchObject({ outcome: "deferred", reason: "rate_limited", deferrals: 1, attempts: 1 });
    const [placed] = await results(t.topics.callResults, "placed", 1);
    const notBefore = deferred?.outcome === "deferred" ? Date.parse(deferred.not_before) : Number.NaN;
    const late = Date.parse(placed?.decided_at ?? "") - notBefore;
    console.info(`429 with Retry-After 20 s: deferred, placed ${late} ms after its not_before`);
    expect(late).toBeGreaterThanOrEqual(-250);
    expect(late).toBeLessThanOrEqual(5_000);
    expect(placed).toMatchObject({ attempts: 2 });
  });

  it("a 2 s deferral is placed on time though a 60 s one was written before it on the same partition; a 2 s one behind a 4.5 s one in the same tier is at most 5 s late", {
    timeout: 120_000,
  }, async () => {
    const sim = await simulator();
    const t = await worker(sim);
    const long = await defer(t, 60_000);
    const short = await defer(t, 2_000);
    const [placedShort] = await results(t.topics.callResults, "placed", 1);
    expect(placedShort?.idempotency_key).toBe(short.key);
    const lateShort = Date.parse(placedShort?.decided_at ?? "") - short.notBeforeMs;
    expect(long.tier).not.toBe(short.tier);

    const ahead = await defer(t, 4_500);
    const behind = await defer(t, 2_000);
    expect(ahead.tier).toBe(behind.tier);
    const placed = await results(t.topics.callResults, "placed", 3);
    const decided = (key: string) => Date.parse(placed.find((r) => r.idempotency_key === key)?.decided_at ?? "");
    const lateBehind = decided(behind.key) - behind.notBeforeMs;
    const lateAhead = decided(ahead.key) - ahead.notBeforeMs;
    console.info(
      `deferral lateness: 2 s beside 60 s ${lateShort} ms; 2 s behind 4.5 s in one tier ${lateBehind} ms; the 4.5 s one ${lateAhead} ms`,
    );
    for (const late of [lateShort, lateBehind, lateAhead]) {
      expect(late).toBeGreaterThanOrEqual(-250);
      expect(late).toBeLessThanOrEqual(5_000);
    }
    // The 60 s one waits its turn.
    expect(placed.some((r) => r.idempotency_key === long.key)).toBe(false);
    const waiting = (await readAll(brokers, long.tier)).filter((r) => String(r.key) === long.key);
    expect(waiting[0]?.headers[DEFERRAL_HEADERS.reason]).toBe("rate_limited");
  });
});

describe("start-up without the tier topics", () => {
  it("with ENSURE_TOPICS=false, refuses to start naming the missing tier topics and how to create them", async () => {
    const names = { callRequests: uniqueName("requests"), deadLetters: uniqueName("dlq"), callResults: uniqueName("results") };
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    await admin.ensureTopics(Object.values(names).map((name) => ({ name, partitions: 1, retentionMs: 3_600_000 })));
    await admin.disconnect();
    const loaded = loadConfig({
      KAFKA_BROKERS: brokers,
      KAFKA_GROUP_ID: uniqueName("worker"),
      CALL_REQUESTS_TOPIC: names.callRequests,
      DLQ_TOPIC: names.deadLetters,
      CALL_RESULTS_TOPIC: names.callResults,
      ENSURE_TOPICS: "false",
      TALKOVER_BASE_URL: "http://127.0.0.1:9",
      TALKOVER_API_TOKEN: SIM_TOKEN,
    });
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const worker = buildWorker(loaded.config, {
      logger: createLogger({ name: "t", level: "silent" }),
      registry: createRegistry(),
      kafkaClientId: uniqueName("w"),
    });
    cleanups.push(() => worker.stop());
    await expect(worker.start()).rejects.toMatchObject({
      kind: "startup",
      what: "topics",
      message: expect.stringMatching(new RegExp(`${names.callRequests}\\.deferred\\.5s.*callbridge topics ensure`)),
    });
  });
});
