import type { ConsumedRecord } from "@callbridge/kafka";
import { CallResult, DLQ_HEADERS } from "@callbridge/schemas";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, jsonOf, produceRequests, readAll } from "../support/kafka.js";
import { type RunningSimulator, startSimulator } from "../support/simulator.js";
import { callRequest, startTestWorker, type TestWorker } from "../support/worker-stack.js";

// Every row of the outcome policy (docs/worker.md#what-happens-to-each-request), checked at the
// simulator and in the result and dead-letter topics.

const brokers = inject("kafkaBrokers");
let sim: RunningSimulator;
let running: TestWorker | undefined;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.sim.close());
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await fetch(`${sim.url}/_sim/reset`, { method: "POST" });
});

async function start(env: Record<string, string> = {}, token?: string): Promise<TestWorker> {
  running = await startTestWorker(brokers, { simUrl: sim.url, env, ...(token ? { token } : {}) });
  return running;
}

async function simCalls(): Promise<
  { id: string; to: string; campaign_id: string; payload: Record<string, unknown>; allow_duplicates: boolean }[]
> {
  return ((await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: [] }).calls;
}

async function simStats(): Promise<{ responses: Record<string, number>; campaign_reads: Record<string, number> }> {
  return (await fetch(`${sim.url}/_sim/stats`)).json() as Promise<{
    responses: Record<string, number>;
    campaign_reads: Record<string, number>;
  }>;
}

async function setTokens(tokens: string[]): Promise<void> {
  await fetch(`${sim.url}/_sim/tokens`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tokens }),
  });
}

async function acceptRotatedToken(): Promise<void> {
  await setTokens(["talq_test_token", "talq_rotated_token"]);
}

async function results(t: TestWorker, count: number): Promise<CallResult[]> {
  return eventually(async () => {
    const records = await readAll(brokers, t.topics.callResults);
    return records.length >= count ? records.map((r) => CallResult.parse(jsonOf(r))) : undefined;
  }, `${count} results`);
}

async function letters(t: TestWorker, count: number): Promise<ConsumedRecord[]> {
  return eventually(async () => {
    const records = await readAll(brokers, t.topics.deadLetters);
    return records.length >= count ? records : undefined;
  }, `${count} dead letters`);
}

async function lagIsZero(t: TestWorker): Promise<void> {
  const { kafkaClient } = await import("../support/kafka.js");
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await eventually(
      async () => ((await admin.consumerLag(t.config.kafka.groupId, t.topics.callRequests)).every((p) => p.lag === 0) ? true : undefined),
      "the group to commit everything",
    );
  } finally {
    await admin.disconnect();
  }
}

describe("outcome policy", () => {
  it("201: placed at the simulator, one placed result, offsets committed", async () => {
    const t = await start();
    const request = callRequest({ payload: { name: "Ada" }, context: { crm_id: "42" } });
    await produceRequests(brokers, t.topics.callRequests, [request]);
    const [result] = await results(t, 1);
    expect(result).toMatchObject({ outcome: "placed", idempotency_key: request.idempotency_key, attempts: 1, context: { crm_id: "42" } });
    const calls = await simCalls();
    expect(calls).toEqual([expect.objectContaining({ to: request.to, payload: { name: "Ada" }, campaign_id: "campaign-uuid-1" })]);
    expect(result?.outcome === "placed" && result.call.id).toBe(calls[0]?.id);
    await lagIsZero(t);
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);
  });

  it("a redelivered request that was placed is not called again", async () => {
    const t = await start();
    const request = callRequest();
    await produceRequests(brokers, t.topics.callRequests, [request, request]);
    const outcomes = (await results(t, 2)).map((r) => r.outcome).sort();
    expect(outcomes).toEqual(["already_placed", "placed"]);
    expect(await simCalls()).toHaveLength(1);
  });

  it.each([
    ["400 campaign not active, and never will be (completed)", "campaign-completed", 400, "CAMPAIGN_NOT_ACTIVE"],
    ["400 campaign not active, and never will be (cancelled)", "campaign-cancelled", 400, "CAMPAIGN_NOT_ACTIVE"],
    ["403 forbidden", "campaign-forbidden", 403, "FORBIDDEN"],
    ["404 unknown campaign", "campaign-gone", 404, "CAMPAIGN_NOT_FOUND"],
  ])("%s: dead-lettered at once with code and body", async (_name, campaignId, status, code) => {
    const t = await start();
    const request = callRequest({ campaign_id: campaignId });
    await produceRequests(brokers, t.topics.callRequests, [request]);
    const [letter] = await letters(t, 1);
    expect(String(letter?.value)).toBe(JSON.stringify(request));
    expect(String(letter?.key)).toBe(`${campaignId}:${request.to}`);
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "http_4xx",
      [DLQ_HEADERS.httpStatus]: String(status),
      [DLQ_HEADERS.errorCode]: code,
      [DLQ_HEADERS.attempts]: "1",
      [DLQ_HEADERS.campaignId]: campaignId,
      [DLQ_HEADERS.originalTopic]: t.topics.callRequests,
      [DLQ_HEADERS.replayCount]: "0",
      "__connect.errors.topic": t.topics.callRequests,
    });
    expect(letter?.headers[DLQ_HEADERS.responseBody]).toContain('"success":false');
    const [result] = await results(t, 1);
    expect(result).toMatchObject({ outcome: "dead_lettered", reason: "http_4xx", http_status: status, error_code: code });
    expect(await simCalls()).toHaveLength(0);
  });

  it("422: dead-lettered with the API's field errors in the body", async () => {
    const t = await start();
    await produceRequests(brokers, t.topics.callRequests, [callRequest({ to: "+1234567" })]);
    const [letter] = await letters(t, 1);
    expect(letter?.headers).toMatchObject({ [DLQ_HEADERS.httpStatus]: "422", [DLQ_HEADERS.errorCode]: "VALIDATION_ERROR" });
    expect(letter?.headers[DLQ_HEADERS.responseBody]).toContain("The to must be a valid phone number.");
  });

  it("409 DUPLICATE_CALL: dead-lettered with the existing call, no second call", async () => {
    const t = await start();
    const first = callRequest();
    const second = callRequest({ to: first.to });
    await produceRequests(brokers, t.topics.callRequests, [first, second]);
    const [letter] = await letters(t, 1);
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "http_4xx",
      [DLQ_HEADERS.httpStatus]: "409",
      [DLQ_HEADERS.errorCode]: "DUPLICATE_CALL",
    });
    const calls = await simCalls();
    expect(calls).toHaveLength(1);
    expect(JSON.parse(letter?.headers[DLQ_HEADERS.existingCall] ?? "{}")).toMatchObject({ id: calls[0]?.id, status: "queued" });
    const duplicate = (await results(t, 2)).find((r) => r.outcome === "dead_lettered");
    expect(duplicate).toMatchObject({ http_status: 409, existing_call: { id: calls[0]?.id, status: "queued" } });
  });

  it("409 DUPLICATE_CALL as a plain outcome when configured", async () => {
    const t = await start({ DUPLICATE_CALL_POLICY: "outcome" });
    const first = callRequest();
    await produceRequests(brokers, t.topics.callRequests, [first, callRequest({ to: first.to })]);
    const outcomes = (await results(t, 2)).map((r) => r.outcome).sort();
    expect(outcomes).toEqual(["duplicate", "placed"]);
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);
  });

  it("409 after an ambiguous attempt (connection cut after the API accepted) counts as placed", async () => {
    const t = await start();
    await sim.setFaults({ drop_rate: 1 });
    const request = callRequest({ allow_duplicates: true });
    await produceRequests(brokers, t.topics.callRequests, [request]);
    await eventually(
      async () => ((await (await fetch(`${sim.url}/_sim/stats`)).json()) as { dropped: number }).dropped >= 1 || undefined,
      "a dropped attempt",
    );
    await sim.setFaults({});
    const [result] = await results(t, 1);
    const calls = await simCalls();
    expect(calls).toHaveLength(1);
    expect(result).toMatchObject({ outcome: "placed", call: { id: calls[0]?.id } });
    expect(result?.attempts).toBeGreaterThanOrEqual(2);
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);
  });

  it("409 after a 5xx, the existing call an earlier request's: not counted as placed; placed results match the API's 201s", async () => {
    const t = await start({ BACKOFF_BASE_MS: "200" });
    const earlier = callRequest();
    await produceRequests(brokers, t.topics.callRequests, [earlier]);
    await eventually(async () => ((await simCalls()).length === 1 ? true : undefined), "the earlier request placed");
    // Past the allowance for the API's whole-second created_at (CLOCK_SKEW_ALLOWANCE_MS): clearly an earlier call.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // The next request to the same number meets a 500 (ambiguous to a client), then the 409 of the earlier call.
    await sim.setFaults({ error_rate: 1 });
    const later = callRequest({ to: earlier.to });
    await produceRequests(brokers, t.topics.callRequests, [later]);
    await eventually(async () => ((await simStats()).responses["500"] ?? 0) >= 1 || undefined, "a 500");
    await sim.setFaults({});
    const byKey = new Map((await results(t, 2)).map((r) => [r.idempotency_key, r]));
    expect(byKey.get(earlier.idempotency_key)).toMatchObject({ outcome: "placed" });
    expect(byKey.get(later.idempotency_key)).toMatchObject({ outcome: "dead_lettered", http_status: 409 });
    const placed = (await t.registry.metrics()).match(/^callbridge_worker_requests_total\{outcome="placed"\} (\d+)/m)?.[1];
    expect(Number(placed)).toBe((await simStats()).responses["201"]);
    expect(await simCalls()).toHaveLength(1);
  });

  it("401: nothing dead-lettered, the circuit opens, and calls resume once the token is accepted", async () => {
    const t = await start({}, "talq_rotated_token");
    await produceRequests(brokers, t.topics.callRequests, [callRequest(), callRequest()]);
    await eventually(() => (t.worker.readiness().circuit === "open" ? true : undefined), "the circuit to open");
    const metrics = await t.registry.metrics();
    expect(metrics).toContain("callbridge_worker_circuit_open 1");
    expect(await simCalls()).toHaveLength(0);
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);

    await acceptRotatedToken();
    const outcomes = (await results(t, 2)).map((r) => r.outcome);
    expect(outcomes).toEqual(["placed", "placed"]);
    expect(t.worker.readiness().circuit).toBe("closed");
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);
  });

  it("401 from the start with 100 queued: no call reaches the API, only token checks, and all are placed once after the fix", async () => {
    const t = await start({ RATE_LIMIT_PER_SECOND: "50", MAX_CONCURRENT_CALLS: "5" }, "talq_rotated_token");
    const batch = Array.from({ length: 100 }, () => callRequest({ allow_duplicates: true }));
    await produceRequests(brokers, t.topics.callRequests, batch);
    await eventually(async () => (((await simStats()).campaign_reads["401"] ?? 0) >= 3 ? true : undefined), "three refused token checks");
    expect((await simStats()).responses).toEqual({});
    expect(t.worker.readiness().circuit).toBe("open");

    await acceptRotatedToken();
    await results(t, 100);
    const calls = await simCalls();
    expect(calls).toHaveLength(100);
    expect(new Set(calls.map((c) => c.to)).size).toBe(100);
    expect((await simStats()).responses).toEqual({ "201": 100 });
  });

  it("401 in the middle of a run: calls waiting behind the refused ones are not sent; all placed once after the fix", async () => {
    await sim.setFaults({ latency_ms: 50 });
    const t = await start({ RATE_LIMIT_PER_SECOND: "50", RATE_LIMIT_BURST: "5", MAX_CONCURRENT_CALLS: "5" });
    const batch = Array.from({ length: 100 }, () => callRequest({ allow_duplicates: true }));
    await produceRequests(brokers, t.topics.callRequests, batch);
    await eventually(async () => ((await simCalls()).length >= 10 ? true : undefined), "10 calls");
    await setTokens(["talq_other_token"]);
    await eventually(() => (t.worker.readiness().circuit === "open" ? true : undefined), "the circuit to open");
    // Only the calls already at the API when the token was revoked met the 401: at most one per slot.
    const refused = (await simStats()).responses["401"] ?? 0;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(5);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await simStats()).responses["401"]).toBe(refused);
    expect(await readAll(brokers, t.topics.deadLetters)).toHaveLength(0);

    await setTokens(["talq_test_token"]);
    await results(t, 100);
    const calls = await simCalls();
    expect(calls).toHaveLength(100);
    expect(new Set(calls.map((c) => c.to)).size).toBe(100);
  });

  it("429: waits and retries without spending the attempt budget", async () => {
    const t = await start({ MAX_ATTEMPTS: "1" });
    await sim.setFaults({ throttle_rate: 1, retry_after_seconds: 1 });
    await produceRequests(brokers, t.topics.callRequests, [callRequest()]);
    await eventually(
      async () =>
        (((await (await fetch(`${sim.url}/_sim/stats`)).json()) as { responses: Record<string, number> }).responses["429"] ?? 0) >= 2 ||
        undefined,
      "two 429s",
    );
    await sim.setFaults({});
    const [result] = await results(t, 1);
    expect(result?.outcome).toBe("placed");
    expect(await t.registry.metrics()).toMatch(/callbridge_worker_retries_total\{reason="rate_limited"\} [2-9]/);
  });

  it("5xx: retried with backoff, then dead-lettered as retries_exhausted", async () => {
    const t = await start({ MAX_ATTEMPTS: "3" });
    await sim.setFaults({ error_rate: 1 });
    await produceRequests(brokers, t.topics.callRequests, [callRequest()]);
    const [letter] = await letters(t, 1);
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "retries_exhausted",
      [DLQ_HEADERS.httpStatus]: "500",
      [DLQ_HEADERS.errorCode]: "SERVER_ERROR",
      [DLQ_HEADERS.attempts]: "3",
    });
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { responses: Record<string, number> };
    expect(stats.responses["500"]).toBe(3);
  });

  it("5xx then success: placed once", async () => {
    const t = await start({ MAX_ATTEMPTS: "10" });
    await sim.setFaults({ error_rate: 1 });
    await produceRequests(brokers, t.topics.callRequests, [callRequest()]);
    await eventually(
      async () =>
        (((await (await fetch(`${sim.url}/_sim/stats`)).json()) as { responses: Record<string, number> }).responses["500"] ?? 0) >= 2
          ? true
          : undefined,
      "two 500s",
    );
    await sim.setFaults({});
    const [result] = await results(t, 1);
    expect(result?.outcome).toBe("placed");
    expect(await simCalls()).toHaveLength(1);
  });

  it("timeouts: retried, then dead-lettered as retries_exhausted with code TIMEOUT", async () => {
    const t = await start({ MAX_ATTEMPTS: "2", TALKOVER_TIMEOUT_MS: "150" });
    await sim.setFaults({ latency_ms: 1_000 });
    await produceRequests(brokers, t.topics.callRequests, [callRequest({ campaign_id: "campaign-paused" })]);
    const [letter] = await letters(t, 1);
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "retries_exhausted",
      [DLQ_HEADERS.errorCode]: "TIMEOUT",
      [DLQ_HEADERS.attempts]: "2",
    });
  });

  it("poison records go to the DLQ as invalid_message, interleaved good ones are all placed, no partition stalls", async () => {
    const t = await start();
    const good = Array.from({ length: 10 }, () => callRequest());
    const poison = [
      { raw: "not json at all" },
      { raw: JSON.stringify({ idempotency_key: "x" }) },
      { raw: JSON.stringify({ ...callRequest(), version: 2 }) },
      { raw: null },
      { raw: JSON.stringify({ ...callRequest(), to: "555-0100" }) },
    ];
    await produceRequests(
      brokers,
      t.topics.callRequests,
      [
        good[0],
        poison[0],
        good[1],
        good[2],
        poison[1],
        good[3],
        poison[2],
        ...good.slice(4, 8),
        poison[3],
        poison[4],
        good[8],
        good[9],
      ].filter((r) => r !== undefined),
    );
    const dead = await letters(t, poison.length);
    expect(dead.every((d) => d.headers[DLQ_HEADERS.reason] === "invalid_message")).toBe(true);
    expect(dead.map((d) => (d.value === null ? null : String(d.value))).sort()).toEqual(poison.map((p) => p.raw).sort());
    expect(dead.find((d) => String(d.value) === "not json at all")?.headers[DLQ_HEADERS.errorMessage]).toBe(
      "not a valid CallRequest v1: not_json: value is not JSON (15 bytes)",
    );
    const placed = (await results(t, good.length)).filter((r) => r.outcome === "placed");
    expect(placed).toHaveLength(good.length);
    await lagIsZero(t);
  });

  it("requests to one number in one campaign run in order", async () => {
    const t = await start();
    const first = callRequest({ allow_duplicates: true, payload: { n: 1 } });
    const rest = [2, 3, 4, 5].map((n) => callRequest({ to: first.to, allow_duplicates: true, payload: { n } }));
    await produceRequests(brokers, t.topics.callRequests, [first, ...rest]);
    await results(t, 5);
    expect((await simCalls()).map((c) => c.payload.n)).toEqual([1, 2, 3, 4, 5]);
  });
});
