import type { ConsumedRecord } from "@callbridge/kafka";
import { DEFERRAL_HEADERS } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { droppable, isLaterCopy, type ParkedCampaign, parkedByCampaign, pendingParked } from "./pending.js";
import { type TierCopy, tierCopyOf } from "./tier-copy.js";

const T0 = Date.parse("2026-11-27T12:00:00Z");
const min = 60_000;

interface CopySpec {
  key: string;
  topic?: string;
  partition?: number;
  offset: number;
  /** Minutes after T0 the copy was written. */
  at: number;
  reason?: string;
  campaign?: string;
  status?: string;
  /** Minutes after T0. */
  parkedAt?: number;
  notBefore?: number;
  count?: number;
}

function copy(spec: CopySpec): TierCopy {
  return {
    key: spec.key,
    topic: spec.topic ?? "requests.deferred.5m",
    partition: spec.partition ?? 0,
    offset: BigInt(spec.offset),
    writtenAtMs: T0 + spec.at * min,
    count: spec.count ?? 1,
    reason: spec.reason ?? "campaign_not_active",
    campaignId: spec.campaign ?? "camp-a",
    campaignStatus: spec.status ?? "paused",
    parkedAtMs: spec.parkedAt === undefined ? undefined : T0 + spec.parkedAt * min,
    notBeforeMs: spec.notBefore === undefined ? undefined : T0 + spec.notBefore * min,
  };
}

const keysOf = (copies: readonly TierCopy[]) => copies.map((c) => `${c.key}@${c.topic}/${c.partition}:${c.offset}`).sort();

describe("isLaterCopy", () => {
  it.each<[string, CopySpec, CopySpec, boolean]>([
    ["same partition: the higher offset, whatever the timestamps", { key: "k", offset: 9, at: 1 }, { key: "k", offset: 4, at: 5 }, true],
    ["same partition: a lower offset is older", { key: "k", offset: 4, at: 5 }, { key: "k", offset: 9, at: 1 }, false],
    [
      "another tier: the later timestamp",
      { key: "k", topic: "t.5s", offset: 1, at: 6 },
      { key: "k", topic: "t.1h", offset: 90, at: 5 },
      true,
    ],
    [
      "another tier: an earlier timestamp is older",
      { key: "k", topic: "t.5s", offset: 90, at: 4 },
      { key: "k", topic: "t.1h", offset: 1, at: 5 },
      false,
    ],
    [
      "another partition, same time: the higher count",
      { key: "k", partition: 1, offset: 1, at: 5, count: 3 },
      { key: "k", offset: 7, at: 5, count: 2 },
      true,
    ],
    [
      "another partition, same time and count: not later",
      { key: "k", partition: 1, offset: 1, at: 5 },
      { key: "k", offset: 7, at: 5 },
      false,
    ],
  ])("%s", (_name, a, b, later) => {
    expect(isLaterCopy(copy(a), copy(b))).toBe(later);
  });
});

describe("pendingParked: the latest copy of each request, kept when it is parked", () => {
  it.each<[string, CopySpec[], string[]]>([
    ["nothing read, nothing parked", [], []],
    ["one parked copy", [{ key: "k1", offset: 1, at: 0 }], ["k1@requests.deferred.5m/0:1"]],
    [
      "copies of one request: the latest (highest offset) wins",
      [
        { key: "k1", offset: 1, at: 0 },
        { key: "k1", offset: 5, at: 5 },
        { key: "k1", offset: 3, at: 3 },
      ],
      ["k1@requests.deferred.5m/0:5"],
    ],
    [
      "a request whose latest copy is a retry is not parked",
      [
        { key: "k1", offset: 1, at: 0 },
        { key: "k1", offset: 2, at: 1, reason: "retry_backoff" },
      ],
      [],
    ],
    [
      "a request parked after a rate limit is parked",
      [
        { key: "k1", offset: 1, at: 0, reason: "rate_limited" },
        { key: "k1", offset: 2, at: 1 },
      ],
      ["k1@requests.deferred.5m/0:2"],
    ],
    [
      "across tiers the later write wins: moved to the 5s tier to be retried",
      [
        { key: "k1", topic: "r.deferred.5m", offset: 40, at: 0 },
        { key: "k1", topic: "r.deferred.5s", offset: 2, at: 1, reason: "retry_backoff" },
      ],
      [],
    ],
    [
      "across tiers the later write wins: parked again in the 1h tier",
      [
        { key: "k1", topic: "r.deferred.5m", offset: 40, at: 0 },
        { key: "k1", topic: "r.deferred.1h", offset: 2, at: 5 },
      ],
      ["k1@r.deferred.1h/0:2"],
    ],
    ["a record without a reason is not parked", [{ key: "k1", offset: 1, at: 0, reason: "" }], []],
    [
      "different requests are kept apart",
      [
        { key: "k1", offset: 1, at: 0 },
        { key: "k2", offset: 2, at: 0, campaign: "camp-b" },
        { key: "k1", offset: 3, at: 1 },
      ],
      ["k1@requests.deferred.5m/0:3", "k2@requests.deferred.5m/0:2"],
    ],
  ])("%s", (_name, specs, expected) => {
    expect(keysOf(pendingParked(specs.map(copy)))).toEqual(expected);
  });
});

describe("parkedByCampaign", () => {
  it.each<[string, CopySpec[], ParkedCampaign[]]>([
    ["none", [], []],
    [
      "one campaign: count, oldest parked_at, status of the latest write, earliest not_before",
      [
        { key: "k1", offset: 1, at: 10, parkedAt: 0, notBefore: 15, status: "paused" },
        { key: "k2", offset: 2, at: 12, parkedAt: 2, notBefore: 14, status: "draft" },
        { key: "k3", offset: 3, at: 11, parkedAt: 1, notBefore: 20, status: "paused" },
      ],
      [
        {
          campaignId: "camp-a",
          parked: 3,
          oldestParkedAtMs: T0,
          lastSeenStatus: "draft",
          lastSeenAtMs: T0 + 12 * min,
          nextCheckMs: T0 + 14 * min,
        },
      ],
    ],
    [
      "most parked first, then by id; missing times stay missing",
      [
        { key: "k1", offset: 1, at: 1, campaign: "camp-z" },
        { key: "k2", offset: 2, at: 1, campaign: "camp-b", parkedAt: 0 },
        { key: "k3", offset: 3, at: 2, campaign: "camp-b", notBefore: 9 },
        { key: "k4", offset: 4, at: 1, campaign: "camp-c" },
      ],
      [
        {
          campaignId: "camp-b",
          parked: 2,
          oldestParkedAtMs: T0,
          lastSeenStatus: "paused",
          lastSeenAtMs: T0 + 2 * min,
          nextCheckMs: T0 + 9 * min,
        },
        {
          campaignId: "camp-c",
          parked: 1,
          oldestParkedAtMs: undefined,
          lastSeenStatus: "paused",
          lastSeenAtMs: T0 + min,
          nextCheckMs: undefined,
        },
        {
          campaignId: "camp-z",
          parked: 1,
          oldestParkedAtMs: undefined,
          lastSeenStatus: "paused",
          lastSeenAtMs: T0 + min,
          nextCheckMs: undefined,
        },
      ],
    ],
  ])("%s", (_name, specs, expected) => {
    expect(parkedByCampaign(specs.map(copy))).toEqual(expected);
  });
});

describe("droppable: what a drop at a moment dead-letters", () => {
  const parked = [
    copy({ key: "k1", offset: 1, at: 0, parkedAt: 0 }),
    copy({ key: "k2", offset: 2, at: 5, parkedAt: 5 }),
    copy({ key: "k3", offset: 3, at: 6, parkedAt: 6 }),
    copy({ key: "k4", offset: 4, at: 0 }),
    copy({ key: "k5", offset: 5, at: 0, parkedAt: 0, campaign: "camp-b" }),
  ];
  it.each<[string, string, number, number]>([
    ["parked at or before the moment, of that campaign", "camp-a", 5, 2],
    ["all of them later", "camp-a", 6, 3],
    ["none parked yet", "camp-a", -1, 0],
    ["another campaign", "camp-b", 6, 1],
    ["a campaign with none", "camp-x", 6, 0],
  ])("%s", (_name, campaign, atMin, expected) => {
    expect(droppable(parked, campaign, T0 + atMin * min)).toBe(expected);
  });
});

describe("tierCopyOf", () => {
  const record = (headers: Record<string, string>, value: string | null, key: string | null = "idem-1"): ConsumedRecord => ({
    topic: "r.deferred.5m",
    partition: 2,
    offset: "17",
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers,
    timestamp: String(T0),
  });
  const deferral = {
    [DEFERRAL_HEADERS.reason]: "campaign_not_active",
    [DEFERRAL_HEADERS.count]: "4",
    [DEFERRAL_HEADERS.campaignId]: "camp-h",
    [DEFERRAL_HEADERS.campaignStatus]: "paused",
    [DEFERRAL_HEADERS.parkedAt]: "2026-11-27T11:00:00.000Z",
    [DEFERRAL_HEADERS.notBefore]: "2026-11-27T12:05:00.000Z",
  };

  it("reads the deferral headers", () => {
    expect(tierCopyOf(record(deferral, '{"campaign_id":"camp-v"}'))).toEqual({
      key: "idem-1",
      topic: "r.deferred.5m",
      partition: 2,
      offset: 17n,
      writtenAtMs: T0,
      count: 4,
      reason: "campaign_not_active",
      campaignId: "camp-h",
      campaignStatus: "paused",
      parkedAtMs: T0 - 60 * min,
      notBeforeMs: T0 + 5 * min,
    });
  });

  it.each<[string, Record<string, string>, string | null, string | null, Partial<TierCopy>]>([
    [
      "no campaign header: the request's campaign_id",
      { [DEFERRAL_HEADERS.reason]: "campaign_not_active" },
      '{"campaign_id":"camp-v"}',
      "k",
      { campaignId: "camp-v" },
    ],
    ["a value that is not JSON: no campaign", {}, "not json", "k", { campaignId: undefined, reason: undefined, count: 0 }],
    ["no value: no campaign", {}, null, "k", { campaignId: undefined }],
    [
      "unreadable times are missing",
      { [DEFERRAL_HEADERS.parkedAt]: "yesterday", [DEFERRAL_HEADERS.notBefore]: "" },
      null,
      "k",
      { parkedAtMs: undefined, notBeforeMs: undefined },
    ],
    ["no key: its position, so it is never a copy of another", {}, null, null, { key: "r.deferred.5m/2@17" }],
  ])("%s", (_name, headers, value, key, expected) => {
    expect(tierCopyOf(record(headers, value, key))).toMatchObject(expected);
  });
});
