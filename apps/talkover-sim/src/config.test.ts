import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("gives the documented defaults with an empty environment", () => {
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error(loaded.problems.join());
    expect(loaded.config.port).toBe(4010);
    expect(loaded.config.host).toBe("127.0.0.1");
    expect(loaded.config.simulator.tokens).toEqual(["talq_test_token"]);
    expect(loaded.config.simulator.campaigns.map((c) => `${c.id}:${c.status}`)).toEqual([
      "campaign-uuid-1:active",
      "campaign-draft:draft",
      "campaign-paused:paused",
      "campaign-completed:completed",
      "campaign-cancelled:cancelled",
      "campaign-forbidden:active",
    ]);
  });

  it("reads starting faults from the environment", () => {
    const loaded = loadConfig({
      SIM_ERROR_RATE: "0.3",
      SIM_RATE_LIMIT_RPS: "50",
      SIM_LATENCY_MS: "20",
      SIM_LATENCY_DISTRIBUTION: "normal",
    });
    if (!loaded.ok) throw new Error(loaded.problems.join());
    expect(loaded.config.simulator.faults).toMatchObject({
      error_rate: 0.3,
      rate_limit_rps: 50,
      latency_ms: 20,
      latency_distribution: "normal",
    });
  });

  it("names every bad variable at once", () => {
    const loaded = loadConfig({ PORT: "eighty", SIM_TOKENS: "secret123", SIM_ERROR_RATE: "2" });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toHaveLength(3);
    expect(loaded.problems.join("\n")).toMatch(/^PORT: /m);
    expect(loaded.problems.join("\n")).toMatch(/^SIM_TOKENS\.0: tokens must start with talq_/m);
    expect(loaded.problems.join("\n")).toMatch(/^SIM_ERROR_RATE: /m);
    expect(loaded.problems.join("\n")).not.toContain("secret123");
  });
});

describe("starting faults", () => {
  it("names the variable when a fault is out of range, instead of crashing", () => {
    const loaded = loadConfig({ SIM_LATENCY_MS: "999999" });
    expect(loaded).toEqual({ ok: false, problems: [expect.stringMatching(/^SIM_LATENCY_MS: /)] });
  });
});
