import { type ConsumedRecord, deferralTopicSpecs, KafkaClient, readTopicSnapshot } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { type CallRequestInput, callRequestKey } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";

export function kafkaClient(brokers: string, clientId = uniqueName("test")): KafkaClient {
  return new KafkaClient({ brokers: [brokers], clientId, logger: createLogger({ name: "test-kafka", level: "silent" }) });
}

export interface TestTopics {
  readonly callRequests: string;
  readonly deadLetters: string;
  readonly callResults: string;
}

/** Fresh topics for one test (requests with `partitions` partitions, and its deferral tiers with as many). */
export async function createTopics(brokers: string, partitions = 3): Promise<TestTopics> {
  const topics = { callRequests: uniqueName("requests"), deadLetters: uniqueName("dlq"), callResults: uniqueName("results") };
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  await admin.ensureTopics([
    { name: topics.callRequests, partitions, retentionMs: 3_600_000 },
    { name: topics.deadLetters, partitions: 1, retentionMs: 3_600_000 },
    { name: topics.callResults, partitions: 3, retentionMs: 3_600_000 },
    ...deferralTopicSpecs(topics.callRequests, partitions).map((spec) => ({ ...spec, retentionMs: 3_600_000 })),
  ]);
  await admin.disconnect();
  return topics;
}

/** Writes call requests (JSON) keyed as the ingest keys them; `raw` entries go out as given. */
export async function produceRequests(
  brokers: string,
  topic: string,
  requests: (CallRequestInput | { raw: string | null; key?: string })[],
): Promise<void> {
  const producer = kafkaClient(brokers).producer();
  await producer.connect();
  try {
    const records = requests.map((request) =>
      "raw" in request
        ? { key: request.key ?? "poison", value: request.raw }
        : { key: callRequestKey({ campaign_id: request.campaign_id, to: request.to }), value: JSON.stringify(request) },
    );
    for (let i = 0; i < records.length; i += 500) await producer.send(topic, records.slice(i, i + 500));
  } finally {
    await producer.disconnect();
  }
}

export function readAll(brokers: string, topic: string): Promise<ConsumedRecord[]> {
  return readTopicSnapshot(kafkaClient(brokers), topic);
}

export function jsonOf<T = Record<string, unknown>>(record: ConsumedRecord): T {
  return JSON.parse(String(record.value)) as T;
}

/** Polls `probe` until it returns a value, or fails naming `what`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
