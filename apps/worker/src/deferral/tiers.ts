import { DEFERRAL_TIERS, type DeferralTier } from "@callbridge/schemas";

/** One hop of a deferral: the tier to wait in, and when that wait ends (ms since the epoch). */
export interface Hop {
  readonly tier: DeferralTier;
  readonly wakeAtMs: number;
}

/**
 * Where a request due at `notBeforeMs` waits next, written at `nowMs`: the tier with the longest
 * delay not above the remaining wait (the shortest tier when the wait is shorter than all).
 * Its wake is min(not_before, now + delay). In a tier, records are appended in time order and
 * all but the shortest tier wake exactly `delay` after they were written, so the head of a
 * tier is always the next due and a long wait never holds a short one back; in the shortest
 * tier a record can wait behind another for at most that tier's delay.
 */
export function nextHop(notBeforeMs: number, nowMs: number): Hop {
  const remaining = Math.max(0, notBeforeMs - nowMs);
  let tier: DeferralTier = DEFERRAL_TIERS[0];
  for (const candidate of DEFERRAL_TIERS) if (candidate.delayMs <= remaining) tier = candidate;
  return { tier, wakeAtMs: Math.min(notBeforeMs, nowMs + tier.delayMs) };
}

/**
 * A waiting request is due this close to its `not_before`, ms: nearer than this it is placed
 * rather than sent on another hop (a hop costs a write and a read for a few ms of wait).
 */
const DUE_MARGIN_MS = 250;

/** Whether a request due at `notBeforeMs` goes on now (else it takes `nextHop`). */
export function isDue(notBeforeMs: number, nowMs: number): boolean {
  return notBeforeMs - nowMs <= DUE_MARGIN_MS;
}
