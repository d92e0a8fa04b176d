import { setMaxListeners } from "node:events";
import type { ConsumedRecord, Consumer, ProduceBatcher, RecordBatch, TopicPartitions, TopicRecord } from "@callbridge/kafka";
import { decodeJson } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import { CallRequest } from "@callbridge/schemas";
import type { WorkerMetrics } from "../metrics.js";
import { deadLetterRecord, resultRecord, type WorkerTopics } from "../output/records.js";
import type { ProcessSignals, Verdict } from "../process/process-request.js";
import { sleep } from "../process/sleep.js";
import { KeyQueue } from "./key-queue.js";
import { OffsetTracker } from "./offset-tracker.js";
import { room, shouldPause, type WindowState } from "./window.js";

export interface DispatcherDeps {
  readonly consumer: Pick<Consumer, "pause" | "resume" | "commit">;
  readonly output: Pick<ProduceBatcher, "send">;
  readonly process: (request: CallRequest, signals: ProcessSignals) => Promise<Verdict>;
  readonly topics: WorkerTopics;
  readonly maxInFlight: number;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

interface Work {
  readonly record: ConsumedRecord;
  readonly request: CallRequest;
  readonly tracker: OffsetTracker;
}

/**
 * Takes records from the consumer and runs them: different keys concurrently (up to
 * `maxInFlight` records, a hard bound, shared fairly by the partitions: window.ts), the same
 * key in order. A partition's fetching pauses while its share is full or calls are held, and
 * resumes once half of it is free. Offsets are committed up to the lowest
 * unfinished record of each partition, so a crash redelivers only what was in flight, and
 * throughput does not depend on the number of partitions.
 */
export class Dispatcher {
  private readonly trackers = new Map<string, OffsetTracker>();
  private readonly keys: KeyQueue<Work>;
  /** Aborted when shutdown begins: nothing new reaches the API. */
  private readonly stopStarting = new AbortController();
  /** Aborted at the shutdown deadline: calls still at the API are abandoned. */
  private readonly abort = new AbortController();
  private inFlight = 0;
  private assignedPartitions: readonly number[] = [];
  private readonly pausedPartitions = new Set<number>();
  private held = false;
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    this.keys = new KeyQueue((work) => this.run(work));
    // Every waiting request listens on these two signals; thousands of listeners are expected.
    setMaxListeners(0, this.stopStarting.signal, this.abort.signal);
  }

  get inFlightRecords(): number {
    return this.inFlight;
  }

  /**
   * Called by the consumer for each fetched batch; returns at once so fetching and heartbeats
   * go on. Takes records only while the window has room (and calls are not held), and answers
   * how many it took: the rest stay with Kafka and are fetched again on resume, so memory and
   * the time to the first call do not grow with a backlog.
   */
  handleBatch(batch: RecordBatch): number {
    const tracker = this.trackerFor(batch.topic, batch.partition);
    let free = room(this.window(), tracker.inFlight);
    let taken = 0;
    for (const record of batch.records) {
      if (free <= 0) break;
      taken += 1;
      // A redelivery (after a rebalance) of a record still in flight here.
      if (!tracker.add(record.offset)) continue;
      free -= 1;
      this.inFlight += 1;
      const decoded = decodeJson(record.value, CallRequest);
      if (!decoded.ok) {
        void this.finishPoison(record, tracker, `${decoded.reason}: ${decoded.detail}`);
        continue;
      }
      const key = record.key ? record.key.toString("utf8") : decoded.value.idempotency_key;
      this.keys.push(key, { record, request: decoded.value, tracker });
    }
    this.updateGauges();
    this.applyBackpressure();
    return taken;
  }

  /** A new group assignment: forget partitions that went elsewhere (their owner redelivers them), share the window anew. */
  assigned(assignment: readonly TopicPartitions[]): void {
    const owned = new Set(assignment.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}:${p}`)));
    for (const key of this.trackers.keys()) if (!owned.has(key)) this.trackers.delete(key);
    this.assignedPartitions = assignment.find(({ topic }) => topic === this.deps.topics.callRequests)?.partitions ?? [];
    // Start from a known state: everything fetching, then pause what is full.
    if (this.assignedPartitions.length > 0)
      this.deps.consumer.resume([{ topic: this.deps.topics.callRequests, partitions: this.assignedPartitions }]);
    this.pausedPartitions.clear();
    this.applyBackpressure();
  }

  /** Pauses fetching while calls cannot be made (the 401 circuit), independent of the window. */
  hold(held: boolean): void {
    this.held = held;
    this.applyBackpressure();
  }

  /** Commits, per partition, everything below its lowest unfinished record. */
  async commit(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string; tracker: OffsetTracker }[] = [];
    for (const [key, tracker] of this.trackers) {
      const offset = tracker.committable();
      if (offset === undefined) continue;
      const split = key.lastIndexOf(":");
      offsets.push({ topic: key.slice(0, split), partition: Number(key.slice(split + 1)), offset, tracker });
    }
    if (offsets.length === 0) return;
    try {
      await this.deps.consumer.commit(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      for (const { tracker, offset } of offsets) tracker.committed(offset);
    } catch (error) {
      // A rebalance took the partitions; their new owner starts from the last commit.
      this.deps.logger.warn({ err: error }, "offset commit failed; the records will be redelivered to the partition's owner");
    }
  }

  /**
   * Shutdown: take nothing new and start no new call; records that have not reached the API
   * are given up at once (uncommitted, so redelivered after the restart). Calls at the API get
   * until `deadline` to finish, then they are abandoned too.
   */
  async drain(deadline: number): Promise<void> {
    this.draining = true;
    this.stopStarting.abort();
    this.applyBackpressure();
    const idle = this.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (await within(idle, deadline - Date.now())) return;
    this.deps.logger.warn({ inFlight: this.inFlight }, "shutdown deadline reached; abandoning in-flight calls (they will be redelivered)");
    this.abort.abort();
    await within(idle, 2_000);
  }

  private async run(work: Work): Promise<void> {
    const { record, request, tracker } = work;
    try {
      const verdict = await this.deps.process(request, { stop: this.stopStarting.signal, hard: this.abort.signal });
      if (verdict.kind === "abandoned") return;
      const records: TopicRecord[] = [resultRecord(verdict.result, this.deps.topics.callResults)];
      if (verdict.deadLetter) {
        records.push(deadLetterRecord(record, verdict.deadLetter, this.deps.topics.deadLetters, new Date()));
        this.deps.metrics.deadLetters.inc({ reason: verdict.deadLetter.reason, code: verdict.deadLetter.errorCode ?? "none" });
      }
      if (!(await this.write(records))) return;
      this.deps.metrics.outcome(verdict.result.outcome).inc();
      tracker.done(record.offset);
    } catch (error) {
      // A bug, not an API answer: leave the record uncommitted rather than lose it.
      this.deps.logger.error(
        { err: error, topic: record.topic, partition: record.partition, offset: record.offset },
        "processing failed unexpectedly",
      );
    } finally {
      this.finished();
    }
  }

  private async finishPoison(record: ConsumedRecord, tracker: OffsetTracker, detail: string): Promise<void> {
    try {
      const letter = deadLetterRecord(
        record,
        { reason: "invalid_message", message: `not a valid CallRequest v1: ${detail}`, attempts: 0 },
        this.deps.topics.deadLetters,
        new Date(),
      );
      if (!(await this.write([letter]))) return;
      this.deps.metrics.deadLetters.inc({ reason: "invalid_message", code: "none" });
      this.deps.metrics.outcome("invalid_message").inc();
      tracker.done(record.offset);
    } finally {
      this.finished();
    }
  }

  /** Writes results and dead letters, retrying while Kafka is away; false only when shutting down. */
  private async write(records: TopicRecord[]): Promise<boolean> {
    for (let failures = 0; ; failures++) {
      try {
        await this.deps.output.send(records);
        return true;
      } catch (error) {
        if (failures === 0) this.deps.logger.warn({ err: error }, "could not write results; retrying");
        if (!(await sleep(Math.min(5_000, 200 * 2 ** failures), this.abort.signal))) return false;
      }
    }
  }

  private finished(): void {
    this.inFlight -= 1;
    this.updateGauges();
    // Only a paused partition can need resuming; pausing happens where records are taken.
    if (this.pausedPartitions.size > 0) this.applyBackpressure();
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private window(): WindowState {
    return {
      maxInFlight: this.deps.maxInFlight,
      total: this.inFlight,
      assignedPartitions: this.assignedPartitions.length,
      blocked: this.draining || this.held,
    };
  }

  /** Pauses the partitions that are full (or all, while blocked) and resumes those with room again. */
  private applyBackpressure(): void {
    const window = this.window();
    const pause: number[] = [];
    const resume: number[] = [];
    for (const partition of this.assignedPartitions) {
      const inFlight = this.trackers.get(`${this.deps.topics.callRequests}:${partition}`)?.inFlight ?? 0;
      const paused = this.pausedPartitions.has(partition);
      const wanted = shouldPause(window, inFlight, paused);
      if (wanted && !paused) pause.push(partition);
      if (!wanted && paused) resume.push(partition);
    }
    const topic = this.deps.topics.callRequests;
    if (pause.length > 0) {
      for (const partition of pause) this.pausedPartitions.add(partition);
      this.deps.consumer.pause([{ topic, partitions: pause }]);
    }
    if (resume.length > 0) {
      for (const partition of resume) this.pausedPartitions.delete(partition);
      this.deps.consumer.resume([{ topic, partitions: resume }]);
    }
  }

  private trackerFor(topic: string, partition: number): OffsetTracker {
    const key = `${topic}:${partition}`;
    let tracker = this.trackers.get(key);
    if (!tracker) {
      tracker = new OffsetTracker();
      this.trackers.set(key, tracker);
    }
    return tracker;
  }

  private updateGauges(): void {
    this.deps.metrics.inFlightRecords.set(this.inFlight);
  }
}

/** Whether `promise` settles within `ms`; the timer does not outlive the answer. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = await Promise.race([promise.then(() => true), sleep(Math.max(0, ms), timer.signal).then(() => false)]);
  timer.abort();
  return settled;
}
