import type { ConsumedRecord } from "@callbridge/kafka";
import { DEFERRAL_HEADERS } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { type Deferral, deferralRecord, readDeferredRecord } from "./deferral-record.js";

const NOW = new Date("2026-12-06T12:00:00.000Z");
const original: ConsumedRecord = {
  topic: "requests",
  partition: 7,
  offset: "1234",
  key: Buffer.from("campaign-paused:+14155550142"),
  value: Buffer.from('{"idempotency_key":"k1"}'),
  headers: { "callbridge.route": "r1", [DEFERRAL_HEADERS.reason]: "stale" },
  timestamp: String(NOW.getTime() - 60_000),
};
const deferral: Deferral = {
  reason: "campaign_not_active",
  notBefore: "2026-12-06T12:00:45.000Z",
  count: 2,
  firstAt: "2026-12-06T11:00:00.000Z",
  parkedAt: "2026-12-06T11:00:00.000Z",
  campaignStatus: "paused",
  attempts: {
    calls: 1,
    budgetSpent: 0,
    throttles: 0,
    ambiguous: true,
    ambiguousSince: "2026-12-06T11:00:00.000Z",
    firstAttemptAt: "2026-12-06T11:00:00.000Z",
  },
};

/** What a consumer would read back of a written tier record. */
function consumed(written: ReturnType<typeof deferralRecord>, offset = "9"): ConsumedRecord {
  const { key, value, headers } = written.record;
  return {
    topic: written.topic,
    partition: written.record.partition ?? 0,
    offset,
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: headers ?? {},
    timestamp: String(NOW.getTime()),
  };
}

describe("deferralRecord and readDeferredRecord", () => {
  it("keeps the request's key, value, headers and position through a hop, keyed by idempotency key", () => {
    const written = deferralRecord(original, "k1", "campaign-paused", deferral, "requests", NOW, new Map([["requests.deferred.30s", 12]]));
    expect(written).toMatchObject({ topic: "requests.deferred.30s", record: { key: "k1", partition: 7 } });
    expect(written.record.headers).toMatchObject({
      [DEFERRAL_HEADERS.wakeAt]: "2026-12-06T12:00:30.000Z",
      [DEFERRAL_HEADERS.reason]: "campaign_not_active",
      [DEFERRAL_HEADERS.campaignId]: "campaign-paused",
    });
    const read = readDeferredRecord(consumed(written));
    if (!read.ok) throw new Error(read.reason);
    expect(read.value.original).toMatchObject({ topic: "requests", partition: 7, offset: "1234", headers: { "callbridge.route": "r1" } });
    expect(read.value.original.headers).not.toHaveProperty(DEFERRAL_HEADERS.reason);
    expect(String(read.value.original.key)).toBe("campaign-paused:+14155550142");
    expect(String(read.value.original.value)).toBe('{"idempotency_key":"k1"}');
    expect(read.value.deferral).toEqual(deferral);
    expect(read.value).toMatchObject({ campaignId: "campaign-paused", wakeAtMs: Date.parse("2026-12-06T12:00:30.000Z") });
  });

  it.each([
    [12, 7],
    [4, 3],
    [undefined, undefined],
  ])("with %s tier partitions, waits in partition %s (requests of one key share one)", (partitions, expected) => {
    const counts = partitions === undefined ? new Map<string, number>() : new Map([["requests.deferred.30s", partitions]]);
    expect(deferralRecord(original, "k1", "c", deferral, "requests", NOW, counts).record.partition).toBe(expected);
  });

  it.each([
    ["no deferral headers", {}],
    ["an unknown reason", { [DEFERRAL_HEADERS.reason]: "later" }],
  ])("a record with %s is not a deferred request", (_name, headers) => {
    const record = { ...original, headers };
    expect(readDeferredRecord(record)).toMatchObject({ ok: false });
  });
});
