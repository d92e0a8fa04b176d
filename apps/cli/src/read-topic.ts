import { randomUUID } from "node:crypto";
import type { BatchContext, BatchHandler, ConsumedRecord, Consumer, KafkaClient } from "@callbridge/kafka";
import { CliError } from "./errors.js";
import { rootMessage } from "./kafka.js";

/** What a reader callback answers: go on, or "stop" (it has what it wanted). */
export type ReadVerdict = "more" | "stop";

type OnRecords = (records: readonly ConsumedRecord[]) => Promise<ReadVerdict> | ReadVerdict;

/** How a read ended: every record up to the end offsets, stopped by the callback, or by a signal. */
export type ReadEnd = "complete" | "stopped" | "aborted";

export interface ReadTopicOptions {
  /** Only these partitions (all when absent). */
  readonly partitions?: readonly number[];
  /**
   * The first offset to hand over per partition (the low watermark when absent): records
   * before it are still fetched but skipped, and a partition with none from there is not read.
   */
  readonly from?: (partition: number) => bigint | undefined;
  /** Stops the read after the records in hand (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Fail when no records arrive for this long while some are still due, ms. */
  readonly stallMs?: number;
}

interface Range {
  readonly partition: number;
  /** The offset of the first record to hand over. */
  readonly first: bigint;
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
export async function readTopic(kafka: KafkaClient, topic: string, onRecords: OnRecords, options: ReadTopicOptions): Promise<ReadEnd> {
  if (options.signal.aborted) return "aborted";
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { partitions } = await admin.describeTopic(topic);
    const wanted = options.partitions === undefined ? undefined : new Set(options.partitions);
    const ranges: Range[] = partitions
      .filter((p) => wanted === undefined || wanted.has(p.partition))
      .map((p) => ({ partition: p.partition, first: maxOf(BigInt(p.low), options.from?.(p.partition)), last: BigInt(p.high) - 1n }))
      .filter((range) => range.last >= range.first);
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

function maxOf(low: bigint, from: bigint | undefined): bigint {
  return from !== undefined && from > low ? from : low;
}

/** Where a read is, shared by the batch handler, the stall check and the abort listener. */
interface ReadProgress {
  /** Set once the read has an end (`settle`) or an error (`fail`); later batches are left alone. */
  finished: boolean;
  /** Index in the ranges of the partition being read. */
  current: number;
  /** When `onRecords` last returned, ms. */
  lastProgress: number;
  /** Whether `onRecords` is running (a slow callback is no stall). */
  handling: boolean;
  readonly settle: (end: ReadEnd) => void;
  readonly fail: (error: Error) => void;
}

async function readRanges(
  kafka: KafkaClient,
  topic: string,
  groupId: string,
  ranges: readonly Range[],
  onRecords: OnRecords,
  options: ReadTopicOptions,
): Promise<ReadEnd> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 200, heartbeatIntervalMs: 1_000 });
  const { progress, ended } = startProgress();
  const onAbort = () => progress.settle("aborted");
  options.signal.addEventListener("abort", onAbort, { once: true });
  const stallCheck = checkForStalls(topic, ranges, progress, options.stallMs ?? 60_000);
  const stopWatching = consumer.on((event) => {
    if (event.type === "crashed" && !event.willRestart) progress.fail(new CliError(`reading ${topic} failed: ${rootMessage(event.error)}`));
  });
  try {
    await consumer.connect();
    await consumer.subscribe([topic]);
    await consumer.run(rangeBatchHandler(consumer, topic, ranges, onRecords, options.signal, progress));
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

/** A fresh read's progress, and the promise its `settle` resolves or its `fail` rejects. */
function startProgress(): { progress: ReadProgress; ended: Promise<ReadEnd> } {
  let resolveEnd: (end: ReadEnd) => void = () => {};
  let rejectEnd: (error: Error) => void = () => {};
  const ended = new Promise<ReadEnd>((resolve, reject) => {
    resolveEnd = resolve;
    rejectEnd = reject;
  });
  const progress: ReadProgress = {
    finished: false,
    current: 0,
    lastProgress: Date.now(),
    handling: false,
    settle: (end) => {
      progress.finished = true;
      resolveEnd(end);
    },
    fail: (error) => {
      progress.finished = true;
      rejectEnd(error);
    },
  };
  return { progress, ended };
}

/** Fails the read when no records were handled for `stallMs` while none is being handled. */
function checkForStalls(topic: string, ranges: readonly Range[], progress: ReadProgress, stallMs: number): ReturnType<typeof setInterval> {
  return setInterval(() => {
    if (!progress.handling && Date.now() - progress.lastProgress > stallMs) {
      const partition = ranges[progress.current]?.partition;
      progress.fail(new CliError(`reading ${topic} stalled: no records from partition ${partition} for ${Math.round(stallMs / 1000)}s`));
    }
  }, 1_000);
}

/**
 * Reads the ranges one partition at a time, so the output is in partition order: the others
 * wait paused and their records are fetched again from the same offset once resumed.
 */
function rangeBatchHandler(
  consumer: Consumer,
  topic: string,
  ranges: readonly Range[],
  onRecords: OnRecords,
  signal: AbortSignal,
  progress: ReadProgress,
): BatchHandler {
  return async (batch, context) => {
    if (progress.finished) return 0;
    const range = ranges[progress.current];
    if (range === undefined || batch.partition !== range.partition) {
      consumer.pause([{ topic, partitions: [batch.partition] }]);
      return 0;
    }
    if (progress.finished || signal.aborted || !context.isRunning()) return 0;
    const records = batch.records.filter((record) => BigInt(record.offset) >= range.first && BigInt(record.offset) <= range.last);
    if (records.length === 0) {
      // Records before the range's first are skipped, not handed over: still no stall.
      progress.lastProgress = Date.now();
      return batch.records.length;
    }
    const handled = await handOver(records, onRecords, context, progress);
    if (!handled.ok) return 0;
    if (handled.verdict === "stop") progress.settle("stopped");
    else if (BigInt(records.at(-1)?.offset ?? "-1") >= range.last) {
      progress.current += 1;
      const next = ranges[progress.current];
      if (next === undefined) progress.settle("complete");
      else consumer.resume([{ topic, partitions: [next.partition] }]);
    }
    return batch.records.length;
  };
}

/** Runs `onRecords`, heartbeating meanwhile; answers its verdict, or not ok when it threw (and so failed the read). */
async function handOver(
  records: readonly ConsumedRecord[],
  onRecords: OnRecords,
  context: BatchContext,
  progress: ReadProgress,
): Promise<{ ok: true; verdict: ReadVerdict } | { ok: false }> {
  progress.handling = true;
  // The callback may take long (a paced replay); the group must not think this member gone.
  const beat = setInterval(() => void context.heartbeat().catch(() => undefined), 1_000);
  try {
    return { ok: true, verdict: await onRecords(records) };
  } catch (error) {
    progress.fail(error instanceof Error ? error : new Error(String(error)));
    return { ok: false };
  } finally {
    clearInterval(beat);
    progress.handling = false;
    progress.lastProgress = Date.now();
  }
}
