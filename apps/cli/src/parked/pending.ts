import { PARKED_REASON, type TierCopy } from "./tier-copy.js";

/**
 * Whether `a` is a later copy of a request than `b`. In one partition the higher offset is;
 * across partitions or tiers (a request can hop from one tier to another), the later record
 * timestamp, then the higher deferral count.
 */
export function isLaterCopy(a: TierCopy, b: TierCopy): boolean {
  if (a.topic === b.topic && a.partition === b.partition) return a.offset > b.offset;
  if (a.writtenAtMs !== b.writtenAtMs) return a.writtenAtMs > b.writtenAtMs;
  return a.count > b.count;
}

/**
 * The pending copies of the tier topics, reduced to the latest copy of each request (by record
 * key), as they are read: memory holds one copy per request, not one per record.
 */
export class LatestCopies {
  private readonly byKey = new Map<string, TierCopy>();

  add(copy: TierCopy): void {
    const held = this.byKey.get(copy.key);
    if (held === undefined || isLaterCopy(copy, held)) this.byKey.set(copy.key, copy);
  }

  /** The requests whose latest copy is parked; a request moved on (retry, rate limit) is not. */
  parked(): TierCopy[] {
    return [...this.byKey.values()].filter((copy) => copy.reason === PARKED_REASON);
  }
}

/** The latest parked copies among `copies` (see LatestCopies). */
export function pendingParked(copies: Iterable<TierCopy>): TierCopy[] {
  const latest = new LatestCopies();
  for (const copy of copies) latest.add(copy);
  return latest.parked();
}

/** One campaign's parked requests, as `parked list` shows them. Times are ms since the epoch. */
export interface ParkedCampaign {
  /** `undefined` when neither the headers nor the value say (a record another producer wrote). */
  readonly campaignId: string | undefined;
  readonly parked: number;
  /** The earliest `parked_at` of its requests; `undefined` when none has one. */
  readonly oldestParkedAtMs: number | undefined;
  /** The status in its most recently written copy: what the workers saw last. */
  readonly lastSeenStatus: string | undefined;
  /** When that copy was written. */
  readonly lastSeenAtMs: number;
  /** The earliest `not_before` of its requests: when a worker next checks the campaign. */
  readonly nextCheckMs: number | undefined;
}

/** Parked requests by campaign, most parked first (then by campaign id). */
export function parkedByCampaign(parked: readonly TierCopy[]): ParkedCampaign[] {
  const groups = new Map<string | undefined, ParkedCampaign>();
  for (const copy of parked) {
    const held = groups.get(copy.campaignId);
    const latest = held === undefined || copy.writtenAtMs >= held.lastSeenAtMs;
    groups.set(copy.campaignId, {
      campaignId: copy.campaignId,
      parked: (held?.parked ?? 0) + 1,
      oldestParkedAtMs: earliest(held?.oldestParkedAtMs, copy.parkedAtMs),
      lastSeenStatus: latest ? copy.campaignStatus : held.lastSeenStatus,
      lastSeenAtMs: latest ? copy.writtenAtMs : held.lastSeenAtMs,
      nextCheckMs: earliest(held?.nextCheckMs, copy.notBeforeMs),
    });
  }
  return [...groups.values()].sort((a, b) => b.parked - a.parked || (a.campaignId ?? "").localeCompare(b.campaignId ?? ""));
}

/**
 * How many of a campaign's parked requests a drop at `dropBeforeMs` dead-letters: those parked
 * at or before it, as the worker decides (a copy without `parked_at` counts as parked when the
 * worker reads it, so after the drop, and is kept).
 */
export function droppable(parked: readonly TierCopy[], campaignId: string, dropBeforeMs: number): number {
  return parked.filter((copy) => copy.campaignId === campaignId && copy.parkedAtMs !== undefined && copy.parkedAtMs <= dropBeforeMs).length;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
