import { describe, expect, it } from "vitest";
import { burstWithMargin, gcraTake, intervalMsOf, tatStartingAt } from "./gcra.js";

// The bucket arithmetic shared by the in-process store and the Lua in Redis, on plain numbers.

describe("gcraTake", () => {
  const T = intervalMsOf(10); // 100 ms between calls at 10/s

  it.each([
    // [tat, now, burst, wanted] -> [granted, new tat, wait ms]
    ["a full bucket lets `burst` calls go at once", 0, 1_000, 5, 10, 5, 1_500, 0],
    ["fewer wanted than the bucket holds", 0, 1_000, 5, 2, 2, 1_200, 0],
    ["an empty bucket: wait one interval", 1_500, 1_000, 5, 1, 0, 1_500, 100],
    ["a part-filled bucket: what has refilled since", 1_500, 1_250, 5, 10, 2, 1_700, 0],
    ["exactly on the boundary", 1_500, 1_100, 5, 1, 1, 1_600, 0],
    ["just before it", 1_500, 1_099, 5, 1, 0, 1_500, 1],
    ["burst 1: one call per interval", 1_000, 1_000, 1, 3, 1, 1_100, 0],
    ["burst 1, too early", 1_100, 1_050, 1, 1, 0, 1_100, 50],
  ])("%s", (_name, tat, now, burst, wanted, granted, newTat, waitMs) => {
    expect(gcraTake(tat, now, T, burst, wanted)).toEqual({ granted, tat: newTat, waitMs });
  });

  it("at the clock's real magnitude (ms since the epoch), a bucket due now lets its call go, whatever the rate", () => {
    const epoch = Date.parse("2026-12-06T16:04:07.551Z");
    for (const rate of [0.7, 1, 3, 3.5, 7, 9, 10, 11, 13, 17, 33.3, 99, 1000]) {
      const interval = intervalMsOf(rate);
      for (const late of [0, 1, 4, 6, 57]) {
        const tat = epoch + late * 13.7;
        const take = gcraTake(tat, tat + late, interval, 1, 1);
        expect({ rate, late, granted: take.granted }).toEqual({ rate, late, granted: 1 });
      }
      // And not a tolerance's worth too early.
      expect(gcraTake(epoch + 5, epoch + 4.99, interval, 1, 1).granted).toBe(0);
    }
  });

  it("never lets more than rate × window + burst start in any window", () => {
    let tat = 0;
    const starts: number[] = [];
    for (let now = 0; now <= 10_003; now += 7) {
      const take = gcraTake(tat, now, T, 5, 3);
      tat = take.tat;
      for (let i = 0; i < take.granted; i++) starts.push(now);
    }
    for (const from of starts) {
      expect(starts.filter((t) => t >= from && t < from + 1_000).length).toBeLessThanOrEqual(10 + 5);
    }
    // And over the long run exactly the rate: 5 at once, then one per 100 ms.
    expect(starts.length).toBe(5 + 100);
  });

  it("handles fractional rates without drifting (3.5/s over 60 s)", () => {
    const interval = intervalMsOf(3.5);
    let tat = 0;
    let started = 0;
    for (let now = 0; now < 60_000; now += 1) {
      const take = gcraTake(tat, now, interval, 1, 1);
      tat = take.tat;
      started += take.granted;
    }
    expect(started).toBe(210);
  });

  it("tatStartingAt: a bucket shut until `at`, then one call", () => {
    const tat = tatStartingAt(5_000, T, 5);
    expect(gcraTake(tat, 4_999, T, 5, 5).granted).toBe(0);
    expect(gcraTake(tat, 4_999, T, 5, 5).waitMs).toBe(1);
    expect(gcraTake(tat, 5_000, T, 5, 5).granted).toBe(1);
  });

  it.each([
    [50, 10, 8],
    [10, 10, 9],
    [1000, 1000, 975],
    [20, 1, 1],
    [2, 2, 1],
  ])("burstWithMargin(%s/s, burst %s) = %s", (rate, burst, expected) => {
    expect(burstWithMargin(rate, burst)).toBe(expected);
  });
});
