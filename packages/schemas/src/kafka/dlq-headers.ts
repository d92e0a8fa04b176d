import { z } from "zod";

/** Why a record is on the dead-letter topic (`callbridge.dlq.reason`). */
export const DlqReason = z.enum([
  /** The API refused the request (400/403/404/409/422); `error_code` says which. */
  "http_4xx",
  /** 5xx, timeouts or connection errors on every attempt of the budget. */
  "retries_exhausted",
  /** The record is not JSON, or not a valid CallRequest v1. */
  "invalid_message",
  /** A routed CRM event without a usable phone number (written by the ingest). */
  "invalid_phone",
  /** Parked (campaign `draft` or `paused`) longer than PARK_MAX_AGE_MS; `callbridge.dlq.campaign_status` says how it was last seen. */
  "parked_expired",
  /** Parked, and dropped by an operator (`callbridge parked drop`). */
  "parked_dropped",
]);
export type DlqReason = z.infer<typeof DlqReason>;

/** Header names on dead letters (docs/worker.md#what-happens-to-each-request). Values are UTF-8 strings. */
export const DLQ_HEADERS = {
  reason: "callbridge.dlq.reason",
  httpStatus: "callbridge.dlq.http_status",
  errorCode: "callbridge.dlq.error_code",
  errorMessage: "callbridge.dlq.error_message",
  responseBody: "callbridge.dlq.response_body",
  existingCall: "callbridge.dlq.existing_call",
  attempts: "callbridge.dlq.attempts",
  firstAttemptAt: "callbridge.dlq.first_attempt_at",
  failedAt: "callbridge.dlq.failed_at",
  replayCount: "callbridge.dlq.replay_count",
  /** What the letter is about, so operators filter without decoding values. */
  campaignId: "callbridge.dlq.campaign_id",
  /** The campaign's status when last seen, on letters of parked requests and CAMPAIGN_NOT_ACTIVE. */
  campaignStatus: "callbridge.dlq.campaign_status",
  sourceKind: "callbridge.dlq.source_kind",
  route: "callbridge.dlq.route",
  /** "true" when the value was cut to fit the topic's size limit (it cannot be replayed as it is). */
  valueTruncated: "callbridge.dlq.value_truncated",
  /** The value's size before it was cut, bytes. */
  originalValueBytes: "callbridge.dlq.original_value_bytes",
  /** "true" when the record's key was cut: longer than DLQ_MAX_KEY_BYTES, or, with the other headers, over the limit alone. */
  keyTruncated: "callbridge.dlq.key_truncated",
  originalTopic: "callbridge.original.topic",
  originalPartition: "callbridge.original.partition",
  originalOffset: "callbridge.original.offset",
  originalTimestamp: "callbridge.original.timestamp",
} as const;

/** Kafka Connect's names for the same facts, so existing redrive tools can read our letters. */
export const CONNECT_ERROR_HEADERS = {
  topic: "__connect.errors.topic",
  partition: "__connect.errors.partition",
  offset: "__connect.errors.offset",
  exceptionMessage: "__connect.errors.exception.message",
} as const;

/** `callbridge.dlq.response_body` is cut to this many bytes so a letter stays small. */
export const DLQ_RESPONSE_BODY_MAX_BYTES = 4096;

/**
 * A dead letter keeps at most this much of its record's key, bytes. Longer keys serve no
 * partitioning purpose, and kafkajs's producer takes superlinear time on a long key (measured:
 * 0.3 s for a 100 KB key, 161 s for a 1 MB one), which would stall every write batched with it.
 */
export const DLQ_MAX_KEY_BYTES = 16_384;

/**
 * How a dead letter is made to fit its topic's size limit (`fitRecord` in @callbridge/kafka):
 * these headers are cut first, then the value, flagged with its original size.
 */
export function deadLetterFit(limitBytes: number) {
  return {
    limitBytes,
    trimmableHeaders: [
      DLQ_HEADERS.responseBody,
      DLQ_HEADERS.errorMessage,
      CONNECT_ERROR_HEADERS.exceptionMessage,
      DLQ_HEADERS.existingCall,
    ],
    truncatedHeader: DLQ_HEADERS.valueTruncated,
    originalSizeHeader: DLQ_HEADERS.originalValueBytes,
    keyTruncatedHeader: DLQ_HEADERS.keyTruncated,
    maxKeyBytes: DLQ_MAX_KEY_BYTES,
  };
}
