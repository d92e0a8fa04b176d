import type { ConsumedRecord } from "@callbridge/kafka";
import { DLQ_HEADERS, maskPhoneNumbersIn } from "@callbridge/schemas";

/** A dead letter as operators see it. Phone numbers are masked; `record` keeps the bytes. */
export interface Letter {
  readonly id: string;
  readonly partition: number;
  readonly offset: string;
  readonly reason: string;
  readonly code: string | undefined;
  readonly httpStatus: string | undefined;
  readonly message: string | undefined;
  readonly campaign: string | undefined;
  readonly source: string | undefined;
  readonly route: string | undefined;
  readonly attempts: string | undefined;
  readonly replayCount: number;
  /** When it was dead-lettered (ms), from the header or the record timestamp. */
  readonly failedAtMs: number;
  /** The record key with the phone number masked. */
  readonly maskedKey: string;
  readonly record: ConsumedRecord;
}

export function letterOf(record: ConsumedRecord): Letter {
  const h = record.headers;
  const failedAt = Date.parse(h[DLQ_HEADERS.failedAt] ?? "");
  const key = record.key?.toString("utf8") ?? "";
  return {
    id: `${record.partition}:${record.offset}`,
    partition: record.partition,
    offset: record.offset,
    reason: h[DLQ_HEADERS.reason] ?? "unknown",
    code: h[DLQ_HEADERS.errorCode],
    httpStatus: h[DLQ_HEADERS.httpStatus],
    message: h[DLQ_HEADERS.errorMessage],
    campaign: h[DLQ_HEADERS.campaignId] ?? campaignFromKey(key),
    source: h[DLQ_HEADERS.sourceKind],
    route: h[DLQ_HEADERS.route],
    attempts: h[DLQ_HEADERS.attempts],
    replayCount: Number(h[DLQ_HEADERS.replayCount] ?? "0") || 0,
    failedAtMs: Number.isNaN(failedAt) ? Number(record.timestamp) : failedAt,
    maskedKey: maskPhonesIn(key),
    record,
  };
}

/** Keys are `campaign:+14155550123`: the campaign is what precedes the last colon. */
function campaignFromKey(key: string): string | undefined {
  const at = key.lastIndexOf(":+");
  return at > 0 ? key.slice(0, at) : undefined;
}

/** Masks every E.164-looking number in a string. */
export const maskPhonesIn = maskPhoneNumbersIn;
