import { deferralTopics } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { describe, expect, inject, it } from "vitest";
import { cliKafka } from "../kafka.js";
import { runCli } from "../run.js";

// `topics ensure` and `topics describe` against a real broker, on topic names of their own.

const brokers = inject("kafkaBrokers");

async function callbridge(args: readonly string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runCli(args, {
    env: {},
    out: (text) => out.push(text),
    err: () => {},
    interactive: false,
    nowMs: () => Date.now(),
    signal: new AbortController().signal,
  });
  return { code, out: out.join("\n") };
}

describe("topics", () => {
  it("ensure creates the requests topic's deferral tiers with the rest, and describe lists them with the group's lag", async () => {
    const requests = uniqueName("requests");
    const names = ["--requests-topic", requests, "--dlq-topic", uniqueName("dlq"), "--results-topic", uniqueName("results")];
    const args = ["--brokers", brokers, ...names, "--replays-topic", uniqueName("replays")];
    const ensured = await callbridge([...args, "--json", "topics", "ensure", "--partitions", "2"]);
    expect(ensured.code).toBe(0);
    const { created } = JSON.parse(ensured.out) as { created: string[] };
    expect(created).toEqual(expect.arrayContaining([requests, ...deferralTopics(requests)]));
    const admin = cliKafka([brokers]).admin();
    await admin.connect();
    try {
      const tier = await admin.describeTopic(deferralTopics(requests)[0] ?? "");
      expect(tier.partitions).toHaveLength(2);
    } finally {
      await admin.disconnect();
    }
    const described = await callbridge([...args, "--json", "topics", "describe"]);
    const { partitions } = JSON.parse(described.out) as { partitions: { topic: string; missing: boolean }[] };
    for (const topic of deferralTopics(requests)) expect(partitions.filter((p) => p.topic === topic && !p.missing)).toHaveLength(2);
  });
});
