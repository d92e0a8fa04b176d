import type { Logger } from "@callbridge/observability";
import type { Kafka, Consumer as KafkaJsConsumer } from "kafkajs";
import { whileClusterInFlux } from "./cluster-in-flux.js";
import { wrapKafkaError } from "./errors.js";
import type { ConnectionState } from "./log-adapter.js";
import { type ConsumedRecord, decodeHeaders, type TopicPartitionOffset } from "./records.js";

export interface ConsumerOptions {
  readonly groupId: string;
  /** The broker drops a member it has not heard from for this long, ms. */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly maxBytesPerPartition?: number;
  /** Most bytes one fetch brings back over all partitions (the broker still returns at least one record batch). */
  readonly maxBytes?: number;
  /** Longest a fetch waits for new records, ms; also bounds how long `stop()` waits for a fetch. */
  readonly maxWaitTimeMs?: number;
}

export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** Offset of the next record the broker will write to this partition. */
  readonly highWatermark: string;
}

export interface BatchContext {
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /** False once `stop()` began: the handler should return. */
  isRunning(): boolean;
  /** True when the partition was revoked or seeked: the rest of the batch is stale. */
  isStale(): boolean;
}

/**
 * Handles a fetched batch and answers how many of its records, from the front, it took. The
 * records it did not take are fetched again from there once the partition is resumed, so a
 * handler that takes only what fits must pause the partition before it returns.
 */
export type BatchHandler = (batch: RecordBatch, context: BatchContext) => Promise<number> | number;

export interface RunOptions {
  /** Batches of different partitions handled at once (≤ partitions assigned). */
  readonly partitionsConsumedConcurrently?: number;
}

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export type ConsumerEvent =
  | { type: "assigned"; assignment: TopicPartitions[] }
  | { type: "rebalancing" }
  /** `code`: the broker's error name when it answered with one (e.g. `INVALID_SESSION_TIMEOUT`). */
  | { type: "crashed"; error: Error; willRestart: boolean; code: string | undefined }
  | { type: "stopped" };

/**
 * A group consumer that never commits by itself: the caller commits exactly the offsets it
 * has finished (`commit`), so a crash redelivers only unfinished records. The fetch position
 * moves past the records the handler took (see BatchHandler), not past the whole batch.
 */
export class Consumer {
  private readonly consumer: KafkaJsConsumer;
  private currentAssignment: TopicPartitions[] = [];
  private readonly listeners = new Set<(event: ConsumerEvent) => void>();
  private closing: Promise<void> | undefined;
  /**
   * In a group with fetch state to pause and resume: from each group join until it stops,
   * crashes (kafkajs drops the group to restart it) or disconnects. kafkajs throws a
   * non-retriable error at a pause or resume outside that, which would crash the caller's
   * consumer — the worker's other consumer, say, while this one restarts.
   */
  private joined = false;

  /** @internal Made by KafkaClient only: kafkajs stays out of the public declarations. */
  constructor(
    kafka: Kafka,
    readonly options: ConsumerOptions,
    logger: Logger,
    private readonly connection: ConnectionState = { established: false },
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxBytes: options.maxBytes ?? 10_485_760,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: false,
    });
    const { GROUP_JOIN, REBALANCING, CRASH, STOP } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.currentAssignment = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({
        topic,
        partitions: [...partitions].sort((a, b) => a - b),
      }));
      this.emit({ type: "assigned", assignment: this.currentAssignment });
    });
    this.consumer.on(REBALANCING, () => this.emit({ type: "rebalancing" }));
    this.consumer.on(CRASH, ({ payload }) => {
      this.joined = false;
      logger.error(
        { component: "kafka-consumer", groupId: options.groupId, err: payload.error, restart: payload.restart },
        "consumer crashed",
      );
      const code = (payload.error as { type?: unknown }).type;
      this.emit({ type: "crashed", error: payload.error, willRestart: payload.restart, code: typeof code === "string" ? code : undefined });
    });
    this.consumer.on(STOP, () => {
      this.joined = false;
      this.emit({ type: "stopped" });
    });
  }

  /** Partitions this member owns since the last group join. */
  get assignment(): readonly TopicPartitions[] {
    return this.currentAssignment;
  }

  on(listener: (event: ConsumerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async connect(): Promise<void> {
    await whileClusterInFlux("connect", () => this.consumer.connect());
    this.connection.established = true;
  }

  /** Subscribes to topics; a group with no committed offset starts at the earliest record. */
  async subscribe(topics: readonly string[]): Promise<void> {
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
  }

  /** Starts fetching; resolves once the loop runs (the group join happens in the background). */
  async run(handler: BatchHandler, options: RunOptions = {}): Promise<void> {
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const { topic, partition } = batch;
        const records: ConsumedRecord[] = batch.messages.map((m) => ({
          topic,
          partition,
          offset: m.offset,
          key: m.key ?? null,
          value: m.value ?? null,
          headers: decodeHeaders(m.headers),
          timestamp: m.timestamp,
        }));
        const taken = await handler({ topic, partition, records, highWatermark: batch.highWatermark }, { heartbeat, isRunning, isStale });
        // kafkajs fetches the next records after the last resolved offset.
        const last = records[Math.min(taken, records.length) - 1];
        if (last) resolveOffset(last.offset);
      },
    });
  }

  /** Commits "next offset to read" per partition. */
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
    } catch (error) {
      throw wrapKafkaError("commit", error);
    }
  }

  /**
   * Stops fetching from these partitions (all assigned ones of the topic when `partitions` is
   * absent). Outside a group join (not yet joined, restarting after a crash, stopped) there is
   * nothing to pause: a no-op; the next join starts with everything fetching, and `assigned`
   * listeners pause again what they must.
   */
  pause(targets: readonly { topic: string; partitions?: readonly number[] }[]): void {
    if (this.joined) this.consumer.pause(targets.map(toKafkaJsTarget));
  }

  /** Fetches from these partitions again; a no-op outside a group join, as `pause`. */
  resume(targets: readonly { topic: string; partitions?: readonly number[] }[]): void {
    if (this.joined) this.consumer.resume(targets.map(toKafkaJsTarget));
  }

  /** Stops the fetch loop, waits for the running batch, leaves the group; safe to call twice. */
  disconnect(): Promise<void> {
    this.joined = false;
    this.closing ??= this.consumer.disconnect();
    return this.closing;
  }

  private emit(event: ConsumerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function toKafkaJsTarget(target: { topic: string; partitions?: readonly number[] }): { topic: string; partitions?: number[] } {
  return target.partitions ? { topic: target.topic, partitions: [...target.partitions] } : { topic: target.topic };
}
