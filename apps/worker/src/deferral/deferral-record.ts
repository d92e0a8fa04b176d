import type { ConsumedRecord, RecordHeaders, TopicRecord } from "@callbridge/kafka";
import { CampaignStatus, DEFERRAL_HEADER_NAMES, DEFERRAL_HEADERS, DeferralReason, deferralTopic } from "@callbridge/schemas";
import { z } from "zod";
import type { AttemptState } from "../process/decide.js";
import { nextHop } from "./tiers.js";

/** What a waiting request carries besides itself: why, until when, and how it got here. */
export interface Deferral {
  readonly reason: DeferralReason;
  /** ISO 8601: not placed before this. */
  readonly notBefore: string;
  /** Deferrals so far, this one included. */
  readonly count: number;
  /** ISO 8601: the first deferral. */
  readonly firstAt: string;
  /** ISO 8601: when first parked (campaign_not_active only). */
  readonly parkedAt?: string | undefined;
  readonly campaignStatus?: CampaignStatus | undefined;
  /** The attempts made before it was deferred; absent when none was. */
  readonly attempts?: AttemptState | undefined;
}

/** A record read from a tier topic: the request's own record as first read, and its deferral. */
export interface DeferredRecord {
  /** The request's record as it was on the requests topic (key, value, headers, position). */
  readonly original: ConsumedRecord;
  readonly deferral: Deferral;
  /** Ms since the epoch: when this hop is due to be read. */
  readonly wakeAtMs: number;
  readonly campaignId: string;
  /** Ms since the epoch: when this hop was written. */
  readonly writtenAtMs: number;
}

const AttemptStateJson = z.object({
  calls: z.number().int().nonnegative(),
  budgetSpent: z.number().int().nonnegative(),
  throttles: z.number().int().nonnegative(),
  ambiguous: z.boolean(),
  ambiguousSince: z.string().optional(),
  firstAttemptAt: z.string().optional(),
});

/**
 * The record that makes `original` (a request as read from the requests topic, or from a tier
 * before) wait until `deferral.notBefore`, in the tier `nextHop` picks: keyed by idempotency
 * key (the tier topics are compacted by it), the value unchanged, the request's headers kept
 * and the deferral's added; in the tier partition of the same number as its original partition
 * (modulo the tier's partitions), when those are known.
 */
export function deferralRecord(
  original: ConsumedRecord,
  idempotencyKey: string,
  campaignId: string,
  deferral: Deferral,
  callRequestsTopic: string,
  now: Date,
  /** Partitions of each tier topic, by name: when known, a request waits in the partition its original one maps to. */
  tierPartitions?: ReadonlyMap<string, number>,
): TopicRecord {
  const hop = nextHop(Date.parse(deferral.notBefore), now.getTime());
  const topic = deferralTopic(callRequestsTopic, hop.tier);
  const headers: RecordHeaders = {
    ...withoutDeferralHeaders(original.headers),
    [DEFERRAL_HEADERS.notBefore]: deferral.notBefore,
    [DEFERRAL_HEADERS.wakeAt]: new Date(hop.wakeAtMs).toISOString(),
    [DEFERRAL_HEADERS.reason]: deferral.reason,
    [DEFERRAL_HEADERS.count]: String(deferral.count),
    [DEFERRAL_HEADERS.firstAt]: deferral.firstAt,
    [DEFERRAL_HEADERS.campaignId]: campaignId,
    [DEFERRAL_HEADERS.originalTopic]: original.topic,
    [DEFERRAL_HEADERS.originalPartition]: String(original.partition),
    [DEFERRAL_HEADERS.originalOffset]: original.offset,
  };
  if (original.key !== null) headers[DEFERRAL_HEADERS.originalKey] = original.key.toString("utf8");
  if (deferral.parkedAt !== undefined) headers[DEFERRAL_HEADERS.parkedAt] = deferral.parkedAt;
  if (deferral.campaignStatus !== undefined) headers[DEFERRAL_HEADERS.campaignStatus] = deferral.campaignStatus;
  if (deferral.attempts !== undefined) headers[DEFERRAL_HEADERS.attempts] = JSON.stringify(deferral.attempts);
  // Requests of one key (one original partition) share a tier partition, so among themselves they
  // keep their order through every hop; the record key stays the idempotency key, for compaction.
  const partitions = tierPartitions?.get(topic);
  const partition = partitions ? original.partition % partitions : undefined;
  return { topic, record: { key: idempotencyKey, value: original.value, headers, ...(partition === undefined ? {} : { partition }) } };
}

/**
 * Reads a record of a tier topic back: the request's original record and its deferral, or why
 * it cannot be (a record some other producer wrote there, or headers that do not parse).
 */
export function readDeferredRecord(record: ConsumedRecord): { ok: true; value: DeferredRecord } | { ok: false; reason: string } {
  const h = record.headers;
  const reason = DeferralReason.safeParse(h[DEFERRAL_HEADERS.reason]);
  const notBefore = Date.parse(h[DEFERRAL_HEADERS.notBefore] ?? "");
  const wakeAt = Date.parse(h[DEFERRAL_HEADERS.wakeAt] ?? "");
  const firstAt = h[DEFERRAL_HEADERS.firstAt];
  const count = Number(h[DEFERRAL_HEADERS.count]);
  if (!reason.success || Number.isNaN(notBefore) || Number.isNaN(wakeAt) || firstAt === undefined || !Number.isInteger(count)) {
    return { ok: false, reason: "not a deferred call request: its deferral headers are missing or unreadable" };
  }
  const status = CampaignStatus.safeParse(h[DEFERRAL_HEADERS.campaignStatus]);
  const attempts = parseAttempts(h[DEFERRAL_HEADERS.attempts]);
  const originalKey = h[DEFERRAL_HEADERS.originalKey];
  const original: ConsumedRecord = {
    topic: h[DEFERRAL_HEADERS.originalTopic] ?? record.topic,
    partition: Number(h[DEFERRAL_HEADERS.originalPartition] ?? record.partition),
    offset: h[DEFERRAL_HEADERS.originalOffset] ?? record.offset,
    key: originalKey === undefined ? null : Buffer.from(originalKey, "utf8"),
    value: record.value,
    headers: withoutDeferralHeaders(h),
    timestamp: record.timestamp,
  };
  return {
    ok: true,
    value: {
      original,
      wakeAtMs: wakeAt,
      campaignId: h[DEFERRAL_HEADERS.campaignId] ?? "",
      writtenAtMs: Number(record.timestamp),
      deferral: {
        reason: reason.data,
        notBefore: new Date(notBefore).toISOString(),
        count,
        firstAt,
        parkedAt: h[DEFERRAL_HEADERS.parkedAt],
        campaignStatus: status.success ? status.data : undefined,
        attempts,
      },
    },
  };
}

function parseAttempts(text: string | undefined): AttemptState | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = AttemptStateJson.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const { ambiguousSince, firstAttemptAt, ...rest } = parsed.data;
    return { ...rest, ambiguousSince, firstAttemptAt };
  } catch {
    return undefined;
  }
}

function withoutDeferralHeaders(headers: RecordHeaders): RecordHeaders {
  const kept: RecordHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!DEFERRAL_HEADER_NAMES.includes(name)) kept[name] = value;
  return kept;
}
