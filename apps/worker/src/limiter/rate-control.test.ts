import { describe, expect, it } from "vitest";
import { RateControl } from "./rate-control.js";

describe("RateControl", () => {
  it("halves on a 429, at most once per second, not below 10% of configured", () => {
    const rates = new RateControl(20, 5_000);
    expect(rates.throttle(1_000)?.floorRate).toBe(10);
    expect(rates.throttle(1_500)).toBeUndefined();
    expect(rates.rateAt(1_500)).toBe(10);
    expect(rates.throttle(2_000)?.floorRate).toBe(5);
    expect(rates.throttle(3_000)?.floorRate).toBe(2.5);
    expect(rates.throttle(4_000)?.floorRate).toBe(2);
    expect(rates.throttle(5_000)?.floorRate).toBe(2);
  });

  it("recovers by 10% of configured per step without a 429, up to configured", () => {
    const rates = new RateControl(3, 5_000);
    rates.throttle(0);
    expect(rates.rateAt(4_999)).toBe(1.5);
    expect(rates.rateAt(5_000)).toBe(1.8);
    expect(rates.rateAt(10_000)).toBe(2.1);
    expect(rates.rateAt(25_000)).toBe(3);
    expect(rates.rateAt(60_000)).toBe(3);
    expect(rates.nextChangeAt(7_000)).toBe(10_000);
    expect(rates.nextChangeAt(25_000)).toBeUndefined();
  });

  it("a throttle halves the rate reached so far in recovery", () => {
    const rates = new RateControl(20, 5_000);
    rates.throttle(0);
    expect(rates.rateAt(10_000)).toBe(14);
    expect(rates.throttle(10_000)?.floorRate).toBe(7);
  });

  it("adopts a newer throttle from another replica and ignores older ones", () => {
    const rates = new RateControl(20, 5_000);
    expect(rates.adopt({ floorRate: 10, since: 1_000 })).toBe(true);
    expect(rates.adopt({ floorRate: 5, since: 500 })).toBe(false);
    expect(rates.rateAt(1_000)).toBe(10);
    // One halving per second across the cluster: a 429 here right after the adopted one changes nothing.
    expect(rates.throttle(1_200)).toBeUndefined();
  });
});
