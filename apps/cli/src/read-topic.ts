import { randomUUID } from "node:crypto";
import type { ConsumedRecord, KafkaClient } from "@callbridge/kafka";
import { CliError } from "./errors.js";
import { rootMessage } from "./kafka.js";

/** What a reader callback answers: go on, or "stop" (it has what it wanted). */
export type ReadVerdict = "more" | "stop";

/** How a read ended: every record up to the end offsets, stopped by the callback, or by a signal. */
export type ReadEnd = "complete" | "stopped" | "aborted";

export interface ReadTopicOptions {
  /** Only these partitions (all when absent). */
  readonly partitions?: readonly number[];
  /** Stops the read after the records in hand (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Fail when no records arrive for this long while some are still due, ms. */
  readonly stallMs?: number;
}

interface Range {
  readonly partition: number;
  /** The offset of the last record to read: the high watermark at the start, minus one. */
  readonly last: bigint;
}

/**
 * Streams a topic's records, partition by partition and oldest first, up to the end offsets
 * each partition had when the read began, handing them to `onRecords` a fetch at a time and
 * waiting for it before fetching more: memory stays flat however long the topic is, and there
 * is no overall deadline, only a stall check. kafkajs has no group-less consumer, so the read
 * joins a throwaway group that never commits and deletes it afterwards, so that nothing is
 * left on the broker.
 */
export async function readTopic(
  kafka: KafkaClient,
  topic: string,
  onRecords: (records: readonly ConsumedRecord[]) => Promise<ReadVerdict> | ReadVerdict,
  options: ReadTopicOptions,
): Promise<ReadEnd> {
  if (options.signal.aborted) return "aborted";
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { partitions } = await admin.describeTopic(topic);
    const wanted = options.partitions === undefined ? undefined : new Set(options.partitions);
    const ranges: Range[] = partitions
      .filter((p) => BigInt(p.high) > BigInt(p.low) && (wanted === undefined || wanted.has(p.partition)))
      .map((p) => ({ partition: p.partition, last: BigInt(p.high) - 1n }));
    if (ranges.length === 0) return "complete";
    const groupId = `callbridge-cli-read-${randomUUID()}`;
    try {
      return await readRanges(kafka, topic, groupId, ranges, onRecords, options);
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
}

async function readRanges(
  kafka: KafkaClient,
  topic: string,
  groupId: string,
  ranges: readonly Range[],
  onRecords: (records: readonly ConsumedRecord[]) => Promise<ReadVerdict> | ReadVerdict,
  options: ReadTopicOptions,
): Promise<ReadEnd> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 200, heartbeatIntervalMs: 1_000 });
  let finished = false;
  let settle: (end: ReadEnd) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const ended = new Promise<ReadEnd>((resolve, reject) => {
    settle = (end) => {
      finished = true;
      resolve(end);
    };
    fail = (error) => {
      finished = true;
      reject(error);
    };
  });
  let current = 0;
  let lastProgress = Date.now();
  let handling = false;
  const onAbort = () => settle("aborted");
  options.signal.addEventListener("abort", onAbort, { once: true });
  const stallMs = options.stallMs ?? 60_000;
  const stallCheck = setInterval(() => {
    if (!handling && Date.now() - lastProgress > stallMs) {
      const partition = ranges[current]?.partition;
      fail(new CliError(`reading ${topic} stalled: no records from partition ${partition} for ${Math.round(stallMs / 1000)}s`));
    }
  }, 1_000);
  const stopWatching = consumer.on((event) => {
    if (event.type === "crashed" && !event.willRestart) fail(new CliError(`reading ${topic} failed: ${rootMessage(event.error)}`));
  });
  try {
    await consumer.connect();
    await consumer.subscribe([topic]);
    await consumer.run(async (batch, context) => {
      if (finished) return 0;
      const range = ranges[current];
      // One partition at a time, so the output is in partition order: the others wait paused
      // and their records are fetched again from the same offset once resumed.
      if (range === undefined || batch.partition !== range.partition) {
        consumer.pause([{ topic, partitions: [batch.partition] }]);
        return 0;
      }
      if (finished || options.signal.aborted || !context.isRunning()) return 0;
      const records = batch.records.filter((record) => BigInt(record.offset) <= range.last);
      if (records.length === 0) return batch.records.length;
      handling = true;
      // The callback may take long (a paced replay); the group must not think this member gone.
      const beat = setInterval(() => void context.heartbeat().catch(() => undefined), 1_000);
      let verdict: ReadVerdict;
      try {
        verdict = await onRecords(records);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
        return 0;
      } finally {
        clearInterval(beat);
        handling = false;
        lastProgress = Date.now();
      }
      if (verdict === "stop") settle("stopped");
      else if (BigInt(records.at(-1)?.offset ?? "-1") >= range.last) {
        current += 1;
        const next = ranges[current];
        if (next === undefined) settle("complete");
        else consumer.resume([{ topic, partitions: [next.partition] }]);
      }
      return batch.records.length;
    });
    return await ended;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`reading ${topic} failed: ${rootMessage(error)}`);
  } finally {
    clearInterval(stallCheck);
    stopWatching();
    options.signal.removeEventListener("abort", onAbort);
    await consumer.disconnect().catch(() => undefined);
  }
}
