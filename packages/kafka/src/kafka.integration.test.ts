import { createLogger } from "@callbridge/observability";
import { uniqueName } from "@callbridge/test-infra";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { Admin } from "./admin.js";
import type { Consumer, RecordBatch, TopicPartitions } from "./consumer.js";
import { fitRecord } from "./fit-record.js";
import { KafkaClient } from "./kafka-client.js";
import { fitsAlone } from "./record-size.js";
import type { ConsumedRecord } from "./records.js";

// Against the real broker of the run (KAFKA_BROKERS, Testcontainers, or the Maven-jar launcher).

const brokers = inject("kafkaBrokers");
const logger = createLogger({ name: "kafka-test", level: "silent" });
const client = new KafkaClient({ brokers: [brokers], clientId: "kafka-integration-test", logger });
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function admin(): Promise<Admin> {
  const a = client.admin();
  await a.connect();
  cleanups.push(() => a.disconnect());
  return a;
}

async function topic(partitions: number, config?: Record<string, string>): Promise<string> {
  const name = uniqueName("kafka-test");
  const a = await admin();
  await a.ensureTopics([{ name, partitions, retentionMs: 3_600_000, ...(config ? { config } : {}) }]);
  cleanups.push(() => a.deleteTopics([name]));
  return name;
}

function consumer(groupId: string): Consumer {
  const c = client.consumer({ groupId, heartbeatIntervalMs: 500, maxWaitTimeMs: 200, sessionTimeoutMs: 10_000 });
  cleanups.push(() => c.disconnect());
  return c;
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("producer and consumer", () => {
  it("round-trips keys, values and headers, and keeps each key on one partition", async () => {
    const name = await topic(3);
    const producer = client.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `campaign-uuid-1:+1415555${String(i % 10).padStart(4, "0")}`,
      value: JSON.stringify({ n: i }),
      headers: { "callbridge.test": `h-${i}`, "x-unicode": "é✓" },
    }));
    const metadata = await producer.send(name, sent);
    expect(metadata.reduce((partitions, m) => partitions.add(m.partition), new Set<number>()).size).toBeGreaterThan(1);

    const received: ConsumedRecord[] = [];
    const c = consumer(uniqueName("group"));
    await c.connect();
    await c.subscribe([name]);
    await c.run(async (batch) => {
      received.push(...batch.records);
      return batch.records.length;
    });
    await until(() => (received.length >= 30 ? true : undefined), "30 records");

    expect(received).toHaveLength(30);
    const byN = new Map(received.map((r) => [(JSON.parse(String(r.value)) as { n: number }).n, r]));
    for (const [i, record] of sent.entries()) {
      const got = byN.get(i);
      expect(got?.key?.toString()).toBe(record.key);
      expect(got?.headers).toEqual(record.headers);
      expect(got?.topic).toBe(name);
    }
    const partitionsByKey = new Map<string, Set<number>>();
    for (const r of received) {
      const key = String(r.key);
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(r.partition));
    }
    for (const partitions of partitionsByKey.values()) expect(partitions.size).toBe(1);
  });

  it("refuses to write to a topic that does not exist instead of creating it", async () => {
    const strict = new KafkaClient({
      brokers: [brokers],
      clientId: "kafka-test-missing",
      logger,
      retry: { retries: 1, initialRetryTimeMs: 100 },
    });
    const producer = strict.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    await expect(producer.send(uniqueName("missing-topic"), [{ key: "k", value: "v" }])).rejects.toMatchObject({
      kind: "kafka_operation",
      operation: "produce",
    });
  });
});

describe("record sizes against the broker's limit", () => {
  it("reads a topic's limit, and the largest record recordBytes says fits is taken; a larger one is refused for good", async () => {
    const name = await topic(1, { "max.message.bytes": "20000" });
    const a = await admin();
    expect((await a.maxMessageBytes([name])).get(name)).toBe(20_000);
    let size = 19_000;
    while (fitsAlone({ key: "k", value: "x".repeat(size + 1), headers: { h: "v" } }, 20_000)) size += 1;
    const producer = client.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    await producer.send(name, [{ key: "k", value: "x".repeat(size), headers: { h: "v" } }]);
    const refused = await producer.send(name, [{ key: "k", value: "x".repeat(size + 200), headers: { h: "v" } }]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ kind: "kafka_operation", permanent: true, code: "MESSAGE_TOO_LARGE", tooLarge: true });
    // A record cut to fit lands.
    const fitted = fitRecord(
      { key: "k", value: "y".repeat(50_000), headers: { note: "z".repeat(5_000) } },
      { limitBytes: 20_000, trimmableHeaders: ["note"], truncatedHeader: "cut", originalSizeHeader: "bytes" },
    );
    await producer.send(name, [fitted.record]);
    expect(fitted.record.headers).toMatchObject({ cut: "true", bytes: "50000" });
  });
});

describe("consumer group", () => {
  it("hands partitions to a second member that joins, with no partition owned twice", async () => {
    const name = await topic(4);
    const groupId = uniqueName("group");
    const takeAll = async (batch: RecordBatch) => batch.records.length;
    const assignments = new Map<string, TopicPartitions[]>();

    const first = consumer(groupId);
    first.on((event) => {
      if (event.type === "assigned") assignments.set("first", event.assignment);
    });
    await first.connect();
    await first.subscribe([name]);
    await first.run(takeAll);
    await until(() => (assignments.get("first")?.[0]?.partitions.length === 4 ? true : undefined), "first member to own all 4 partitions");

    const second = consumer(groupId);
    second.on((event) => {
      if (event.type === "assigned") assignments.set("second", event.assignment);
    });
    await second.connect();
    await second.subscribe([name]);
    await second.run(takeAll);

    const split = await until(() => {
      const a = assignments.get("first")?.[0]?.partitions ?? [];
      const b = assignments.get("second")?.[0]?.partitions ?? [];
      return a.length > 0 && b.length > 0 && a.length + b.length === 4 ? { a, b } : undefined;
    }, "the group to split the partitions");
    expect([...split.a, ...split.b].sort()).toEqual([0, 1, 2, 3]);
    expect(first.assignment).toEqual([{ topic: name, partitions: split.a }]);
    const a = await admin();
    expect(await a.groupMembers(groupId)).toBe(2);
    expect(await a.groupMembers(uniqueName("no-such-group"))).toBe(0);
  });

  it("fetches the records a handler did not take again after resume, and nothing twice", async () => {
    const name = await topic(1);
    const producer = client.producer();
    await producer.connect();
    await producer.send(
      name,
      Array.from({ length: 20 }, (_, n) => ({ key: "k", value: String(n) })),
    );
    await producer.disconnect();
    const c = consumer(uniqueName("group"));
    const seen: string[] = [];
    let room = 3;
    await c.connect();
    await c.subscribe([name]);
    await c.run(async (batch) => {
      const taken = batch.records.slice(0, room);
      seen.push(...taken.map((r) => String(r.value)));
      room -= taken.length;
      // Full: pause before answering, as the worker does.
      if (taken.length < batch.records.length) c.pause([{ topic: name }]);
      return taken.length;
    });
    await until(() => (seen.length === 3 ? true : undefined), "the first 3 records");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(seen).toEqual(["0", "1", "2"]);
    room = 100;
    c.resume([{ topic: name }]);
    await until(() => (seen.length === 20 ? true : undefined), "the other 17 records");
    expect(seen).toEqual(Array.from({ length: 20 }, (_, n) => String(n)));
  });
});

describe("consumer outside a group join", () => {
  it("takes pause and resume as no-ops before it joins and after it disconnects (kafkajs would throw, crashing the caller)", async () => {
    const name = await topic(1);
    const c = consumer(uniqueName("group"));
    await c.connect();
    await c.subscribe([name]);
    expect(() => c.pause([{ topic: name }])).not.toThrow();
    expect(() => c.resume([{ topic: name }])).not.toThrow();
    const joined = new Promise<void>((resolve) => c.on((event) => event.type === "assigned" && resolve()));
    await c.run(async (batch) => batch.records.length);
    await joined;
    // Joined: a pause is real (a wrong target is refused by kafkajs, so it did reach it).
    expect(() => c.pause([{ topic: name, partitions: [Number.NaN] }])).toThrow();
    await c.disconnect();
    expect(() => c.pause([{ topic: name }])).not.toThrow();
    expect(() => c.resume([{ topic: name }])).not.toThrow();
  });
});

describe("admin", () => {
  it("ensures topics idempotently, also when called concurrently", async () => {
    const a = await admin();
    const name = uniqueName("ensure");
    cleanups.push(() => a.deleteTopics([name]));
    const spec = { name, partitions: 2, retentionMs: 60_000 };
    const [one, two] = await Promise.all([a.ensureTopics([spec]), a.ensureTopics([spec])]);
    expect([...one.created, ...one.existing]).toEqual([name]);
    expect([...two.created, ...two.existing]).toEqual([name]);
    expect(await a.ensureTopics([spec])).toEqual({ created: [], existing: [name], mismatched: [] });
    expect((await a.describeTopic(name)).partitions).toHaveLength(2);
  });

  it("creates the catalog's topics asked for by role, under the names given, with the catalog's partitions", async () => {
    const a = await admin();
    const names = { callRequests: uniqueName("requests"), dlqReplays: uniqueName("replays") };
    cleanups.push(() => a.deleteTopics(Object.values(names)));
    const result = await a.ensureCatalogTopics(["callRequests", "dlqReplays"], { names, partitions: 4 });
    expect([...result.created].sort()).toEqual(Object.values(names).sort());
    expect(result.specs.map((spec) => spec.name)).toEqual([names.callRequests, names.dlqReplays]);
    expect((await a.describeTopic(names.callRequests)).partitions).toHaveLength(4);
    // The replays topic has one partition whatever `partitions` says.
    expect((await a.describeTopic(names.dlqReplays)).partitions).toHaveLength(1);
  });

  it("reports an existing topic with fewer partitions than asked, without changing it", async () => {
    const name = await topic(1);
    const a = await admin();
    expect(await a.ensureTopics([{ name, partitions: 6, retentionMs: 60_000 }])).toEqual({
      created: [],
      existing: [name],
      mismatched: [{ name, partitions: 1, wanted: 6 }],
    });
  });

  it("computes consumer lag per partition before and after commits", async () => {
    const name = await topic(2);
    const a = await admin();
    const producer = client.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    await producer.send(name, [
      ...Array.from({ length: 5 }, (_, i) => ({ key: null, value: `p0-${i}`, partition: 0 })),
      ...Array.from({ length: 3 }, (_, i) => ({ key: null, value: `p1-${i}`, partition: 1 })),
    ]);
    const groupId = uniqueName("lag");

    expect(await a.consumerLag(groupId, name)).toEqual([
      { partition: 0, high: "5", committed: null, lag: 5 },
      { partition: 1, high: "3", committed: null, lag: 3 },
    ]);

    const c = consumer(groupId);
    await c.connect();
    await c.subscribe([name]);
    const seen: ConsumedRecord[] = [];
    await c.run(async (batch) => {
      seen.push(...batch.records);
      return batch.records.length;
    });
    await until(() => (seen.length === 8 ? true : undefined), "8 records");
    // Nothing committed yet: consuming alone does not move the group's position.
    expect((await a.consumerLag(groupId, name)).map((p) => p.lag)).toEqual([5, 3]);

    await c.commit([{ topic: name, partition: 0, offset: "2" }]);
    expect(await a.consumerLag(groupId, name)).toEqual([
      { partition: 0, high: "5", committed: "2", lag: 3 },
      { partition: 1, high: "3", committed: null, lag: 3 },
    ]);

    await c.commit([
      { topic: name, partition: 0, offset: "5" },
      { topic: name, partition: 1, offset: "3" },
    ]);
    expect((await a.consumerLag(groupId, name)).map((p) => p.lag)).toEqual([0, 0]);
  });
});
