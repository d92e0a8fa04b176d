import { randomUUID } from "node:crypto";
import type { KafkaClient } from "./kafka-client.js";
import type { ConsumedRecord } from "./records.js";

/**
 * Every record of a topic as of now: each partition is read up to the high watermark it had
 * when called, with a throwaway group that commits nothing. Records acknowledged before the
 * call are all in the result; records written later may or may not be. The group is deleted
 * afterwards (best effort), so reads leave no groups behind.
 */
export async function readTopicSnapshot(
  client: KafkaClient,
  topic: string,
  options: { timeoutMs?: number } = {},
): Promise<ConsumedRecord[]> {
  const admin = client.admin();
  await admin.connect();
  const { partitions } = await admin.describeTopic(topic).finally(() => admin.disconnect());
  const lastOffsets = new Map(partitions.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
  const records: ConsumedRecord[] = [];
  if (lastOffsets.size === 0) return records;

  const groupId = `callbridge-snapshot-${randomUUID()}`;
  const consumer = client.consumer({ groupId, maxWaitTimeMs: 100, heartbeatIntervalMs: 500 });
  await consumer.connect();
  await consumer.subscribe([topic]);
  const remaining = new Map(lastOffsets);
  const complete = new Promise<void>((resolve) => {
    void consumer.run(async (batch) => {
      const last = lastOffsets.get(batch.partition);
      if (last === undefined) return batch.records.length;
      for (const record of batch.records) if (BigInt(record.offset) <= last) records.push(record);
      const batchLast = batch.records.at(-1)?.offset;
      if (batchLast !== undefined && BigInt(batchLast) >= last) remaining.delete(batch.partition);
      if (remaining.size === 0) resolve();
      return batch.records.length;
    });
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out reading ${topic}: partitions ${[...remaining.keys()].join(",")} not read to the end`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([complete, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await deleteGroup(client, groupId);
  }
  return records.sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
}

async function deleteGroup(client: KafkaClient, groupId: string): Promise<void> {
  const admin = client.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // A leftover empty group is harmless; the broker expires it (offsets.retention.minutes).
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
