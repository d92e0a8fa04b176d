import { describe, expect, it } from "vitest";
import { clusterInFlux, whileClusterInFlux } from "./cluster-in-flux.js";
import { wrapKafkaError } from "./errors.js";

// Shaped as kafkajs throws them: a protocol error (its `type` the broker's code) inside a
// "retries exhausted" error that says retriable: false.
function exhausted(type: string, retriable: boolean): Error {
  const protocol = Object.assign(new Error(type), { type, retriable });
  return Object.assign(new Error("retries exhausted"), { retriable: false, cause: protocol });
}

describe("clusterInFlux", () => {
  it.each([
    ["LEADER_NOT_AVAILABLE", true, true],
    ["NOT_LEADER_OR_FOLLOWER", true, true],
    ["UNKNOWN_TOPIC_OR_PARTITION", true, false],
    ["MESSAGE_TOO_LARGE", false, false],
    ["TOPIC_AUTHORIZATION_FAILED", false, false],
  ])("%s → %s", (type, retriable, inFlux) => {
    expect(clusterInFlux(wrapKafkaError("connect", exhausted(type, retriable as boolean)))).toBe(inFlux);
  });

  it("an error without a broker code (a refused connection) is not a cluster in flux", () => {
    expect(clusterInFlux(wrapKafkaError("connect", new Error("connect ECONNREFUSED 127.0.0.1:9")))).toBe(false);
  });
});

describe("whileClusterInFlux", () => {
  it("waits out a leader election and answers what the operation answers", async () => {
    let calls = 0;
    const value = await whileClusterInFlux(
      "connect",
      async () => {
        calls += 1;
        if (calls < 3) throw exhausted("LEADER_NOT_AVAILABLE", true);
        return "connected";
      },
      { pauseMs: 1 },
    );
    expect({ value, calls }).toEqual({ value: "connected", calls: 3 });
  });

  it("throws any other error at once, wrapped", async () => {
    let calls = 0;
    const failing = whileClusterInFlux(
      "admin",
      async () => {
        calls += 1;
        throw exhausted("TOPIC_AUTHORIZATION_FAILED", false);
      },
      { pauseMs: 1 },
    );
    await expect(failing).rejects.toMatchObject({ kind: "kafka_operation", operation: "admin", code: "TOPIC_AUTHORIZATION_FAILED" });
    expect(calls).toBe(1);
  });

  it("gives up when the budget is spent, with the broker's code", async () => {
    let calls = 0;
    const failing = whileClusterInFlux(
      "connect",
      async () => {
        calls += 1;
        throw exhausted("LEADER_NOT_AVAILABLE", true);
      },
      { budgetMs: 30, pauseMs: 5 },
    );
    await expect(failing).rejects.toMatchObject({ code: "LEADER_NOT_AVAILABLE" });
    expect(calls).toBeGreaterThan(1);
  });
});
