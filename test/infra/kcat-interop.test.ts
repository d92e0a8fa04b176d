import { type ConsumedRecord, KafkaClient } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { DLQ_HEADERS } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { afterAll, describe, expect, inject, it } from "vitest";
import { kcatAvailable, kcatConsume, kcatProduce } from "../support/kcat.js";

// Records and headers written by callbridge are readable by another Kafka client, and the
// other way round, on the run's broker.

const brokers = inject("kafkaBrokers");
const client = new KafkaClient({ brokers: [brokers], clientId: "kcat-interop", logger: createLogger({ name: "t", level: "silent" }) });
const admin = client.admin();
const topic = uniqueName("interop");

afterAll(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.disconnect();
});

describe.skipIf(!kcatAvailable())("kcat and @callbridge/kafka on one topic", () => {
  it("each reads what the other wrote, headers included", async () => {
    await admin.connect();
    await admin.ensureTopics([{ name: topic, partitions: 1, retentionMs: 3_600_000 }]);

    await kcatProduce(brokers, topic, ["from-kcat:1"], { [DLQ_HEADERS.reason]: "http_4xx" });
    const producer = client.producer();
    await producer.connect();
    await producer.send(topic, [{ key: "from-callbridge", value: "2", headers: { [DLQ_HEADERS.errorCode]: "CAMPAIGN_NOT_ACTIVE" } }]);
    await producer.disconnect();

    expect(await kcatConsume(brokers, topic)).toEqual([
      "from-kcat|1|callbridge.dlq.reason=http_4xx",
      "from-callbridge|2|callbridge.dlq.error_code=CAMPAIGN_NOT_ACTIVE",
    ]);

    const consumer = client.consumer({ groupId: uniqueName("interop"), maxWaitTimeMs: 200, heartbeatIntervalMs: 500 });
    const seen: ConsumedRecord[] = [];
    await consumer.connect();
    await consumer.subscribe([topic]);
    await consumer.run(async (batch) => {
      seen.push(...batch.records);
      return batch.records.length;
    });
    const deadline = Date.now() + 30_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await consumer.disconnect();
    expect(seen.map((r) => ({ key: String(r.key), value: String(r.value), headers: r.headers }))).toEqual([
      { key: "from-kcat", value: "1", headers: { "callbridge.dlq.reason": "http_4xx" } },
      { key: "from-callbridge", value: "2", headers: { "callbridge.dlq.error_code": "CAMPAIGN_NOT_ACTIVE" } },
    ]);
  });
});
