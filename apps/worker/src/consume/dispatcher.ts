import { setMaxListeners } from "node:events";
import type { ConsumedRecord, Consumer, ProduceBatcher, RecordBatch, TopicPartitions, TopicRecord } from "@callbridge/kafka";
import { decodeJson } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import { CallRequest, DEFERRAL_TIERS, deferralTopic } from "@callbridge/schemas";
import type { ClaimKeeper } from "../claims/claim-keeper.js";
import { type Deferral, type DeferredRecord, deferralRecord, readDeferredRecord } from "../deferral/deferral-record.js";
import { isDue } from "../deferral/tiers.js";
import { deadLetterRecord, invalidMessageLetter, type WorkerTopics } from "../delivery/records.js";
import type { RecordRef } from "../ledger/ledger.js";
import type { WorkerMetrics } from "../metrics.js";
import type { ProcessSignals, RequestEnd } from "../process/process-request.js";
import { DeferralHolds } from "./deferral-holds.js";
import { KeyQueue } from "./key-queue.js";
import { OffsetTracker } from "./offset-tracker.js";
import { byTopic, within } from "./partition-helpers.js";
import { inProcessSpan, stampTrace } from "./process-span.js";
import { RecordWriter, type WriteLimits } from "./record-writer.js";
import { room, shouldPause, type WindowState } from "./window.js";

export type { WriteLimits };

export interface DispatcherDeps {
  readonly consumer: Pick<Consumer, "pause" | "resume" | "commit">;
  readonly output: Pick<ProduceBatcher, "send">;
  readonly process: (
    request: CallRequest,
    signals: ProcessSignals,
    deferral: Deferral | undefined,
    record: RecordRef,
  ) => Promise<RequestEnd>;
  /** Once a request's outputs are written its record is settled (and its claim let go); the marks are trimmed at each commit. */
  readonly claims: Pick<ClaimKeeper, "settle" | "release" | "forgetSettled">;
  readonly topics: WorkerTopics;
  readonly maxInFlight: number;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  /** Whether a parked request of a campaign, written at a time, is to be read before its wake time (an operator's command). */
  readonly wakesEarly?: (campaignId: string, writtenAtMs: number) => boolean;
  readonly now?: () => number;
}

interface Work {
  /** The record as consumed (its offset is what gets committed). */
  readonly record: ConsumedRecord;
  /** The request's record as first read from the requests topic (the same, unless it waited in a tier). */
  readonly origin: ConsumedRecord;
  readonly request: CallRequest;
  readonly tracker: OffsetTracker;
  readonly deferral?: Deferral | undefined;
}

/**
 * Takes records from the consumer and runs them: different keys concurrently (up to
 * `maxInFlight` records, a hard bound, shared fairly by the partitions: window.ts), the same
 * key in order. A partition's fetching pauses while its share is full or calls are held, and
 * resumes once half of it is free. Offsets are committed up to the lowest
 * unfinished record of each partition, so a crash redelivers only what was in flight, and
 * throughput does not depend on the number of partitions. Records of the deferral tier topics
 * (docs/deferral.md) are taken once they are due: a partition whose head is not due yet is
 * paused until it is, and a due request that still has to wait goes on to its next tier.
 */
export class Dispatcher {
  private readonly trackers = new Map<string, OffsetTracker>();
  private readonly keys: KeyQueue<Work>;
  /** Aborted when shutdown begins: nothing new reaches the API. */
  private readonly stopStarting = new AbortController();
  /** Aborted at the shutdown deadline: calls still at the API are abandoned. */
  private readonly abort = new AbortController();
  private inFlight = 0;
  private readonly writer: RecordWriter;
  /** The partitions of the requests topic and of the tier topics this member owns. */
  private assignedPartitions: readonly { topic: string; partition: number }[] = [];
  private requestPartitions = 0;
  private readonly pausedPartitions = new Set<string>();
  private readonly tierTopics: ReadonlySet<string>;
  private readonly holds: DeferralHolds;
  private tierPartitions: ReadonlyMap<string, number> = new Map();
  private readonly now: () => number;
  private held = false;
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    this.writer = new RecordWriter(deps, this.stopStarting.signal);
    this.keys = new KeyQueue((work) => this.run(work));
    this.now = deps.now ?? Date.now;
    this.tierTopics = new Set(DEFERRAL_TIERS.map((tier) => deferralTopic(deps.topics.callRequests, tier)));
    this.holds = new DeferralHolds(() => this.applyBackpressure(), this.now);
    // Every waiting request listens on these two signals; thousands of listeners are expected.
    setMaxListeners(0, this.stopStarting.signal, this.abort.signal);
  }

  /** The topics' size limits, read from the broker at start-up. */
  useLimits(limits: WriteLimits): void {
    this.writer.useLimits(limits);
  }

  /** Partitions of each tier topic, read at start-up: requests of one key share a tier partition. */
  useTierPartitions(partitions: ReadonlyMap<string, number>): void {
    this.tierPartitions = partitions;
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
    if (this.tierTopics.has(batch.topic)) return this.handleTierBatch(batch);
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
      this.keys.push(key, { record, origin: record, request: decoded.value, tracker });
    }
    this.updateGauges();
    this.applyBackpressure();
    return taken;
  }

  /**
   * A batch of a tier topic: takes records while they are due and the window has room. At the
   * first record not due, the partition is held (paused) until it is; the rest are fetched
   * again then. A due record whose `not_before` is still ahead goes on to its next tier.
   */
  private handleTierBatch(batch: RecordBatch): number {
    const tracker = this.trackerFor(batch.topic, batch.partition);
    const topicPartition = `${batch.topic}:${batch.partition}`;
    let free = room(this.window(), tracker.inFlight);
    let taken = 0;
    for (const record of batch.records) {
      if (free <= 0) break;
      const read = readDeferredRecord(record);
      const early = read.ok && this.wakesEarly(read.value);
      if (read.ok && !early && read.value.wakeAtMs > this.now()) {
        this.holds.hold(topicPartition, read.value.wakeAtMs);
        break;
      }
      taken += 1;
      this.holds.taken(topicPartition);
      if (!tracker.add(record.offset)) continue;
      free -= 1;
      this.inFlight += 1;
      if (!read.ok) {
        void this.finishPoison(record, tracker, read.reason);
        continue;
      }
      const { original, deferral, campaignId } = read.value;
      if (!early && !isDue(Date.parse(deferral.notBefore), this.now())) {
        void this.hop(record, original, deferral, campaignId, tracker);
        continue;
      }
      const decoded = decodeJson(record.value, CallRequest);
      if (!decoded.ok) {
        void this.finishPoison(record, tracker, `${decoded.reason}: ${decoded.detail}`);
        continue;
      }
      const key = original.key ? original.key.toString("utf8") : decoded.value.idempotency_key;
      this.keys.push(key, { record, origin: original, request: decoded.value, tracker, deferral });
    }
    this.updateGauges();
    this.applyBackpressure();
    return taken;
  }

  /** A new group assignment: forget partitions that went elsewhere (their owner redelivers them), share the window anew. */
  assigned(assignment: readonly TopicPartitions[]): void {
    const owned = new Set(assignment.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}:${p}`)));
    for (const key of this.trackers.keys()) if (!owned.has(key)) this.trackers.delete(key);
    const ours = assignment.filter(({ topic }) => topic === this.deps.topics.callRequests || this.tierTopics.has(topic));
    this.assignedPartitions = ours.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
    this.requestPartitions = ours.find(({ topic }) => topic === this.deps.topics.callRequests)?.partitions.length ?? 0;
    // Start from a known state: everything fetching (each tier's head is read again), then pause what is full.
    this.holds.clear();
    const fetching = ours.filter(({ partitions }) => partitions.length > 0);
    if (fetching.length > 0) this.deps.consumer.resume(fetching);
    this.pausedPartitions.clear();
    this.applyBackpressure();
  }

  /** Reads every tier's head again now (operators asked for parked requests to be woken). */
  wakeParked(): void {
    this.holds.clear();
    this.applyBackpressure();
  }

  private wakesEarly(read: DeferredRecord): boolean {
    return read.deferral.reason === "campaign_not_active" && (this.deps.wakesEarly?.(read.campaignId, read.writtenAtMs) ?? false);
  }

  /** Sets the gauges of waiting requests this worker holds (called about once a second). */
  observeDeferred(): void {
    const next = this.holds.nextDueMs();
    this.deps.metrics.deferredNextDue.set(next === undefined ? 0 : next / 1000);
    this.deps.metrics.deferredOverdue.set(this.holds.overdueMs() / 1000);
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
      await this.deps.claims.forgetSettled(offsets.map(({ topic, partition, offset }) => ({ topic, partition, below: offset })));
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
    this.holds.clear();
    this.stopStarting.abort();
    this.applyBackpressure();
    const idle = this.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (await within(idle, deadline - Date.now())) return;
    this.deps.logger.warn({ inFlight: this.inFlight }, "shutdown deadline reached; abandoning in-flight calls (they will be redelivered)");
    this.abort.abort();
    await within(idle, 2_000);
  }

  private async run(work: Work): Promise<void> {
    try {
      await inProcessSpan(work.record, work.request, work.deferral, () => this.runInSpan(work));
    } catch (error) {
      // A bug, not an API answer: leave the record uncommitted rather than lose it.
      const { topic, partition, offset } = work.record;
      this.deps.logger.error({ err: error, topic, partition, offset }, "processing failed unexpectedly");
    } finally {
      this.finished();
    }
  }

  /** Processes a request and writes its outputs (in its trace, when tracing is on); how it ended (an outcome, or deferred, settled, abandoned). */
  private async runInSpan(work: Work): Promise<string> {
    const { record, origin, request, tracker } = work;
    const ref = { topic: record.topic, partition: record.partition, offset: record.offset };
    const signals = { stop: this.stopStarting.signal, hard: this.abort.signal };
    const verdict = await this.deps.process(request, signals, work.deferral, ref);
    if (verdict.kind === "abandoned") return "abandoned";
    if (verdict.kind === "settled") {
      tracker.done(record.offset);
      return "settled";
    }
    if (verdict.kind === "deferred") {
      const { callRequests } = this.deps.topics;
      const next = deferralRecord(
        origin,
        request.idempotency_key,
        request.campaign_id,
        verdict.deferral,
        callRequests,
        new Date(this.now()),
        this.tierPartitions,
      );
      // What this hop writes carries this span's traceparent: the next hop continues the trace from here.
      const records = [stampTrace(next)];
      if (verdict.result) records.push(stampTrace(this.writer.result(verdict.result)));
      if (!(await this.writer.writeAndSettle(records, request.idempotency_key, ref))) return "abandoned";
      this.deps.metrics.deferrals.inc({ reason: verdict.deferral.reason });
      tracker.done(record.offset);
      return "deferred";
    }
    const records: TopicRecord[] = [stampTrace(this.writer.result(verdict.result))];
    if (verdict.deadLetter) {
      const letter = deadLetterRecord(origin, verdict.deadLetter, this.deps.topics.deadLetters, new Date());
      records.push(this.writer.deadLetter(stampTrace(letter)));
      this.deps.metrics.deadLetters.inc({ reason: verdict.deadLetter.reason, code: verdict.deadLetter.errorCode ?? "none" });
    }
    if (!(await this.writer.writeAndSettle(records, request.idempotency_key, ref))) return "abandoned";
    this.deps.metrics.outcome(verdict.result.outcome).inc();
    tracker.done(record.offset);
    return verdict.result.outcome;
  }

  /** A waiting request whose hop ended before its `not_before`: on to the next tier, unchanged. */
  private async hop(
    record: ConsumedRecord,
    original: ConsumedRecord,
    deferral: Deferral,
    campaignId: string,
    tracker: OffsetTracker,
  ): Promise<void> {
    try {
      const idempotencyKey = record.key ? record.key.toString("utf8") : "";
      const now = new Date(this.now());
      const next = deferralRecord(original, idempotencyKey, campaignId, deferral, this.deps.topics.callRequests, now, this.tierPartitions);
      if (!(await this.writer.write([next]))) return;
      tracker.done(record.offset);
    } finally {
      this.finished();
    }
  }

  private async finishPoison(record: ConsumedRecord, tracker: OffsetTracker, detail: string): Promise<void> {
    try {
      const letter = this.writer.deadLetter(invalidMessageLetter(record, detail, this.deps.topics.deadLetters, new Date()));
      if (!(await this.writer.write([letter]))) return;
      this.deps.metrics.deadLetters.inc({ reason: "invalid_message", code: "none" });
      this.deps.metrics.outcome("invalid_message").inc();
      tracker.done(record.offset);
    } finally {
      this.finished();
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
      // The requests topic's partitions share the window; tier partitions take from the same whole.
      assignedPartitions: Math.max(1, this.requestPartitions),
      blocked: this.draining || this.held,
    };
  }

  /** Pauses the partitions that are full (or all, while blocked) and resumes those with room again. */
  private applyBackpressure(): void {
    const window = this.window();
    const pause: { topic: string; partition: number }[] = [];
    const resume: { topic: string; partition: number }[] = [];
    for (const target of this.assignedPartitions) {
      const key = `${target.topic}:${target.partition}`;
      const inFlight = this.trackers.get(key)?.inFlight ?? 0;
      const paused = this.pausedPartitions.has(key);
      const wanted = this.holds.isHeld(key) || shouldPause(window, inFlight, paused);
      if (wanted && !paused) pause.push(target);
      if (!wanted && paused) resume.push(target);
    }
    if (pause.length > 0) {
      for (const { topic, partition } of pause) this.pausedPartitions.add(`${topic}:${partition}`);
      this.deps.consumer.pause(byTopic(pause));
    }
    if (resume.length > 0) {
      for (const { topic, partition } of resume) this.pausedPartitions.delete(`${topic}:${partition}`);
      this.deps.consumer.resume(byTopic(resume));
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
