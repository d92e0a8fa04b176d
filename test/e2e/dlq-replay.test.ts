import { DLQ_HEADERS } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callbridge } from "../support/cli.js";
import { createTopics, eventually, kafkaClient, produceRequests, readAll, type TestTopics } from "../support/kafka.js";
import { type RunningSimulator, SIM_TOKEN, startSimulator } from "../support/simulator.js";
import { callRequest, startTestWorker, type TestWorker } from "../support/worker-stack.js";

// The on-call story: calls to a paused campaign are dead-lettered; the campaign is activated;
// `callbridge dlq replay` places each call exactly once; a second replay places nothing.

const brokers = inject("kafkaBrokers");
let sim: RunningSimulator;
let worker: TestWorker;
let topics: TestTopics;
let replays: string;
let cli: string[];

beforeAll(async () => {
  sim = await startSimulator();
  topics = await createTopics(brokers, 3);
  replays = uniqueName("replays");
  cli = [
    "--brokers",
    brokers,
    "--requests-topic",
    topics.callRequests,
    "--dlq-topic",
    topics.deadLetters,
    "--results-topic",
    topics.callResults,
    "--replays-topic",
    replays,
  ];
  // Parking off: the by-hand way (a letter, then a replay) is what operators who turn it off get.
  worker = await startTestWorker(brokers, { simUrl: sim.url, topics, env: { PARK_CAMPAIGN_STATUSES: "" } });
});
afterAll(async () => {
  await worker.stop();
  await sim.sim.close();
});

async function simCalls(): Promise<{ to: string; campaign_id: string }[]> {
  return ((await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: { to: string; campaign_id: string }[] }).calls;
}

describe("dead-letter replay", () => {
  it("paused campaign -> CAMPAIGN_NOT_ACTIVE letters -> activate -> replay places each call once; again places nothing", async () => {
    const requests = Array.from({ length: 5 }, () => callRequest({ campaign_id: "campaign-paused" }));
    // A letter of another kind, which the filter must leave alone.
    requests.push(callRequest({ campaign_id: "campaign-gone" }));
    await produceRequests(brokers, topics.callRequests, requests);
    const letters = await eventually(async () => {
      const records = await readAll(brokers, topics.deadLetters);
      return records.length >= 6 ? records : undefined;
    }, "six dead letters");
    expect(letters.filter((l) => l.headers[DLQ_HEADERS.errorCode] === "CAMPAIGN_NOT_ACTIVE")).toHaveLength(5);

    const list = await callbridge([...cli, "dlq", "list", "--code", "CAMPAIGN_NOT_ACTIVE", "--json"]);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as {
      reason: string;
      error_code: string;
      http_status: number;
      campaign_id: string;
      attempts: number;
      key: string;
    }[];
    expect(listed).toHaveLength(5);
    expect(listed[0]).toMatchObject({
      reason: "http_4xx",
      error_code: "CAMPAIGN_NOT_ACTIVE",
      http_status: 400,
      campaign_id: "campaign-paused",
      attempts: 1,
    });
    expect(listed.every((l) => !/\+1415555\d{4}/.test(l.key))).toBe(true);

    const patched = await fetch(`${sim.url}/api/v1/campaigns/campaign-paused/status`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${SIM_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "active" }),
    });
    expect(patched.status).toBe(200);

    const requestsBefore = (await readAll(brokers, topics.callRequests)).length;
    const dry = await callbridge([...cli, "dlq", "replay", "--code", "CAMPAIGN_NOT_ACTIVE", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("5 letters match; would replay 5 (dry run: nothing written)");
    expect(dry.stdout).toMatch(/http_4xx\s+CAMPAIGN_NOT_ACTIVE\s+5/);
    expect((await readAll(brokers, topics.callRequests)).length).toBe(requestsBefore);
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(replays);
    await admin.disconnect();
    expect(await simCalls()).toHaveLength(0);

    const replay = await callbridge([...cli, "dlq", "replay", "--code", "CAMPAIGN_NOT_ACTIVE", "--rate", "100"]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain("5 letters match; replayed 5");
    const calls = await eventually(async () => {
      const calls = await simCalls();
      return calls.length >= 5 ? calls : undefined;
    }, "five calls");
    expect(calls.map((c) => c.to).sort()).toEqual(
      requests
        .slice(0, 5)
        .map((r) => r.to)
        .sort(),
    );
    expect(calls.every((c) => c.campaign_id === "campaign-paused")).toBe(true);

    const again = await callbridge([...cli, "dlq", "replay", "--code", "CAMPAIGN_NOT_ACTIVE"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("replayed 0");
    expect(again.stdout).toContain("skipped 5 already replayed");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await simCalls()).toHaveLength(5);
  });

  it("leaves DUPLICATE_CALL letters alone unless named, and stops a letter that keeps coming back", async () => {
    const first = callRequest();
    await produceRequests(brokers, topics.callRequests, [first, callRequest({ to: first.to })]);
    const isDuplicate = (replays: string) => async () =>
      (await readAll(brokers, topics.deadLetters)).some(
        (l) => l.headers[DLQ_HEADERS.errorCode] === "DUPLICATE_CALL" && l.headers[DLQ_HEADERS.replayCount] === replays,
      ) || undefined;
    await eventually(isDuplicate("0"), "a DUPLICATE_CALL letter");

    const unnamed = await callbridge([...cli, "dlq", "replay", "--reason", "http_4xx", "--dry-run"]);
    expect(unnamed.stdout).toMatch(/skipped 1 DUPLICATE_CALL letters/);

    // Named, it is replayed; the first call is still active, so it comes back with replay_count 1.
    const named = await callbridge([...cli, "dlq", "replay", "--code", "DUPLICATE_CALL", "--json"]);
    expect(JSON.parse(named.stdout)).toMatchObject({ replayed: 1, byReasonAndCode: { "http_4xx/DUPLICATE_CALL": 1 } });
    await eventually(isDuplicate("1"), "the letter back from its replay");

    const guarded = await callbridge([...cli, "dlq", "replay", "--code", "DUPLICATE_CALL", "--max-replays", "1"]);
    expect(guarded.code).toBe(0);
    expect(guarded.stdout).toContain("replayed 0");
    expect(guarded.stdout).toMatch(/left alone 1 letters replayed too often already: \d+:\d+/);
    expect(guarded.stdout).toContain("skipped 1 already replayed");
  });
});

describe("bad input to the CLI: one clear line, a non-zero exit, no stack trace", () => {
  it.each([
    ["an unknown flag", ["dlq", "list", "--colour"], 2, "unknown option '--colour'"],
    ["a bad filter", ["dlq", "list", "--since", "yesterday"], 2, "--since yesterday: give a duration ago"],
    ["a bad reason", ["dlq", "replay", "--reason", "oops"], 2, "--reason oops: not a dead-letter reason"],
    ["a bad transform", ["dlq", "replay", "--set", "priority=high"], 2, "--set priority=high: give field=value"],
    ["an unreachable broker", ["--brokers", "127.0.0.1:1", "dlq", "list"], 1, "cannot reach Kafka at 127.0.0.1:1"],
    ["a missing topic", ["--dlq-topic", "no-such-topic", "dlq", "list"], 1, "topic no-such-topic does not exist"],
    ["an unknown command", ["frobnicate"], 2, "unknown command 'frobnicate'"],
    ["a misspelt command", ["dlq", "lst"], 2, "unknown command 'lst' (Did you mean list?)"],
    ["an invalid flag value", ["dlq", "list", "--limit", "-1"], 2, "option '--limit <n>' argument '-1' is invalid"],
  ])("%s", async (_name, args, code, message) => {
    const run = await callbridge(args[0] === "--brokers" ? args : ["--brokers", brokers, ...args]);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^callbridge: /)]);
  });
});
