import { describe, expect, it } from "vitest";
import { Faults, sampleLatencyMs } from "./faults.js";

const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

describe("Faults", () => {
  it("defaults to no fault at all", () => {
    expect(Faults.parse({})).toMatchObject({ error_rate: 0, throttle_rate: 0, drop_rate: 0, latency_ms: 0, rate_limit_rps: 0 });
  });

  it("refuses unknown settings and out-of-range shares with the field's name", () => {
    const unknown = Faults.safeParse({ eror_rate: 0.5 });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error?.issues)).toContain("eror_rate");
    const range = Faults.safeParse({ error_rate: 1.5 });
    expect(range.error?.issues[0]?.path).toEqual(["error_rate"]);
  });
});

describe("sampleLatencyMs", () => {
  it("is the mean for a fixed distribution", () => {
    expect(sampleLatencyMs(Faults.parse({ latency_ms: 40 }))).toBe(40);
  });

  it("spreads uniformly over mean ± jitter", () => {
    const faults = Faults.parse({ latency_ms: 40, latency_jitter_ms: 10, latency_distribution: "uniform" });
    expect(sampleLatencyMs(faults, sequence(0))).toBe(30);
    expect(sampleLatencyMs(faults, sequence(0.5))).toBe(40);
    expect(sampleLatencyMs(faults, sequence(0.999999))).toBeCloseTo(50, 3);
  });

  it("has the configured mean and spread for a normal distribution, and never goes negative", () => {
    const faults = Faults.parse({ latency_ms: 50, latency_jitter_ms: 10, latency_distribution: "normal" });
    const samples = Array.from({ length: 20_000 }, () => sampleLatencyMs(faults));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
    expect(mean).toBeGreaterThan(49);
    expect(mean).toBeLessThan(51);
    expect(sd).toBeGreaterThan(9.5);
    expect(sd).toBeLessThan(10.5);
    const wide = Faults.parse({ latency_ms: 1, latency_jitter_ms: 100, latency_distribution: "normal" });
    expect(Math.min(...Array.from({ length: 1000 }, () => sampleLatencyMs(wide)))).toBe(0);
  });

  it("has the configured mean for an exponential distribution", () => {
    const faults = Faults.parse({ latency_ms: 20, latency_distribution: "exponential" });
    const samples = Array.from({ length: 20_000 }, () => sampleLatencyMs(faults));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(19);
    expect(mean).toBeLessThan(21);
  });
});
