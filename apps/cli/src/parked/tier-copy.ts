import type { ConsumedRecord } from "@callbridge/kafka";
import { DEFERRAL_HEADERS } from "@callbridge/schemas";

/** The deferral reason of a parked request: its campaign was `draft` or `paused` when last read. */
export const PARKED_REASON = "campaign_not_active";

/**
 * One copy of a deferred request in a tier topic, as far as `parked` needs it. The worker
 * writes a parked request again (same key) at every check, so several copies of one request
 * can be pending at once: the latest one says where it stands.
 */
export interface TierCopy {
  /** The record key: the request's idempotency key (the tier topics are compacted by it). */
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The record's timestamp, ms since the epoch: when the worker wrote this copy. */
  readonly writtenAtMs: number;
  /** Deferrals of the request so far (`callbridge.deferral.count`); 0 when unreadable. */
  readonly count: number;
  /** `callbridge.deferral.reason` as written; `undefined` when the record has none. */
  readonly reason: string | undefined;
  /** The header's campaign, else the request's `campaign_id`; `undefined` when neither is readable. */
  readonly campaignId: string | undefined;
  /** The campaign's status when the worker last read it (`draft`, `paused`, `unknown`, ...). */
  readonly campaignStatus: string | undefined;
  /** When the request was first parked, ms since the epoch. */
  readonly parkedAtMs: number | undefined;
  /** Not placed (and, parked, not checked again) before this, ms since the epoch. */
  readonly notBeforeMs: number | undefined;
}

/**
 * Reads what `parked` needs from a tier record. Never throws: missing or unreadable headers
 * become `undefined`, so a foreign record counts as "not parked" rather than failing the list.
 * A record without a key (the worker always writes one) is keyed by its position, so it is
 * never taken for a copy of another.
 */
export function tierCopyOf(record: ConsumedRecord): TierCopy {
  const h = record.headers;
  return {
    key: record.key?.toString("utf8") ?? `${record.topic}/${record.partition}@${record.offset}`,
    topic: record.topic,
    partition: record.partition,
    offset: BigInt(record.offset),
    writtenAtMs: Number(record.timestamp),
    count: Number.parseInt(h[DEFERRAL_HEADERS.count] ?? "", 10) || 0,
    reason: h[DEFERRAL_HEADERS.reason],
    campaignId: h[DEFERRAL_HEADERS.campaignId] ?? campaignOfValue(record.value),
    campaignStatus: h[DEFERRAL_HEADERS.campaignStatus],
    parkedAtMs: timeOf(h[DEFERRAL_HEADERS.parkedAt]),
    notBeforeMs: timeOf(h[DEFERRAL_HEADERS.notBefore]),
  };
}

function timeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The value is the call request's JSON; only its `campaign_id` is read (never the number). */
function campaignOfValue(value: Buffer | null): string | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const campaign = (parsed as { campaign_id?: unknown }).campaign_id;
    return typeof campaign === "string" && campaign.length > 0 ? campaign : undefined;
  } catch {
    return undefined;
  }
}
