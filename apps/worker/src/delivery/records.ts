import { type ConsumedRecord, fitRecord, fitsAlone, type RecordHeaders, type TopicRecord } from "@callbridge/kafka";
import {
  type CallResult,
  type CampaignStatus,
  CONNECT_ERROR_HEADERS,
  DLQ_HEADERS,
  DLQ_RESPONSE_BODY_MAX_BYTES,
  type DlqReason,
  deadLetterFit,
  type ExistingCall,
  REQUEST_HEADERS,
} from "@callbridge/schemas";

export interface WorkerTopics {
  readonly callRequests: string;
  readonly deadLetters: string;
  readonly callResults: string;
}

export interface DeadLetter {
  readonly reason: DlqReason;
  readonly message: string;
  readonly httpStatus?: number | undefined;
  readonly errorCode?: string | undefined;
  readonly responseBody?: string | undefined;
  readonly existingCall?: ExistingCall | undefined;
  readonly attempts: number;
  readonly firstAttemptAt?: string | undefined;
  readonly campaignId?: string | undefined;
  /** A campaign that is not active: its status when last seen. */
  readonly campaignStatus?: CampaignStatus | undefined;
}

/**
 * A dead letter: the original key and value bytes unchanged, the original headers kept, and
 * the dead-letter headers added (docs/worker.md#what-happens-to-each-request), in our names
 * and in Kafka Connect's so existing redrive tools can read them.
 */
export function deadLetterRecord(original: ConsumedRecord, letter: DeadLetter, topic: string, now: Date): TopicRecord {
  const headers: RecordHeaders = {
    ...original.headers,
    [DLQ_HEADERS.reason]: letter.reason,
    [DLQ_HEADERS.errorMessage]: letter.message,
    [DLQ_HEADERS.attempts]: String(letter.attempts),
    [DLQ_HEADERS.failedAt]: now.toISOString(),
    [DLQ_HEADERS.firstAttemptAt]: letter.firstAttemptAt ?? now.toISOString(),
    [DLQ_HEADERS.replayCount]: original.headers[DLQ_HEADERS.replayCount] ?? "0",
    [DLQ_HEADERS.originalTopic]: original.topic,
    [DLQ_HEADERS.originalPartition]: String(original.partition),
    [DLQ_HEADERS.originalOffset]: original.offset,
    [DLQ_HEADERS.originalTimestamp]: original.timestamp,
    [CONNECT_ERROR_HEADERS.topic]: original.topic,
    [CONNECT_ERROR_HEADERS.partition]: String(original.partition),
    [CONNECT_ERROR_HEADERS.offset]: original.offset,
    [CONNECT_ERROR_HEADERS.exceptionMessage]: `${letter.reason}: ${letter.message}`,
  };
  if (letter.httpStatus !== undefined) headers[DLQ_HEADERS.httpStatus] = String(letter.httpStatus);
  if (letter.errorCode !== undefined) headers[DLQ_HEADERS.errorCode] = letter.errorCode;
  if (letter.responseBody !== undefined) headers[DLQ_HEADERS.responseBody] = truncateUtf8(letter.responseBody, DLQ_RESPONSE_BODY_MAX_BYTES);
  if (letter.existingCall !== undefined) headers[DLQ_HEADERS.existingCall] = JSON.stringify(letter.existingCall);
  if (letter.campaignId !== undefined) headers[DLQ_HEADERS.campaignId] = letter.campaignId;
  if (letter.campaignStatus !== undefined) headers[DLQ_HEADERS.campaignStatus] = letter.campaignStatus;
  const sourceKind = original.headers[REQUEST_HEADERS.sourceKind];
  if (sourceKind !== undefined) headers[DLQ_HEADERS.sourceKind] = sourceKind;
  const route = original.headers[REQUEST_HEADERS.route];
  if (route !== undefined) headers[DLQ_HEADERS.route] = route;
  return { topic, record: { key: original.key, value: original.value, headers } };
}

/** The dead letter of a record that is not a CallRequest v1 (`invalid_message`): nothing was called. */
export function invalidMessageLetter(record: ConsumedRecord, detail: string, topic: string, now: Date): TopicRecord {
  return deadLetterRecord(record, { reason: "invalid_message", message: `not a valid CallRequest v1: ${detail}`, attempts: 0 }, topic, now);
}

/** One outcome event, keyed by idempotency key. */
function resultRecord(result: CallResult, topic: string): TopicRecord {
  return {
    topic,
    record: {
      key: result.idempotency_key,
      value: JSON.stringify(result),
      headers: { "content-type": "application/json", "callbridge.outcome": result.outcome },
    },
  };
}

/** Set on a result whose request's `context` was left out to fit the topic: the context's size, bytes. */
export const CONTEXT_DROPPED_HEADER = "callbridge.result.context_dropped_bytes";

/**
 * A result that fits its topic's limit: whole when it does; else without the request's
 * `context` (echoed from the request, and the only part that can be large), the header saying
 * how large it was; else, with no way to keep it valid JSON, cut and flagged like a dead letter.
 */
export function fittedResultRecord(result: CallResult, topic: string, limitBytes: number): TopicRecord {
  const whole = resultRecord(result, topic);
  if (fitsAlone(whole.record, limitBytes)) return whole;
  const { context, ...rest } = result;
  const lean = resultRecord({ ...rest, context: {} } as CallResult, topic);
  const dropped = {
    ...lean.record,
    headers: { ...lean.record.headers, [CONTEXT_DROPPED_HEADER]: String(Buffer.byteLength(JSON.stringify(context ?? {}))) },
  };
  if (fitsAlone(dropped, limitBytes)) return { topic, record: dropped };
  return { topic, record: fitRecord(dropped, deadLetterFit(limitBytes)).record };
}

/** A dead letter that fits its topic's limit (see deadLetterFit). */
export function fittedDeadLetterRecord(letter: TopicRecord, limitBytes: number): TopicRecord {
  return { topic: letter.topic, record: fitRecord(letter.record, deadLetterFit(limitBytes)).record };
}

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString("utf8");
}
