import { fitRecord, fitsAlone, recordBytes, type TopicRecord } from "@callbridge/kafka";
import type { RouteOutcome } from "@callbridge/routes";
import {
  CALL_REQUEST_SCHEMA_ID,
  CONNECT_ERROR_HEADERS,
  callRequestKey,
  DLQ_HEADERS,
  deadLetterFit,
  REQUEST_HEADERS,
} from "@callbridge/schemas";
import type { Source } from "../sources/source.js";

export interface IngestTopics {
  readonly callRequests: string;
  readonly deadLetters: string;
}

/** Each topic's `max.message.bytes`, read from the broker at start-up, bytes. */
export interface TopicLimits {
  callRequests: number;
  deadLetters: number;
}

/** Set on an `invalid_phone` letter that left the original event out to fit: the event's size, bytes. */
export const ORIGINAL_EVENT_DROPPED_HEADER = "callbridge.dlq.original_event_dropped_bytes";

/** Set to "true" on an `invalid_phone` letter of an opt-out (its value is an OptOutDraft, never a call request). */
export const OPT_OUT_HEADER = "callbridge.dlq.opt_out";

/** The outcomes that become Kafka records; opt-outs go to the do-not-call list instead (see writeOptOuts). */
export type KafkaOutcome = Exclude<RouteOutcome, { kind: "opt_out" }>;

export type SizedRecords =
  | { readonly ok: true; readonly records: TopicRecord[] }
  /** A call request larger than its topic takes (`bytes`: the whole record as the broker counts it): refused (413), nothing written. */
  | { readonly ok: false; readonly bytes: number; readonly limitBytes: number };

/**
 * The records of one webhook, each within its topic's limit. A call request must fit whole (a
 * cut request is no request), else the whole webhook is refused. A dead letter always lands:
 * whole if it fits; else without the original event (its draft keeps what routing found),
 * flagged; else cut like any dead letter (see deadLetterFit).
 */
export function sizedRecordsFor(
  outcomes: readonly KafkaOutcome[],
  source: Source,
  topics: IngestTopics,
  now: Date,
  limits: TopicLimits,
  traceHeaders: Readonly<Record<string, string>> = {},
): SizedRecords {
  const records: TopicRecord[] = [];
  for (const outcome of outcomes) {
    const record = recordFor(outcome, source, topics, now, traceHeaders);
    if (outcome.kind === "call") {
      if (!fitsAlone(record.record, limits.callRequests)) {
        return { ok: false, bytes: recordBytes(record.record), limitBytes: limits.callRequests };
      }
      records.push(record);
      continue;
    }
    if (fitsAlone(record.record, limits.deadLetters)) {
      records.push(record);
      continue;
    }
    const eventBytes = Buffer.byteLength(JSON.stringify(outcome.event.fields));
    const lean = {
      ...record.record,
      value: JSON.stringify(outcome.draft),
      headers: { ...record.record.headers, [ORIGINAL_EVENT_DROPPED_HEADER]: String(eventBytes) },
    };
    records.push({ topic: record.topic, record: fitRecord(lean, deadLetterFit(limits.deadLetters)).record });
  }
  return { ok: true, records };
}

/**
 * A call request becomes a record keyed `{campaign_id}:{to}` on the requests topic. A route
 * hit without a usable number becomes a dead letter (`invalid_phone`) holding the request as
 * far as it got, plus the original event, so it can be fixed and replayed. An opt-out without a
 * usable number becomes the same kind of letter, flagged with OPT_OUT_HEADER and without a
 * campaign, holding what the opt-out found: it cannot be replayed as a call. With tracing on,
 * both carry `traceHeaders`: the W3C `traceparent` of the span that wrote them (the webhook's produce span).
 */
export function recordFor(
  outcome: KafkaOutcome,
  source: Source,
  topics: IngestTopics,
  now: Date,
  traceHeaders: Readonly<Record<string, string>> = {},
): TopicRecord {
  if (outcome.kind === "call") {
    return {
      topic: topics.callRequests,
      record: {
        key: callRequestKey(outcome.request),
        value: JSON.stringify(outcome.request),
        headers: {
          [REQUEST_HEADERS.contentType]: "application/json",
          [REQUEST_HEADERS.schema]: CALL_REQUEST_SCHEMA_ID,
          [REQUEST_HEADERS.sourceKind]: source.kind,
          [REQUEST_HEADERS.sourceId]: source.id,
          [REQUEST_HEADERS.route]: outcome.route.name,
          ...traceHeaders,
        },
      },
    };
  }
  const at = now.toISOString();
  const optOut = outcome.kind === "opt_out_invalid_phone";
  const message = optOut ? `opt-out not listed: ${outcome.problem}` : outcome.problem;
  return {
    topic: topics.deadLetters,
    record: {
      key: `${source.id}:${outcome.event.id}`,
      value: JSON.stringify({ ...outcome.draft, original_event: outcome.event.fields }),
      headers: {
        [REQUEST_HEADERS.contentType]: "application/json",
        [DLQ_HEADERS.reason]: "invalid_phone",
        [DLQ_HEADERS.errorMessage]: message,
        [DLQ_HEADERS.attempts]: "0",
        [DLQ_HEADERS.firstAttemptAt]: at,
        [DLQ_HEADERS.failedAt]: at,
        [DLQ_HEADERS.replayCount]: "0",
        ...(optOut ? { [OPT_OUT_HEADER]: "true" } : { [DLQ_HEADERS.campaignId]: outcome.route.campaign_id }),
        [DLQ_HEADERS.sourceKind]: source.kind,
        [DLQ_HEADERS.route]: outcome.route.name,
        [CONNECT_ERROR_HEADERS.exceptionMessage]: `invalid_phone: ${message}`,
        ...traceHeaders,
      },
    },
  };
}
