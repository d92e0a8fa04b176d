import { describe, expect, it } from "vitest";
import { HOP_SLACK_MS, isDue, nextHop } from "./tiers.js";

const NOW = Date.parse("2026-12-06T12:00:00Z");
const S = 1_000;
const M = 60 * S;
const H = 60 * M;

describe("nextHop", () => {
  it.each([
    // remaining wait → tier, wake after now
    [1 * S, "5s", 1 * S],
    [5 * S, "5s", 5 * S],
    // The shortest tier takes no slack: nothing there wakes more than 5 s after it was written.
    [5.5 * S, "5s", 5 * S],
    [6.5 * S, "5s", 5 * S],
    [28.5 * S, "5s", 5 * S],
    // Just under a tier's delay (a parked request's next check, read a moment ago): that tier, in one hop.
    [29.994 * S, "30s", 29.994 * S],
    [30 * S, "30s", 30 * S],
    [31 * S, "30s", 31 * S],
    [60 * S, "30s", 30 * S],
    [4 * M, "30s", 30 * S],
    [5 * M - 500, "5m", 5 * M - 500],
    [59 * M, "5m", 5 * M],
    [9 * H, "1h", 1 * H],
  ])("a wait of %i ms waits in the %s tier and wakes %i ms after now", (wait, tier, wake) => {
    const hop = nextHop(NOW + wait, NOW);
    expect({ tier: hop.tier.name, wake: hop.wakeAtMs - NOW }).toEqual({ tier, wake });
  });

  it("a parked request's check (a poll interval after the read, plus up to a second of spread) is one hop", () => {
    for (const wait of [29_990, 30_000, 30_400, 30_999]) {
      const hop = nextHop(NOW + wait, NOW);
      expect(hop).toEqual({ tier: expect.objectContaining({ name: "30s" }), wakeAtMs: NOW + wait });
    }
  });

  it("no hop wakes further than the slack from its tier's delay, unless in the shortest tier", () => {
    for (let wait = 0; wait < 3 * H; wait += 7_919) {
      const hop = nextHop(NOW + wait, NOW);
      const off = hop.wakeAtMs - NOW - hop.tier.delayMs;
      if (hop.tier.name !== "5s") expect(Math.abs(off)).toBeLessThanOrEqual(HOP_SLACK_MS);
      else expect(off).toBeLessThanOrEqual(0);
      expect(hop.wakeAtMs).toBeLessThanOrEqual(NOW + wait);
    }
  });

  it("a request already due waits in the shortest tier and wakes at once", () => {
    expect(nextHop(NOW - 10 * S, NOW)).toMatchObject({ tier: { name: "5s" }, wakeAtMs: NOW - 10 * S });
  });

  it("a 9-hour wait reaches its moment hop by hop, never waking after it", () => {
    const notBefore = NOW + 9 * H + 17 * S;
    let now = NOW;
    const tiers: string[] = [];
    while (!isDue(notBefore, now)) {
      const hop = nextHop(notBefore, now);
      tiers.push(hop.tier.name);
      expect(hop.wakeAtMs).toBeLessThanOrEqual(notBefore);
      now = hop.wakeAtMs;
    }
    expect(now).toBe(notBefore);
    expect(tiers.filter((t) => t === "1h")).toHaveLength(9);
    expect(tiers.length).toBeLessThan(15);
  });
});

describe("isDue", () => {
  it.each([
    [-1 * S, true],
    [0, true],
    [250, true],
    [251, false],
    [5 * S, false],
  ])("not_before %i ms from now → due %s", (offset, due) => {
    expect(isDue(NOW + offset, NOW)).toBe(due);
  });
});
