import type { TopicRecords } from "./producer.js";
import { RECORD_BATCH_OVERHEAD_BYTES, recordBytes } from "./record-size.js";
import type { OutgoingRecord } from "./records.js";

/** One record and the topic it goes to. */
export interface TopicRecord {
  readonly topic: string;
  readonly record: OutgoingRecord;
}

export interface BatchSender {
  sendBatch(batches: readonly TopicRecords[]): Promise<unknown>;
}

export interface BatchObserver {
  /** After each produce call: how many records it carried, how long it took, whether it worked. */
  onBatch(records: number, seconds: number, ok: boolean): void;
}

export interface ProduceBatcherOptions {
  /** Most records in one produce call. */
  readonly maxRecords: number;
  /**
   * Most bytes in one produce call (record-size.ts): at most the smallest `max.message.bytes`
   * of the topics written, so no partition's batch can exceed it. A single request larger than
   * this still goes, alone.
   */
  readonly maxBytes?: number;
  /** How long a drain waits for more records while the batch is not full (Kafka's linger.ms). */
  readonly lingerMs?: number;
  readonly observer?: BatchObserver;
}

interface Pending {
  readonly records: readonly TopicRecord[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Shares produce calls between concurrent callers. While one produce is in flight, the records
 * of newly arrived requests queue up and leave together in the next one, within the record and
 * byte budgets; at low load a request's records leave at once, unless `lingerMs` asks to wait
 * for company (fewer, larger produce requests for a little latency). Each caller's promise
 * settles when the produce carrying its records is acknowledged (acks=all) or fails. When a
 * shared produce fails for good (a permanent error, such as a record the broker refuses for its
 * size), each request in it is sent again alone, so only the one at fault fails.
 */
export class ProduceBatcher {
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private sending: Promise<void> | undefined;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly lingerMs: number;
  private readonly observer: BatchObserver;

  constructor(
    private readonly sender: BatchSender,
    options: ProduceBatcherOptions,
  ) {
    this.maxRecords = options.maxRecords;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.lingerMs = options.lingerMs ?? 0;
    this.observer = options.observer ?? { onBatch: () => {} };
  }

  send(records: readonly TopicRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const bytes = records.reduce((sum, { record }) => sum + recordBytes(record), 0);
    const done = new Promise<void>((resolve, reject) => this.queue.push({ records, bytes, resolve, reject }));
    this.queuedRecords += records.length;
    this.kick();
    return done;
  }

  /**
   * Starts draining unless a drain runs. A caller whose promise a drain just settled may send
   * again before that drain is marked finished, so a finished drain looks at the queue again.
   */
  private kick(): void {
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Resolves once everything queued so far has been produced or has failed. */
  async flush(): Promise<void> {
    while (this.sending !== undefined) await this.sending;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.lingerMs > 0 && this.queuedRecords < this.maxRecords) {
        await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
      }
      const batch = this.takeBatch();
      const error = await this.produce(batch);
      if (error === undefined) {
        for (const pending of batch) pending.resolve();
      } else if (batch.length > 1 && isPermanent(error)) {
        // One request's records may be at fault: each goes again alone and settles on its own.
        for (const pending of batch) {
          const alone = await this.produce([pending]);
          if (alone === undefined) pending.resolve();
          else pending.reject(alone);
        }
      } else {
        for (const pending of batch) pending.reject(error);
      }
    }
  }

  /** One produce call; the error it failed with, if it did. */
  private async produce(batch: readonly Pending[]): Promise<unknown> {
    const started = performance.now();
    try {
      await this.sender.sendBatch(groupByTopic(batch));
      this.observer.onBatch(count(batch), (performance.now() - started) / 1000, true);
      return undefined;
    } catch (error) {
      this.observer.onBatch(count(batch), (performance.now() - started) / 1000, false);
      return error ?? new Error("produce failed");
    }
  }

  /** Whole requests, oldest first, within the record and byte budgets (a larger request goes alone). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let records = 0;
    let bytes = RECORD_BATCH_OVERHEAD_BYTES;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (batch.length > 0 && (records + next.records.length > this.maxRecords || bytes + next.bytes > this.maxBytes)) break;
      batch.push(next);
      records += next.records.length;
      bytes += next.bytes;
      this.queuedRecords -= next.records.length;
      this.queue.shift();
    }
    return batch;
  }
}

/** The broker's own judgement, carried by KafkaOperationError: a failure that sending again will not mend. */
function isPermanent(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { permanent?: unknown }).permanent === true;
}

function count(batch: readonly Pending[]): number {
  return batch.reduce((sum, pending) => sum + pending.records.length, 0);
}

function groupByTopic(batch: readonly Pending[]): TopicRecords[] {
  const byTopic = new Map<string, TopicRecord["record"][]>();
  for (const pending of batch) {
    for (const { topic, record } of pending.records) {
      const records = byTopic.get(topic);
      if (records) records.push(record);
      else byTopic.set(topic, [record]);
    }
  }
  return [...byTopic].map(([topic, records]) => ({ topic, records }));
}
