import type { CallResult } from "@callbridge/schemas";
import { afterEach, describe, expect, inject, it } from "vitest";
import { produceRequests } from "../support/kafka.js";
import { clock, localSecondOfDay, NUMBERS_BY_ZONE, resultsUntil, windowOpeningSoon } from "../support/recipients.js";
import { callsPerKey, everyRequestPlacedOnce } from "../support/sim-calls.js";
import { type RunningSimulator, startSimulator } from "../support/simulator.js";
import { callRequest, startTestWorker, type TestWorker } from "../support/worker-stack.js";

// The recipient guard's calling windows (docs/recipient-protection.md) against the real broker
// and the simulator, on the real clock: which numbers are in their night is chosen now, from their
// zones; a window that opens seconds from now is written as a policy file.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const HOUR = 3600;

async function simulator(): Promise<RunningSimulator> {
  const sim = await startSimulator();
  cleanups.push(() => sim.sim.close());
  return sim;
}

async function worker(sim: RunningSimulator, env: Record<string, string>): Promise<TestWorker> {
  const t = await startTestWorker(brokers, { simUrl: sim.url, env: { RECIPIENT_GUARD: "on", ...env } });
  cleanups.push(() => t.stop());
  return t;
}

/** A request whose context carries its key (calls are counted per request at the simulator). */
function request(to: string, overrides: Parameters<typeof callRequest>[0] = {}) {
  const r = callRequest({ to, allow_duplicates: true, is_testing: false, ...overrides });
  return { ...r, context: { key: r.idempotency_key } };
}

const resultsOf = (topic: string, until: (all: CallResult[]) => boolean, what: string, timeoutMs?: number) =>
  resultsUntil(brokers, topic, until, what, timeoutMs);

function finalFor(all: CallResult[], key: string): CallResult | undefined {
  return all.filter((r) => r.idempotency_key === key && r.outcome !== "deferred" && r.outcome !== "parked").at(-1);
}

describe("calling windows, on the real clock", () => {
  it("at the default policy, numbers in their night are deferred to their 08:00 (+ up to 10 min jitter); numbers in their day are placed", {
    timeout: 120_000,
  }, async () => {
    const sim = await simulator();
    const t = await worker(sim, {});
    const now = Date.now();
    const local = NUMBERS_BY_ZONE.map((z) => ({ ...z, at: localSecondOfDay(z.zone, now) }));
    const day = local.filter((z) => z.at >= 9 * HOUR && z.at < 20 * HOUR).map((z) => ({ ...z, request: request(`${z.base}23`) }));
    const night = local.filter((z) => z.at < 6 * HOUR || z.at >= 22 * HOUR).map((z) => ({ ...z, request: request(`${z.base}23`) }));
    expect(day.length).toBeGreaterThan(0);
    expect(night.length).toBeGreaterThan(0);
    await produceRequests(
      brokers,
      t.topics.callRequests,
      [...day, ...night].map((z) => z.request),
    );

    await everyRequestPlacedOnce(
      sim,
      day.map((z) => z.request.idempotency_key),
    );
    const all = await resultsOf(
      t.topics.callResults,
      (rs) => rs.filter((r) => r.outcome === "deferred").length >= night.length,
      "deferred results",
    );
    for (const z of night) {
      const deferred = all.find((r) => r.idempotency_key === z.request.idempotency_key);
      expect(deferred, z.zone).toMatchObject({ outcome: "deferred", reason: "calling_window" });
      const notBefore = Date.parse((deferred as { not_before: string }).not_before);
      expect(notBefore).toBeGreaterThan(now);
      const localThen = localSecondOfDay(z.zone, notBefore);
      expect(localThen, `${z.zone} at ${clock(localThen)}`).toBeGreaterThanOrEqual(8 * HOUR);
      expect(localThen).toBeLessThanOrEqual(8 * HOUR + 600);
    }
    for (const z of day) expect(finalFor(all, z.request.idempotency_key)).toMatchObject({ outcome: "placed" });
    expect((await callsPerKey(sim)).size).toBe(day.length);
  });

  it("a window that opens seconds from now: deferred until it opens, then each placed once, within the 5 s lateness", {
    timeout: 120_000,
  }, async () => {
    const sim = await simulator();
    const { base, policy, opensAtMs } = windowOpeningSoon(15);
    const t = await worker(sim, { RECIPIENT_POLICY_FILE: policy });
    const batch = Array.from({ length: 10 }, (_, i) => request(`${base}${String(10 + i)}`));
    await produceRequests(brokers, t.topics.callRequests, batch);
    const deferred = await resultsOf(t.topics.callResults, (rs) => rs.filter((r) => r.outcome === "deferred").length >= 10, "10 deferred");
    for (const r of deferred)
      expect(r).toMatchObject({ outcome: "deferred", reason: "calling_window", not_before: new Date(opensAtMs).toISOString() });
    expect((await callsPerKey(sim)).size).toBe(0);

    await everyRequestPlacedOnce(
      sim,
      batch.map((r) => r.idempotency_key),
    );
    const all = await resultsOf(t.topics.callResults, (rs) => rs.filter((r) => r.outcome === "placed").length >= 10, "10 placed");
    const placedAt = all.filter((r) => r.outcome === "placed").map((r) => Date.parse(r.decided_at));
    const lateness = Math.max(...placedAt) - opensAtMs;
    console.info(`window opening: first placed ${Math.min(...placedAt) - opensAtMs} ms after it, last ${lateness} ms`);
    expect(Math.min(...placedAt)).toBeGreaterThanOrEqual(opensAtMs);
    expect(lateness).toBeLessThanOrEqual(5_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect([...(await callsPerKey(sim)).values()].every((n) => n === 1)).toBe(true);
  });
});
