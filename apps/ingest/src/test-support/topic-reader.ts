import { type ConsumedRecord, KafkaClient } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { uniqueName } from "@callbridge/test-infra";

/**
 * Every record in a topic right now: reads each partition up to the high watermark it had
 * when called. Records acknowledged before the call are all there, so "exactly these" holds.
 */
export async function readTopic(brokers: string, topic: string, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const client = new KafkaClient({
    brokers: [brokers],
    clientId: "topic-reader",
    logger: createLogger({ name: "reader", level: "silent" }),
  });
  const admin = client.admin();
  await admin.connect();
  const { partitions } = await admin.describeTopic(topic);
  await admin.disconnect();
  const remaining = new Map(partitions.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
  const records: ConsumedRecord[] = [];
  if (remaining.size === 0) return records;

  const consumer = client.consumer({ groupId: uniqueName("reader"), maxWaitTimeMs: 100, heartbeatIntervalMs: 500 });
  await consumer.connect();
  await consumer.subscribe([topic]);
  const done = new Promise<void>((resolve) => {
    void consumer.run(async (batch) => {
      const last = remaining.get(batch.partition);
      for (const record of batch.records) {
        if (last !== undefined && BigInt(record.offset) <= last) records.push(record);
      }
      const lastOffset = batch.records.at(-1)?.offset;
      if (last !== undefined && lastOffset !== undefined && BigInt(lastOffset) >= last) remaining.delete(batch.partition);
      if (remaining.size === 0) resolve();
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out reading ${topic}; partitions left: ${[...remaining.keys()].join(",")}`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
