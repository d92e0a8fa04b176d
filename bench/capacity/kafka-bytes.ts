// Kafka bytes of a run, two ways: the records read back (key, value and headers, and each
// record's size in the v2 format) and the broker's own log segments on disk (which add the
// record batches' headers: what a broker stores, replicates and serves).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type KafkaClient, readTopicSnapshot, recordBytes } from "@callbridge/kafka";

export interface TopicBytes {
  readonly records: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
  readonly headerBytes: number;
  /** Each record's size in a v2 batch (varint lengths and deltas included, batch header not). */
  readonly recordFormatBytes: number;
  /** What the broker's .log segments of the topic hold, batch headers included. */
  readonly logBytes: number;
}

/** Reads a topic back and sizes its records; `dataDir` is the broker's log.dirs. */
export async function topicBytes(client: KafkaClient, dataDir: string, topic: string): Promise<TopicBytes> {
  const records = await readTopicSnapshot(client, topic, { timeoutMs: 60_000 });
  let keyBytes = 0;
  let valueBytes = 0;
  let headerBytes = 0;
  let recordFormatBytes = 0;
  for (const record of records) {
    keyBytes += record.key?.length ?? 0;
    valueBytes += record.value?.length ?? 0;
    for (const [name, value] of Object.entries(record.headers)) headerBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    recordFormatBytes += recordBytes({ key: record.key, value: record.value, headers: record.headers });
  }
  return { records: records.length, keyBytes, valueBytes, headerBytes, recordFormatBytes, logBytes: logBytes(dataDir, topic) };
}

/** Bytes in the .log segments of every partition of `topic` (directories `<topic>-<partition>`). */
export function logBytes(dataDir: string, topic: string): number {
  const partitionDir = new RegExp(`^${topic.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d+$`);
  let total = 0;
  for (const dir of readdirSync(dataDir)) {
    if (!partitionDir.test(dir)) continue;
    for (const file of readdirSync(join(dataDir, dir))) {
      if (file.endsWith(".log")) total += statSync(join(dataDir, dir, file)).size;
    }
  }
  return total;
}
