import type { ConsumedRecord, OutgoingRecord } from "@callbridge/kafka";
import { type InMemoryTracing, parseTraceparent, setTracingOn, TRACEPARENT_HEADER, traceInMemory } from "@callbridge/observability";
import { DLQ_HEADERS } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { cliKafka } from "../kafka.js";
import { readTopic } from "../read-topic.js";
import { runCallbridge } from "../test-support/run-cli.js";

// `dlq inspect` and `dlq replay` against a real broker, on topics of their own, with the SDK's
// in-memory exporter registered as a traced CLI registers its provider.

const brokers = inject("kafkaBrokers");
const ORIGINAL = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const ORIGINAL_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

let tracing: InMemoryTracing;

beforeAll(() => {
  tracing = traceInMemory();
  setTracingOn(false);
});

afterEach(() => {
  setTracingOn(false);
  tracing.reset();
});

afterAll(() => tracing.stop());

function deadLetter(n: number, headers: Record<string, string>): OutgoingRecord {
  const to = `+1415555${String(200 + n).padStart(4, "0")}`;
  return {
    key: `campaign-paused:${to}`,
    value: JSON.stringify({ idempotency_key: uniqueName(`k${n}`), campaign_id: "campaign-paused", to }),
    headers: {
      "content-type": "application/json",
      [DLQ_HEADERS.reason]: "http_4xx",
      [DLQ_HEADERS.errorCode]: "CAMPAIGN_NOT_ACTIVE",
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      ...headers,
    },
  };
}

/** Fresh dead-letter and requests topics holding `letters`; the CLI arguments that name them. */
async function topicsWith(letters: readonly OutgoingRecord[]): Promise<{ args: string[]; requests: string }> {
  const [dlq, requests] = [uniqueName("dlq"), uniqueName("requests")];
  const kafka = cliKafka([brokers]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.ensureTopics([dlq, requests].map((name) => ({ name, partitions: 1, retentionMs: 3_600_000, replicationFactor: 1 })));
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send(dlq, letters);
  } finally {
    await producer.disconnect();
  }
  const args = ["--brokers", brokers, "--dlq-topic", dlq, "--requests-topic", requests, "--replays-topic", uniqueName("replays")];
  return { args, requests };
}

async function recordsIn(topic: string): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  await readTopic(
    cliKafka([brokers]),
    topic,
    (batch) => {
      records.push(...batch);
      return "more";
    },
    { signal: new AbortController().signal },
  );
  return records;
}

const callbridge = (args: readonly string[]) => runCallbridge(args, { nowMs: Date.now });

describe("dlq inspect", () => {
  it("prints a letter's trace id from its traceparent, and nothing for a letter without one", async () => {
    const { args } = await topicsWith([deadLetter(1, { [TRACEPARENT_HEADER]: ORIGINAL }), deadLetter(2, {})]);
    const traced = await callbridge([...args, "dlq", "inspect", "0:0"]);
    expect(traced.code).toBe(0);
    expect(traced.out).toMatch(
      /^dead letter 0:0 in \S+\nkey: campaign-paused:\+1415\*+01\ntrace: 4bf92f3577b34da6a3ce929d0e0e4736\n\nheaders:\n/,
    );
    expect(traced.out).toContain(`  ${TRACEPARENT_HEADER.padEnd(DLQ_HEADERS.errorCode.length)}  ${ORIGINAL}\n`);
    const untraced = await callbridge([...args, "dlq", "inspect", "0:1"]);
    expect(untraced.code).toBe(0);
    expect(untraced.out).not.toContain("trace:");

    const json = await callbridge([...args, "--json", "dlq", "inspect", "0:0"]);
    expect(JSON.parse(json.out)).toMatchObject({ id: "0:0", trace_id: ORIGINAL_TRACE });
    const none = await callbridge([...args, "--json", "dlq", "inspect", "0:1"]);
    expect(JSON.parse(none.out)).toMatchObject({ id: "0:1", trace_id: null });
  });
});

describe("dlq replay", () => {
  it("traced: each replayed request starts a new trace whose span links to the letter's", async () => {
    const { args, requests } = await topicsWith([deadLetter(3, { [TRACEPARENT_HEADER]: ORIGINAL }), deadLetter(4, {})]);
    setTracingOn(true);
    const run = await callbridge([...args, "dlq", "replay", "--code", "CAMPAIGN_NOT_ACTIVE", "--rate", "0"]);
    expect(run.code).toBe(0);
    const replayed = await recordsIn(requests);
    expect(replayed).toHaveLength(2);
    const spans = tracing.spans();
    expect(spans).toHaveLength(2);
    for (const [i, record] of replayed.entries()) {
      const carried = parseTraceparent(record.headers[TRACEPARENT_HEADER]);
      expect(carried?.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(carried?.traceId).not.toBe(ORIGINAL_TRACE);
      const span = spans.find((s) => s.spanContext().spanId === carried?.spanId);
      expect(span).toMatchObject({ name: "dlq replay", parentSpanContext: undefined });
      expect(span?.attributes).toMatchObject({ "messaging.destination.name": requests, "callbridge.dlq.offset": i });
      const links = span?.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, ...link.attributes }));
      expect(links).toEqual(
        i === 0 ? [{ traceId: ORIGINAL_TRACE, spanId: "00f067aa0ba902b7", "callbridge.link": "replayed dead letter" }] : [],
      );
    }
  });

  it("untraced: the replayed request keeps the letter's headers as they were, its traceparent included", async () => {
    const { args, requests } = await topicsWith([deadLetter(5, { [TRACEPARENT_HEADER]: ORIGINAL, tracestate: "vendor=1" })]);
    const run = await callbridge([...args, "dlq", "replay", "--code", "CAMPAIGN_NOT_ACTIVE", "--rate", "0"]);
    expect(run.code).toBe(0);
    const [record, ...more] = await recordsIn(requests);
    expect(more).toEqual([]);
    expect(record?.headers).toMatchObject({ [TRACEPARENT_HEADER]: ORIGINAL, tracestate: "vendor=1" });
    expect(tracing.spans()).toEqual([]);
  });
});
