import type { CampaignStatus } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { type ParkPolicy, parkVerdict } from "./park-verdict.js";

const NOW = Date.parse("2026-12-06T12:00:00Z");
const policy: ParkPolicy = { parkStatuses: new Set<CampaignStatus>(["draft", "paused"]), pollIntervalMs: 30_000, maxAgeMs: 7 * 86_400_000 };

function verdict(
  status: CampaignStatus | "unknown",
  over: { parkedAgoMs?: number; checkedAgoMs?: number; refused?: boolean; dropAgoMs?: number } = {},
) {
  return parkVerdict(
    {
      seen: { status, checkedAtMs: NOW - (over.checkedAgoMs ?? 0) },
      parkedAtMs: NOW - (over.parkedAgoMs ?? 0),
      nowMs: NOW,
      dropBeforeMs: over.dropAgoMs === undefined ? undefined : NOW - over.dropAgoMs,
      refusedJustNow: over.refused ?? false,
      jitter: 0,
    },
    policy,
  );
}

describe("parkVerdict", () => {
  it.each([
    ["draft", "park"],
    ["paused", "park"],
    ["unknown", "park"],
    ["active", "call"],
    ["completed", "dead_letter"],
    ["cancelled", "dead_letter"],
  ] as const)("a campaign seen %s → %s", (status, kind) => {
    expect(verdict(status).kind).toBe(kind);
  });

  it.each([
    // read ago → parked for (one 30 s hop where the interval allows it; never past an interval from now)
    [0, 30_000],
    [10_000, 30_000],
    [20_000, 30_000],
    [25_000, 5_000],
    [29_500, 5_000],
    [45_000, 5_000],
  ])("read %i ms ago: parks for %i ms, one hop, and the campaign is read again within an interval", (checkedAgoMs, waitMs) => {
    expect(verdict("paused", { checkedAgoMs })).toMatchObject({ kind: "park", notBeforeMs: NOW + waitMs });
  });

  it("with a longer poll interval, waits for the next read (hopping), not for a longer tier", () => {
    const facts = {
      seen: { status: "paused" as const, checkedAtMs: NOW - 10_000 },
      parkedAtMs: NOW,
      nowMs: NOW,
      refusedJustNow: false,
      jitter: 0,
    };
    expect(parkVerdict(facts, { ...policy, pollIntervalMs: 120_000 })).toMatchObject({ notBeforeMs: NOW + 110_000 });
  });

  it("an `active` read older than the API's CAMPAIGN_NOT_ACTIVE answer parks rather than calls again", () => {
    expect(verdict("active", { refused: true }).kind).toBe("park");
  });

  it("expires at PARK_MAX_AGE_MS, saying how the campaign was last seen, and never parks past it", () => {
    expect(verdict("paused", { parkedAgoMs: policy.maxAgeMs })).toEqual({
      kind: "dead_letter",
      reason: "parked_expired",
      status: "paused",
    });
    expect(verdict("draft", { parkedAgoMs: policy.maxAgeMs - 5_000 })).toMatchObject({ kind: "park", notBeforeMs: NOW + 5_000 });
  });

  it("an operator's drop takes the requests parked before it, and only those", () => {
    expect(verdict("paused", { parkedAgoMs: 60_000, dropAgoMs: 1_000 })).toMatchObject({ kind: "dead_letter", reason: "parked_dropped" });
    expect(verdict("paused", { parkedAgoMs: 0, dropAgoMs: 1_000 }).kind).toBe("park");
  });

  it("with parking off (no status parks), every inactive campaign dead-letters", () => {
    const off = { ...policy, parkStatuses: new Set<CampaignStatus>() };
    const facts = { seen: { status: "paused" as const, checkedAtMs: NOW }, parkedAtMs: NOW, nowMs: NOW, refusedJustNow: true, jitter: 0 };
    expect(parkVerdict(facts, off)).toEqual({ kind: "dead_letter", reason: "not_active", status: "paused" });
  });
});
