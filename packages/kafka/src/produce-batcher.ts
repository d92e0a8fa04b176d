import type { TopicRecords } from "./producer.js";
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

interface Pending {
  readonly records: readonly TopicRecord[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Shares produce calls between concurrent webhooks. While one produce is in flight, the
 * records of newly arrived requests queue up and leave together in the next one; at low load
 * a request's records leave at once, unless `lingerMs` asks to wait that long for company (what
 * Kafka's own producers call linger.ms: fewer, larger produce requests for a little latency).
 * Each caller's promise settles when the produce carrying its records is acknowledged
 * (acks=all) or fails.
 */
export class ProduceBatcher {
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private sending: Promise<void> | undefined;

  constructor(
    private readonly sender: BatchSender,
    private readonly maxRecordsPerBatch: number,
    private readonly observer: BatchObserver = { onBatch: () => {} },
    private readonly lingerMs = 0,
  ) {}

  send(records: readonly TopicRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.queue.push({ records, resolve, reject }));
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
      if (this.lingerMs > 0 && this.queuedRecords < this.maxRecordsPerBatch) {
        await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
      }
      const batch = this.takeBatch();
      const started = performance.now();
      try {
        await this.sender.sendBatch(groupByTopic(batch));
        this.observer.onBatch(count(batch), (performance.now() - started) / 1000, true);
        for (const pending of batch) pending.resolve();
      } catch (error) {
        this.observer.onBatch(count(batch), (performance.now() - started) / 1000, false);
        for (const pending of batch) pending.reject(error);
      }
    }
  }

  /** Whole requests, oldest first, up to the record limit (a larger request goes alone). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let records = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (batch.length > 0 && records + next.records.length > this.maxRecordsPerBatch) break;
      batch.push(next);
      records += next.records.length;
      this.queuedRecords -= next.records.length;
      this.queue.shift();
    }
    return batch;
  }
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
