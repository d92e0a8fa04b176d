import { DEFAULT_MAX_MESSAGE_BYTES, fitRecord, KafkaOperationError, type ProduceBatcher, type TopicRecord } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import type { CallResult } from "@callbridge/schemas";
import { deadLetterFit } from "@callbridge/schemas";
import type { ClaimKeeper } from "../claims/claim-keeper.js";
import { CONTEXT_DROPPED_HEADER, fittedDeadLetterRecord, fittedResultRecord, type WorkerTopics } from "../delivery/records.js";
import type { RecordRef } from "../ledger/ledger.js";
import type { WorkerMetrics } from "../metrics.js";
import { sleep } from "../process/sleep.js";

/** Below this the halving of a refused record's limit stops: something else is wrong. */
const MIN_LIMIT_BYTES = 64 * 1024;

/** `max.message.bytes` of the topics the worker writes, bytes. */
export interface WriteLimits {
  readonly callResults: number;
  readonly deadLetters: number;
}

export interface RecordWriterDeps {
  readonly output: Pick<ProduceBatcher, "send">;
  readonly topics: WorkerTopics;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  readonly claims: Pick<ClaimKeeper, "settle" | "release">;
}

/**
 * What the worker writes to Kafka for a finished (or waiting) request — results, dead letters,
 * deferrals — sized to the topics' limits, and written until Kafka takes them or shutdown begins.
 */
export class RecordWriter {
  private limits: WriteLimits = { callResults: DEFAULT_MAX_MESSAGE_BYTES, deadLetters: DEFAULT_MAX_MESSAGE_BYTES };

  constructor(
    private readonly deps: RecordWriterDeps,
    /** Aborted when shutdown begins: a write not yet taken is given up (its record stays uncommitted). */
    private readonly stop: AbortSignal,
  ) {}

  /** The topics' size limits, read from the broker at start-up. */
  useLimits(limits: WriteLimits): void {
    this.limits = limits;
  }

  /** A result event that fits its topic (its context dropped if it must be), counted when trimmed. */
  result(result: CallResult): TopicRecord {
    const record = fittedResultRecord(result, this.deps.topics.callResults, this.limits.callResults);
    if (record.record.headers?.[CONTEXT_DROPPED_HEADER] !== undefined) this.deps.metrics.trimmedRecords.inc({ topic: "results" });
    return record;
  }

  /**
   * Writes results and dead letters: retried while Kafka is away, given up (false) once
   * shutdown begins (the record stays uncommitted and is redelivered). A record the broker
   * refuses for its size is fitted to half the limit and sent again; another permanent error
   * (a missing topic, no write permission) is said loudly and retried slowly: it needs an
   * operator, and nothing is committed past it meanwhile.
   */
  async write(records: TopicRecord[]): Promise<boolean> {
    let sending = records;
    for (let failures = 0; ; failures++) {
      try {
        await this.deps.output.send(sending);
        return true;
      } catch (error) {
        const failure = error instanceof KafkaOperationError ? error : undefined;
        if (failure?.tooLarge && this.limits.deadLetters > MIN_LIMIT_BYTES) {
          this.limits = { callResults: Math.floor(this.limits.callResults / 2), deadLetters: Math.floor(this.limits.deadLetters / 2) };
          this.deps.logger.error(
            { err: error, limits: this.limits },
            "Kafka refused a record for its size; fitting records to half the limit read at start-up",
          );
          sending = sending.map(({ topic, record }) => ({ topic, record: fitRecord(record, deadLetterFit(this.limitOf(topic))).record }));
          continue;
        }
        const permanent = failure?.permanent === true;
        if (permanent)
          this.deps.logger.error(
            { err: error, code: failure?.code },
            "Kafka refuses to take results or dead letters; they wait, uncommitted, until it does",
          );
        else if (failures === 0) this.deps.logger.warn({ err: error }, "could not write results; retrying");
        const waitMs = Math.min(permanent ? 30_000 : 5_000, 200 * 2 ** failures);
        if (!(await sleep(waitMs, this.stop))) return false;
      }
    }
  }

  /**
   * Writes a request's outputs, then settles its record (the claim, kept until now, goes with
   * it): a redelivery of the record writes nothing again. When the write is given up
   * (shutdown), the claim is let go for the next owner.
   */
  async writeAndSettle(records: TopicRecord[], key: string, record: RecordRef): Promise<boolean> {
    if (!(await this.write(records))) {
      await this.deps.claims.release(key);
      return false;
    }
    // Unsettled (Redis away), a redelivery writes the outputs again: rare, and no call comes of it.
    await this.deps.claims.settle(key, record).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, "could not mark a finished record settled; a redelivery of it would write its result again");
    });
    return true;
  }

  /** A dead letter that fits its topic, counted when trimmed. */
  deadLetter(letter: TopicRecord): TopicRecord {
    const fitted = fittedDeadLetterRecord(letter, this.limits.deadLetters);
    if (fitted.record !== letter.record) this.deps.metrics.trimmedRecords.inc({ topic: "dead_letters" });
    return fitted;
  }

  private limitOf(topic: string): number {
    return topic === this.deps.topics.deadLetters ? this.limits.deadLetters : this.limits.callResults;
  }
}
