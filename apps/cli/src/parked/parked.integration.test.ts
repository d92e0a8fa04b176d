import { deferralTopicSpecs, type OutgoingRecord } from "@callbridge/kafka";
import {
  CAMPAIGN_STATUS_KEY_PREFIX,
  DEFERRAL_HEADERS,
  DEFERRAL_TIERS,
  deferralGroupId,
  deferralTopic,
  PARKED_COMMANDS_KEY,
} from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { cliKafka } from "../kafka.js";
import { runCli } from "../run.js";

// Against a real broker and Redis: tier records written as the worker writes them, a worker
// group committed partway, and the commands run in-process as `main.ts` runs them.

const brokers = inject("kafkaBrokers");
const redisUrl = inject("redisUrl");
const redis = new Redis(redisUrl);
const now = Date.now();
const minute = 60_000;
const [, , tier5m, tier1h] = DEFERRAL_TIERS;

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function callbridge(args: readonly string[]): Promise<Run> {
  const out: string[] = [];
  let err = "";
  const code = await runCli(args, {
    env: process.env,
    out: (text) => out.push(text),
    err: (text) => {
      err += text;
    },
    interactive: false,
    nowMs: () => now,
    signal: new AbortController().signal,
  });
  return { code, out: out.join("\n"), err };
}

interface TierRecord {
  readonly key: string;
  readonly campaign: string;
  readonly reason?: string;
  readonly status?: string;
  /** Minutes before now. */
  readonly parkedAgo?: number;
  /** Minutes from now. */
  readonly checkIn?: number;
  readonly count?: number;
  readonly partition: number;
}

/** A tier record as the worker writes one: keyed by idempotency key, the request as value. */
function tierRecord(r: TierRecord, n: number): OutgoingRecord {
  const to = `+1415555${String(1000 + n).padStart(4, "0")}`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    [DEFERRAL_HEADERS.reason]: r.reason ?? "campaign_not_active",
    [DEFERRAL_HEADERS.notBefore]: new Date(now + (r.checkIn ?? 5) * minute).toISOString(),
    [DEFERRAL_HEADERS.wakeAt]: new Date(now + (r.checkIn ?? 5) * minute).toISOString(),
    [DEFERRAL_HEADERS.count]: String(r.count ?? 1),
    [DEFERRAL_HEADERS.firstAt]: new Date(now - 3 * 60 * minute).toISOString(),
    [DEFERRAL_HEADERS.campaignId]: r.campaign,
    [DEFERRAL_HEADERS.originalKey]: `${r.campaign}:${to}`,
    [DEFERRAL_HEADERS.originalTopic]: "requests",
    [DEFERRAL_HEADERS.originalPartition]: "0",
    [DEFERRAL_HEADERS.originalOffset]: String(n),
  };
  if (r.reason === undefined) {
    headers[DEFERRAL_HEADERS.parkedAt] = new Date(now - (r.parkedAgo ?? 10) * minute).toISOString();
    headers[DEFERRAL_HEADERS.campaignStatus] = r.status ?? "paused";
  }
  return {
    key: r.key,
    value: JSON.stringify({ idempotency_key: r.key, campaign_id: r.campaign, to, payload: {} }),
    headers,
    partition: r.partition,
  };
}

/** Tier topics of a fresh requests topic, two partitions each, as the worker creates them. */
async function tierTopics(): Promise<string> {
  const requests = uniqueName("requests");
  const admin = cliKafka([brokers]).admin();
  await admin.connect();
  try {
    await admin.ensureTopics(deferralTopicSpecs(requests, 2));
  } finally {
    await admin.disconnect();
  }
  return requests;
}

async function write(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
  const producer = cliKafka([brokers]).producer();
  await producer.connect();
  try {
    // One at a time, so the timestamps go up with the offsets as the worker's writes do.
    for (const record of records) {
      await producer.send(topic, [record]);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await producer.disconnect();
  }
}

/** Commits the worker group's offset as a worker that handled the records before it would. */
async function commitGroup(groupId: string, topic: string, partition: number, offset: number): Promise<void> {
  const consumer = cliKafka([brokers]).consumer({ groupId, maxWaitTimeMs: 100, heartbeatIntervalMs: 500 });
  const assigned = new Promise<void>((resolve) => consumer.on((event) => event.type === "assigned" && resolve()));
  await consumer.connect();
  try {
    await consumer.subscribe([topic]);
    await consumer.run(() => 0);
    await assigned;
    await consumer.commit([{ topic, partition, offset: String(offset) }]);
  } finally {
    await consumer.disconnect();
  }
}

const campaign = (name: string) => `${name}-${uniqueName("c")}`;
const parkedCampaign = campaign("camp-a");
const handledCampaign = campaign("camp-b");
const movedOnCampaign = campaign("camp-c");
const uncommittedCampaign = campaign("camp-d");
const group = uniqueName("worker");
let requests = "";

beforeAll(async () => {
  requests = await tierTopics();
  const topic5m = deferralTopic(requests, tier5m);
  await write(
    topic5m,
    [
      // Before the committed offset: handled already, whatever they say.
      { key: "k-old", campaign: parkedCampaign, partition: 0 },
      { key: "k-done", campaign: handledCampaign, partition: 0 },
      // Pending from here (offset 2).
      { key: "k1", campaign: parkedCampaign, parkedAgo: 120, checkIn: 4, partition: 0 },
      { key: "k2", campaign: parkedCampaign, parkedAgo: 30, checkIn: 2, partition: 0 },
      { key: "k2", campaign: parkedCampaign, parkedAgo: 30, checkIn: 7, count: 2, status: "draft", partition: 0 },
      { key: "k3", campaign: movedOnCampaign, reason: "retry_backoff", partition: 0 },
      { key: "k4", campaign: movedOnCampaign, partition: 0 },
      { key: "k4", campaign: movedOnCampaign, reason: "rate_limited", count: 2, partition: 0 },
      // Partition 1 has no committed offset: read from its low watermark.
      { key: "k5", campaign: uncommittedCampaign, parkedAgo: 5, partition: 1 },
    ].map(tierRecord),
  );
  // k2 parked again, in another tier: still one request.
  await write(deferralTopic(requests, tier1h), [
    tierRecord({ key: "k2", campaign: parkedCampaign, parkedAgo: 30, checkIn: 60, count: 3, status: "draft", partition: 1 }, 9),
  ]);
  // The workers read the tiers in their tier group.
  await commitGroup(deferralGroupId(group), topic5m, 0, 2);
});

afterAll(async () => {
  const campaigns = [parkedCampaign, handledCampaign, movedOnCampaign, uncommittedCampaign];
  await redis.hdel(PARKED_COMMANDS_KEY, ...campaigns);
  await redis.quit();
});

const base = () => ["--brokers", brokers, "--requests-topic", requests];

describe("parked list", () => {
  it("reads from the worker group's committed offsets, one row per campaign, the latest copy of each request", async () => {
    const run = await callbridge([...base(), "--json", "parked", "list", "--group", group]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.out) as { group: string; parked: number; campaigns: Record<string, unknown>[] };
    expect(listed.group).toBe(group);
    expect(listed.parked).toBe(3);
    expect(listed.campaigns).toEqual([
      {
        campaign_id: parkedCampaign,
        parked: 2,
        oldest_parked_at: new Date(now - 120 * minute).toISOString(),
        oldest_parked_age_s: 7200,
        last_seen_status: "draft",
        last_seen_at: expect.any(String),
        next_check_at: new Date(now + 4 * minute).toISOString(),
      },
      {
        campaign_id: uncommittedCampaign,
        parked: 1,
        oldest_parked_at: new Date(now - 5 * minute).toISOString(),
        oldest_parked_age_s: 300,
        last_seen_status: "paused",
        last_seen_at: expect.any(String),
        next_check_at: new Date(now + 5 * minute).toISOString(),
      },
    ]);
  });

  it("prints a table like dlq list, without phone numbers", async () => {
    const run = await callbridge([...base(), "parked", "list", "--group", group]);
    expect(run.code).toBe(0);
    const lines = run.out.split("\n");
    expect(lines[0]).toMatch(/^CAMPAIGN\s+PARKED\s+STATUS\s+OLDEST PARKED\s+AGE\s+NEXT CHECK$/);
    expect(lines[1]).toMatch(new RegExp(`^${parkedCampaign}\\s+2\\s+draft\\s+\\S+Z\\s+2h\\s+in 4m$`));
    expect(lines[2]).toMatch(new RegExp(`^${uncommittedCampaign}\\s+1\\s+paused\\s+\\S+Z\\s+5m\\s+in 5m$`));
    expect(run.out).toContain(`3 parked requests in 2 campaigns (worker group ${group})`);
    expect(run.out).not.toMatch(/1415555/);
  });

  it("a group that never committed sees every record: the handled ones count too", async () => {
    const run = await callbridge([...base(), "--json", "parked", "list", "--group", uniqueName("other")]);
    const listed = JSON.parse(run.out) as { campaigns: { campaign_id: string; parked: number }[] };
    expect(listed.campaigns.map((c) => [c.campaign_id, c.parked])).toEqual([
      [parkedCampaign, 3],
      [handledCampaign, 1],
      [uncommittedCampaign, 1],
    ]);
  });

  it("says so when the tier topics do not exist (no worker with durable deferral ever started): exit 1", async () => {
    const missing = uniqueName("requests");
    const run = await callbridge(["--brokers", brokers, "--requests-topic", missing, "parked", "list"]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `callbridge: the deferral tier topics of ${missing} do not exist (${DEFERRAL_TIERS.map((t) => deferralTopic(missing, t)).join(", ")}): no worker with durable deferral has started against this requests topic, so nothing is parked\n`,
    );
  });

  it("an empty tier set says nothing is parked", async () => {
    const empty = await tierTopics();
    const run = await callbridge(["--brokers", brokers, "--requests-topic", empty, "parked", "list"]);
    expect(run.code).toBe(0);
    expect(run.out).toBe("no parked requests (worker group callbridge-worker)");
  });
});

describe("parked redrive", () => {
  it("merges redrive_at_ms into the campaign's command, deletes its cached status, and counts its parked requests", async () => {
    await redis.hset(PARKED_COMMANDS_KEY, parkedCampaign, JSON.stringify({ drop_before_ms: 5 }));
    await redis.set(CAMPAIGN_STATUS_KEY_PREFIX + parkedCampaign, JSON.stringify({ status: "paused", checked_at_ms: now }), "PX", 60_000);
    const run = await callbridge([...base(), "parked", "redrive", "--campaign", parkedCampaign, "--redis", redisUrl, "--group", group]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse((await redis.hget(PARKED_COMMANDS_KEY, parkedCampaign)) ?? "null")).toEqual({
      drop_before_ms: 5,
      redrive_at_ms: now,
    });
    expect(await redis.exists(CAMPAIGN_STATUS_KEY_PREFIX + parkedCampaign)).toBe(0);
    expect(run.out).toContain(`redrive of campaign ${parkedCampaign} written (${PARKED_COMMANDS_KEY}, at ${new Date(now).toISOString()})`);
    expect(run.out).toContain(`cached status of campaign ${parkedCampaign} deleted`);
    expect(run.out).toContain(`2 requests of campaign ${parkedCampaign} parked now (worker group ${group})`);
  });

  it("takes REDIS_URL; --json says what it wrote", async () => {
    vi.stubEnv("REDIS_URL", redisUrl);
    try {
      const run = await callbridge([...base(), "--json", "parked", "redrive", "--campaign", uncommittedCampaign, "--group", group]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toEqual({
        action: "redrive",
        campaign_id: uncommittedCampaign,
        command: { redrive_at_ms: now },
        replaced_unreadable: false,
        status_cache_cleared: false,
        group,
        parked: 1,
        count_error: null,
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("still writes the command when Kafka does not answer, and says it could not count (exit 0)", async () => {
    const target = campaign("camp-offline");
    const run = await callbridge(["--brokers", "127.0.0.1:1", "parked", "redrive", "--campaign", target, "--redis", redisUrl]);
    await redis.hdel(PARKED_COMMANDS_KEY, target);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`redrive of campaign ${target} written`);
    expect(run.out).toMatch(/could not count its parked requests: cannot reach Kafka at 127\.0\.0\.1:1/);
  });
});

describe("parked drop", () => {
  it("refuses without --yes (exit 2) and writes nothing", async () => {
    const run = await callbridge([...base(), "parked", "drop", "--campaign", movedOnCampaign, "--redis", redisUrl]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^callbridge: parked drop dead-letters every request of campaign \S+ parked until now .*add --yes to do it/);
    expect(await redis.hexists(PARKED_COMMANDS_KEY, movedOnCampaign)).toBe(0);
  });

  it("with --yes sets drop_before_ms to now, keeps the redrive, and counts what it drops", async () => {
    await redis.hset(PARKED_COMMANDS_KEY, parkedCampaign, JSON.stringify({ redrive_at_ms: 7 }));
    await redis.set(CAMPAIGN_STATUS_KEY_PREFIX + parkedCampaign, JSON.stringify({ status: "paused", checked_at_ms: now }), "PX", 60_000);
    const run = await callbridge([
      ...base(),
      "parked",
      "drop",
      "--campaign",
      parkedCampaign,
      "--yes",
      "--redis",
      redisUrl,
      "--group",
      group,
    ]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse((await redis.hget(PARKED_COMMANDS_KEY, parkedCampaign)) ?? "null")).toEqual({
      redrive_at_ms: 7,
      drop_before_ms: now,
    });
    // A drop does not need the campaign's status: its cache is left alone.
    expect(await redis.exists(CAMPAIGN_STATUS_KEY_PREFIX + parkedCampaign)).toBe(1);
    expect(run.out).toContain(`2 requests of campaign ${parkedCampaign} will be dropped (worker group ${group})`);
  });
});

describe("redrive and drop need the workers' Redis", () => {
  it.each([
    ["redrive", []],
    ["drop", ["--yes"]],
  ])("%s without --redis or REDIS_URL: exit 2, saying why", async (name, extra) => {
    vi.stubEnv("REDIS_URL", undefined);
    try {
      const run = await callbridge([...base(), "parked", name, "--campaign", parkedCampaign, ...extra]);
      expect(run.code).toBe(2);
      expect(run.err).toBe(
        `callbridge: parked ${name} needs Redis (--redis <url> or REDIS_URL): the workers read operator commands from the Redis they share (REDIS_URL), so there is nothing to tell a worker that runs without Redis\n`,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("an unreachable Redis is exit 1, naming where (never the password)", async () => {
    const run = await callbridge([...base(), "parked", "redrive", "--campaign", parkedCampaign, "--redis", "redis://:s3cret@127.0.0.1:1"]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^callbridge: cannot reach Redis at 127\.0\.0\.1:1 \(--redis\): /);
    expect(run.err).not.toContain("s3cret");
  });

  it("a URL that is not Redis's is exit 2, naming the variable", async () => {
    vi.stubEnv("REDIS_URL", "http://redis:6379");
    try {
      const run = await callbridge([...base(), "parked", "redrive", "--campaign", parkedCampaign]);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/^callbridge: REDIS_URL: http: is not a Redis URL/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
