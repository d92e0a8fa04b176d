import { DEFERRAL_TIERS, type DeferralTier } from "@callbridge/schemas";

/** One hop of a deferral: the tier to wait in, and when that wait ends (ms since the epoch). */
export interface Hop {
  readonly tier: DeferralTier;
  readonly wakeAtMs: number;
}

/**
 * How far a hop may end off its tier's fixed delay, ms: a wait this much shorter than a tier's
 * delay still takes that tier (else a wait of 29.99 s would take six hops of the 5 s tier),
 * and one this much longer ends at its `not_before` in one hop rather than two. A record
 * waiting in a tier can so be held back by one ahead of it by at most this much.
 */
export const HOP_SLACK_MS = 1_000;

/**
 * Where a request due at `notBeforeMs` waits next, written at `nowMs`: the tier with the longest
 * delay not above the remaining wait plus HOP_SLACK_MS (the shortest tier when the wait is
 * shorter than all). It wakes at `not_before` when that is within the delay plus the slack
 * (no slack in the shortest tier), else exactly the tier's delay after it was written. In a tier, records are appended in time
 * order and wake their tier's delay (± the slack) after it, so a long wait never holds a short
 * one back by more than the slack; in the shortest tier a record can wait behind another for
 * at most that tier's delay.
 */
export function nextHop(notBeforeMs: number, nowMs: number): Hop {
  const remaining = Math.max(0, notBeforeMs - nowMs);
  let tier: DeferralTier = DEFERRAL_TIERS[0];
  for (const candidate of DEFERRAL_TIERS) if (candidate.delayMs <= remaining + HOP_SLACK_MS) tier = candidate;
  // The shortest tier takes no slack: nothing there wakes later than its delay after it was written.
  const slack = tier === DEFERRAL_TIERS[0] ? 0 : HOP_SLACK_MS;
  const endsThere = remaining <= tier.delayMs + slack;
  return { tier, wakeAtMs: endsThere ? notBeforeMs : nowMs + tier.delayMs };
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
