import { describe, expect, it } from "vitest";
import { Admin } from "./admin.js";

// ensureTopics when a leader election interrupts it after the topics were created: run again,
// it must still say it created them (not that they existed before it). A kafkajs admin shaped by
// hand here, because the real broker's elections cannot be timed; the same call against the
// broker is in kafka.integration.test.ts.

function leaderNotAvailable(): Error {
  const protocol = Object.assign(new Error("LEADER_NOT_AVAILABLE"), { type: "LEADER_NOT_AVAILABLE", retriable: true });
  return Object.assign(new Error("retries exhausted"), { retriable: false, cause: protocol });
}

describe("Admin.ensureTopics", () => {
  it("reports the topics it created as created when an election made it run again after creating them", async () => {
    const topics = new Set<string>(["already-there"]);
    let createCalls = 0;
    const kafkaJsAdmin = {
      listTopics: async () => [...topics],
      describeCluster: async () => ({ brokers: [{ nodeId: 1 }] }),
      createTopics: async ({ topics: asked }: { topics: { topic: string }[] }) => {
        const fresh = asked.filter((t) => !topics.has(t.topic));
        for (const t of asked) topics.add(t.topic);
        // The first one creates the topics, then waiting for their leaders meets an election.
        if (createCalls++ === 0) throw leaderNotAvailable();
        return fresh.length > 0;
      },
      fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => ({
        topics: names.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })),
      }),
    };
    const admin = new Admin({ admin: () => kafkaJsAdmin } as never);
    const result = await admin.ensureTopics([
      { name: "new-one", partitions: 1, retentionMs: 60_000 },
      { name: "already-there", partitions: 1, retentionMs: 60_000 },
    ]);
    expect(result).toEqual({ created: ["new-one"], existing: ["already-there"], mismatched: [] });
    expect(createCalls).toBe(2);
  });
});
