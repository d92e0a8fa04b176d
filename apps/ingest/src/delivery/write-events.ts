import { randomUUID } from "node:crypto";
import { KafkaOperationError, type TopicRecord } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import type { Source } from "../sources/source.js";
import { type ClaimedEvents, claimEvents } from "./claim-events.js";
import type { DeliveredEvents } from "./delivered-events.js";
import { type IngestTopics, type KafkaOutcome, sizedRecordsFor, type TopicLimits } from "./records.js";
import { withTimeout } from "./with-timeout.js";

export interface WriteDeps {
  readonly topics: IngestTopics;
  readonly limits: Readonly<TopicLimits>;
  /** Writes records through the shared produce batcher; settles when Kafka acknowledged them. */
  readonly send: (records: readonly TopicRecord[]) => Promise<void>;
  readonly delivered: DeliveredEvents;
  readonly produceTimeoutMs: number;
  readonly logger: Logger;
}

/** How writing one webhook's routed events ended; every case but `written` is an answer to the sender. */
export type WriteOutcome =
  /** Acknowledged by Kafka: `fresh` were written now; the rest were delivered before. */
  | { readonly kind: "written"; readonly fresh: readonly KafkaOutcome[]; readonly duplicates: number }
  /** Another delivery of the same event is still being written: the sender should retry. */
  | { readonly kind: "busy"; readonly events: number }
  /** A call request larger than the requests topic takes (bytes): nothing written. */
  | { readonly kind: "too_large"; readonly bytes: number; readonly limitBytes: number }
  /** Kafka refused the records for good (the broker's error code): sending again will not help. */
  | { readonly kind: "refused"; readonly code: string | undefined; readonly error: unknown }
  /** Kafka did not acknowledge within the produce timeout: the sender should retry. */
  | { readonly kind: "unavailable"; readonly error: unknown };

/** A claim outlives the write it guards by this much, ms (then a dead writer's claim lapses). */
const CLAIM_MARGIN_MS = 2_000;

/** Claim owners are this process's id and a count: unique across replicas without a UUID per webhook. */
const PROCESS_ID = randomUUID();
let writes = 0;

/**
 * Writes a webhook's routed events once: claims their keys (concurrent deliveries of one event
 * wait for each other, see claimEvents), sizes the records against the topics' limits, sends
 * them (acks=all) and remembers them as delivered once acknowledged. A failed write gives its
 * claims back, so the sender's retry, or a delivery waiting on it, writes them. `traceHeaders`
 * (the produce span's W3C `traceparent`, with tracing on) go on every record.
 */
export async function writeEvents(
  deps: WriteDeps,
  source: Source,
  outcomes: readonly KafkaOutcome[],
  now: Date,
  traceHeaders: Readonly<Record<string, string>> = {},
): Promise<WriteOutcome> {
  const log = deps.logger;
  writes += 1;
  const owner = `${PROCESS_ID}:${writes}`;
  const release = (keys: readonly string[]) =>
    deps.delivered.release(keys, owner).catch((error: unknown) => {
      log.warn({ err: error }, "could not release claimed events; they lapse by themselves");
    });
  const allKeys = outcomes.map((o) => o.idempotencyKey);
  const claim = await claimEvents(deps.delivered, allKeys, owner, {
    ttlMs: deps.produceTimeoutMs + CLAIM_MARGIN_MS,
    waitMs: deps.produceTimeoutMs,
  }).catch((error: unknown): ClaimedEvents => {
    log.warn({ err: error }, "delivered-events lookup failed; writing every event (the worker dedupes)");
    return { claimed: allKeys, delivered: [], busy: [] };
  });
  if (claim.busy.length > 0) {
    await release(claim.claimed);
    return { kind: "busy", events: claim.busy.length };
  }
  const mine = new Set(claim.claimed);
  // First occurrence of each claimed key: an event listed twice in one webhook is written once.
  const fresh = outcomes.filter((o) => mine.delete(o.idempotencyKey));
  const sized = sizedRecordsFor(fresh, source, deps.topics, now, deps.limits, traceHeaders);
  if (!sized.ok) {
    await release(claim.claimed);
    return { kind: "too_large", bytes: sized.bytes, limitBytes: sized.limitBytes };
  }

  // Remembered once Kafka acknowledges, even if that comes after we answered 503: the
  // sender's retry is then a duplicate rather than a second write. A write still pending
  // when we answer keeps its claims until it ends.
  const keys = fresh.map((o) => o.idempotencyKey);
  const written = deps.send(sized.records).then(
    () =>
      deps.delivered.remember(keys).catch((error: unknown) => {
        log.warn({ err: error }, "could not remember delivered events; a redelivery will be written again");
      }),
    async (error: unknown) => {
      await release(keys);
      throw error;
    },
  );
  try {
    await withTimeout(written, deps.produceTimeoutMs);
  } catch (error) {
    if (error instanceof KafkaOperationError && error.permanent) return { kind: "refused", code: error.code, error };
    return { kind: "unavailable", error };
  }
  return { kind: "written", fresh, duplicates: outcomes.length - fresh.length };
}
