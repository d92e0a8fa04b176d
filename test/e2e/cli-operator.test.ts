import { DLQ_HEADERS } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { describe, expect, inject, it } from "vitest";
import { callbridge } from "../support/cli.js";
import { eventually, readAll } from "../support/kafka.js";
import { cliGroups, createTopics, paused, recordCount, startCallbridge, writeRecords } from "./cli-support.js";

// What operators see must be true: Ctrl-C stops a replay cleanly and a rerun resumes it; bad
// dates and broker lists are refused by name; inspect hides phone numbers in any format; the
// CLI leaves no consumer groups behind; replay sizes what it sends and says what it skipped.

const brokers = inject("kafkaBrokers");

interface Topics {
  readonly dlq: string;
  readonly requests: string;
  readonly replays: string;
  readonly args: string[];
}

async function freshTopics(options: { dlqPartitions?: number; requestsConfig?: Record<string, string> } = {}): Promise<Topics> {
  const dlq = uniqueName("dlq");
  const requests = uniqueName("requests");
  const replays = uniqueName("replays");
  await createTopics(brokers, [
    { name: dlq, partitions: options.dlqPartitions ?? 1 },
    { name: requests, partitions: 3, ...(options.requestsConfig ? { config: options.requestsConfig } : {}) },
  ]);
  return {
    dlq,
    requests,
    replays,
    args: ["--brokers", brokers, "--dlq-topic", dlq, "--requests-topic", requests, "--replays-topic", replays],
  };
}

/** Every CLI group that appeared since `before` is gone again (those of other tests' CLI runs too, once they end). */
async function expectNoGroupsLeft(before: readonly string[]): Promise<void> {
  const appeared = (await cliGroups(brokers)).filter((group) => !before.includes(group));
  await eventually(
    async () => ((await cliGroups(brokers)).some((group) => appeared.includes(group)) ? undefined : true),
    `consumer groups ${appeared.join(", ")} to be deleted`,
    20_000,
  );
}

describe("dlq replay stops on a signal after the batch in flight, and a rerun resumes", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s: exit %s, says how many were replayed, the rest follow on a rerun", async (signal, exitCode) => {
    const topics = await freshTopics({ dlqPartitions: 2 });
    await writeRecords(
      brokers,
      topics.dlq,
      Array.from({ length: 30 }, (_, i) => paused(i)),
    );
    const groupsBefore = await cliGroups(brokers);

    const run = startCallbridge([...topics.args, "dlq", "replay", "--rate", "4"]);
    await eventually(async () => ((await recordCount(brokers, topics.requests)) >= 3 ? true : undefined), "the first replayed requests");
    // While it runs it reads with a consumer group of its own...
    expect((await cliGroups(brokers)).filter((group) => !groupsBefore.includes(group)).length).toBeGreaterThan(0);
    process.kill(run.child.pid as number, signal);
    const exited = await run.exited;

    expect(exited.code).toBe(exitCode);
    const stopped = new RegExp(`callbridge: stopped by ${signal}: replayed (\\d+) letters; run the same command again to continue`);
    expect(run.stderr()).toMatch(stopped);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    const replayed = Number(stopped.exec(run.stderr())?.[1]);
    expect(replayed).toBeGreaterThanOrEqual(3);
    expect(replayed).toBeLessThan(30);
    expect(run.stdout()).toContain(`replayed ${replayed}`);
    // ...what it said it replayed is exactly what reached the topics, and it leaves no group.
    expect(await recordCount(brokers, topics.requests)).toBe(replayed);
    expect(await recordCount(brokers, topics.replays)).toBe(replayed);
    await expectNoGroupsLeft(groupsBefore);

    const rerun = await callbridge([...topics.args, "dlq", "replay", "--rate", "0"]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`30 letters match; replayed ${30 - replayed}`);
    expect(rerun.stdout).toContain(`skipped ${replayed} already replayed`);
    const requests = await readAll(brokers, topics.requests);
    expect(requests).toHaveLength(30);
    expect(new Set(requests.map((r) => r.headers["callbridge.replay.of"])).size).toBe(30);
  });
});

describe("date flags are read strictly", () => {
  it.each([
    [["dlq", "list", "--since", "2026-02-30T00:00:00Z"], "--since 2026-02-30T00:00:00Z: there is no day 30 in February 2026"],
    [["dlq", "list", "--until", "2026-13-01T00:00:00Z"], "--until 2026-13-01T00:00:00Z: there is no month 13"],
    [["dlq", "list", "--since", "2026-11-27T25:00:00Z"], "--since 2026-11-27T25:00:00Z: there is no hour 25"],
    [["dlq", "replay", "--dry-run", "--since", "2025-02-29"], "--since 2025-02-29: there is no day 29 in February 2025"],
    [["dlq", "replay", "--until", "last tuesday"], "--until last tuesday: give a duration ago"],
  ])("%j exits 2 naming the flag", async (args, message) => {
    const run = await callbridge(["--brokers", brokers, ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr.startsWith(`callbridge: ${message}`), run.stderr).toBe(true);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("reads a real date in the same position", async () => {
    const topics = await freshTopics();
    await writeRecords(brokers, topics.dlq, [paused(1)]);
    const run = await callbridge([...topics.args, "dlq", "list", "--since", "2026-02-28T00:00:00Z", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(1);
  });
});

describe("broker lists are checked before Kafka is asked", () => {
  it.each([
    [["--brokers", "garbage"], {}, "--brokers garbage: garbage has no port; use host:port[,host:port]"],
    [["--brokers", "kafka:99999"], {}, "--brokers kafka:99999: kafka:99999: the port must be a number from 1 to 65535"],
    [["--brokers", "127.0.0.1:19092,nope"], {}, "--brokers 127.0.0.1:19092,nope: nope has no port; use host:port[,host:port]"],
    [[], { KAFKA_BROKERS: "garbage" }, "KAFKA_BROKERS=garbage: garbage has no port; use host:port[,host:port]"],
    [
      [],
      { KAFKA_BROKERS: "http://kafka:9092" },
      'KAFKA_BROKERS=http://kafka:9092: http://kafka:9092: "http://kafka" is not a host name or IPv4 address',
    ],
  ])("%j %j exits 2 naming where the list came from", async (flags, env, message) => {
    for (const command of [
      ["dlq", "list"],
      ["dlq", "replay"],
      ["dlq", "inspect", "0:0"],
      ["topics", "describe"],
    ]) {
      const run = await callbridge([...flags, ...command], env);
      expect(run.code, command.join(" ")).toBe(2);
      expect(run.stderr.trim()).toBe(`callbridge: ${message}`);
      expect(run.stderr).not.toContain("NaN");
    }
  });
});

describe("dlq inspect masks every phone-like value unless --reveal", () => {
  it("masks numbers written with spaces, dots, dashes and brackets, and leaves times, ids and offsets whole", async () => {
    const topics = await freshTopics();
    const payload = {
      raw_phone: "+1 (415) 555-0904",
      mobile: "415.555.0905",
      office: "415-555-0906",
      digits: 4155550907,
      created_at: "2026-11-27T12:00:00Z",
      event_id: "550e8400-e29b-41d4-a716-446655440000",
      deal_id: 123456,
    };
    await writeRecords(brokers, topics.dlq, [
      paused(1, {
        payload,
        headers: { [DLQ_HEADERS.errorMessage]: "to: +1 415 555 0908 is not valid", [DLQ_HEADERS.originalOffset]: "12345678" },
      }),
    ]);
    const wholeNumbers = [/555-0904/, /555\.0905/, /555-0906/, /5550907/, /555 0908/, /14155551001/];

    for (const format of [[], ["--json"]]) {
      const masked = await callbridge([...topics.args, ...format, "dlq", "inspect", "0:0"]);
      expect(masked.code).toBe(0);
      for (const whole of wholeNumbers) expect(masked.stdout, `${format} ${whole}`).not.toMatch(whole);
      expect(masked.stdout).toContain("+1 (415) ***-**04");
      expect(masked.stdout).toContain("415.***.**05");
      expect(masked.stdout).toContain("+1 415 *** **08");
      for (const kept of ["2026-11-27T12:00:00Z", "550e8400-e29b-41d4-a716-446655440000", "123456", "12345678"]) {
        expect(masked.stdout).toContain(kept);
      }
    }
    const revealed = await callbridge([...topics.args, "dlq", "inspect", "0:0", "--reveal"]);
    expect(revealed.code).toBe(0);
    for (const whole of wholeNumbers) expect(revealed.stdout).toMatch(whole);

    const listed = await callbridge([...topics.args, "--json", "dlq", "list"]);
    expect(listed.stdout).not.toMatch(/555 0908|14155551001/);
  });
});

describe("the CLI leaves no consumer groups behind", () => {
  it("list, inspect, a dry run and a replay read without leaving a group", async () => {
    const topics = await freshTopics({ dlqPartitions: 2 });
    await writeRecords(
      brokers,
      topics.dlq,
      Array.from({ length: 7 }, (_, i) => paused(i)),
    );
    const before = await cliGroups(brokers);
    for (const args of [
      ["dlq", "list"],
      ["dlq", "list", "--limit", "3", "--json"],
      ["dlq", "inspect", "0:0"],
      ["dlq", "replay", "--dry-run"],
      ["dlq", "replay"],
      ["dlq", "replay"],
    ]) {
      const run = await callbridge([...topics.args, ...args]);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
    }
    await expectNoGroupsLeft(before);
  });

  it("lists partition by partition, oldest first, and --limit keeps the last ones", async () => {
    const topics = await freshTopics({ dlqPartitions: 2 });
    await writeRecords(
      brokers,
      topics.dlq,
      Array.from({ length: 7 }, (_, i) => paused(i)),
    );
    const all = JSON.parse((await callbridge([...topics.args, "--json", "dlq", "list"])).stdout) as { id: string }[];
    const order = all.map((l) => l.id.split(":").map(Number) as [number, number]);
    expect(order).toHaveLength(7);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    const last = JSON.parse((await callbridge([...topics.args, "--json", "dlq", "list", "--limit", "3"])).stdout) as { id: string }[];
    expect(last.map((l) => l.id)).toEqual(all.slice(-3).map((l) => l.id));
    const table = await callbridge([...topics.args, "dlq", "list"]);
    expect(table.stdout).toContain("7 of 7 matching letters");
  });
});

describe("replay sizes each request against the requests topic and says what it skipped", () => {
  it("skips a letter whose value was cut and one too large for the topic, in a dry run and a real one, once", async () => {
    const topics = await freshTopics({ requestsConfig: { "max.message.bytes": "4096" } });
    const cut = paused(2).value as string;
    await writeRecords(brokers, topics.dlq, [
      paused(1),
      paused(2, {
        value: cut.slice(0, 40),
        headers: { [DLQ_HEADERS.valueTruncated]: "true", [DLQ_HEADERS.originalValueBytes]: "2000000" },
      }),
      paused(3, { payload: { notes: "x".repeat(6_000) } }),
    ]);

    const dry = await callbridge([...topics.args, "dlq", "replay", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("3 letters match; would replay 1 (dry run: nothing written)");
    expect(dry.stdout).toContain("skipped 1 letters whose value was cut to fit:");
    expect(dry.stdout).toMatch(/skipped 0:1: its value was cut to fit the dead-letter topic \(40 of 2000000 bytes kept\)/);
    expect(dry.stdout).toContain("skipped 1 letters too large to replay:");
    expect(dry.stdout).toMatch(/skipped 0:2: the request would be \d+ bytes, over the requests topic's max.message.bytes of 4096/);
    const dryJson = JSON.parse((await callbridge([...topics.args, "--json", "dlq", "replay", "--dry-run"])).stdout);
    expect(dryJson.skipped.value_truncated.count).toBe(1);
    expect(dryJson.skipped.too_large.count).toBe(1);

    const real = await callbridge([...topics.args, "dlq", "replay"]);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain("3 letters match; replayed 1");
    expect(await recordCount(brokers, topics.requests)).toBe(1);

    const again = await callbridge([...topics.args, "dlq", "replay"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("3 letters match; replayed 0");
    expect(again.stdout).toContain("skipped 1 already replayed");
    expect(again.stdout).toContain("skipped 1 letters too large to replay:");
    expect(await recordCount(brokers, topics.requests)).toBe(1);
  });

  it("stops with one clear line and exit 1 when the broker refuses the requests for good, without looping", async () => {
    // Clients may not write to an internal topic: the broker answers INVALID_TOPIC_EXCEPTION,
    // which no retry mends. Nothing may be recorded as replayed.
    const topics = await freshTopics();
    await writeRecords(brokers, topics.dlq, [paused(1), paused(2)]);
    const args = topics.args.map((arg) => (arg === topics.requests ? "__consumer_offsets" : arg));
    for (let run = 0; run < 2; run++) {
      const replay = await callbridge([...args, "dlq", "replay"]);
      expect(replay.code).toBe(1);
      expect(replay.stderr).toMatch(
        /^callbridge: replay stopped after 0 replayed letters: the broker refused the request for good \(INVALID_TOPIC_EXCEPTION: .*\); fix that, then run it again\n$/,
      );
      expect(replay.stdout).toContain("replayed 0");
      expect(await recordCount(brokers, topics.replays)).toBe(0);
    }
  });
});
